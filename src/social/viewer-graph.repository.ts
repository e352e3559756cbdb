import { CloseFriendModel } from "../close-friends/close-friend.model";
import { CommunityMemberModel } from "../communities/community.model";
import { BlockModel, FollowModel } from "./social.model";

/** Who a viewer follows, whose close friend they are, who is blocked either way, their communities. */
export interface ViewerGraphIds {
  following: string[];
  closeFriendOf: string[];
  blocked: string[];
  /** Communities the viewer is an active member of. */
  communities: string[];
  /** Communities that banned the viewer. */
  bannedFrom: string[];
}

type Kind = keyof ViewerGraphIds;

/** One branch of the union: its rows as `{ k: kind, id }`. */
const tagged = (k: Kind | "$status", id: unknown) => ({ $project: { _id: 0, k: k.startsWith("$") ? k : { $literal: k }, id } });

/**
 * Every relationship fact of one viewer in one store command: the four reads (follows, close
 * friends, blocks, community standings) are branches of one `$unionWith` aggregate, each opening
 * with a `$match` on its index (the embedded store answers those through its planner too), grouped
 * into at most five rows so the answer always fits the first batch.
 */
export async function loadViewerGraph(viewerId: string): Promise<ViewerGraphIds> {
  const rows = await FollowModel.aggregate<{ _id: Kind | "active" | "banned"; ids: string[] }>([
    { $match: { follower_id: viewerId } },
    tagged("following", "$followee_id"),
    { $unionWith: { coll: CloseFriendModel.collection.collectionName, pipeline: [{ $match: { friend_id: viewerId } }, tagged("closeFriendOf", "$owner_id")] } },
    {
      $unionWith: {
        coll: BlockModel.collection.collectionName,
        pipeline: [{ $match: { $or: [{ blocker_id: viewerId }, { blocked_id: viewerId }] } }, tagged("blocked", { $cond: [{ $eq: ["$blocker_id", viewerId] }, "$blocked_id", "$blocker_id"] })],
      },
    },
    {
      $unionWith: {
        coll: CommunityMemberModel.collection.collectionName,
        pipeline: [{ $match: { user_id: viewerId, status: { $in: ["active", "banned"] } } }, tagged("$status", "$community_id")],
      },
    },
    { $group: { _id: "$k", ids: { $push: "$id" } } },
  ]);
  const of = (k: string) => rows.find((r) => r._id === k)?.ids ?? [];
  return { following: of("following"), closeFriendOf: of("closeFriendOf"), blocked: of("blocked"), communities: of("active"), bannedFrom: of("banned") };
}
