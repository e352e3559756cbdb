import type { Types } from "mongoose";
import type { StickerInteraction } from "./sticker.rules";
import { StoryInteractionModel, StoryModel, StoryViewModel } from "./story.model";
import { interactionsPerStory, type StoryRef } from "./story.repository";

/** Everything a tray page reads from the store. */
export interface FeedInputs {
  /** The candidates, newest first: which story, at which revision (0: never written since posted). */
  refs: StoryRef[];
  /** Stories the viewer viewed lately. */
  seen: Set<string>;
  /** The viewer's answers lately, per story and sticker index. */
  mine: Map<string, Map<number, StickerInteraction>>;
}

/** Which stories a tray considers: the viewer's (followed, close friends, public, custom lists) or a community's. */
export type FeedScope = { authorIds: string[] } | { communityId: string };

type Group = { _id: "candidates"; ids: Types.ObjectId[]; revs: number[] } | { _id: "seen"; ids: string[] } | { _id: "answered"; rows: Record<string, any>[] };

/**
 * A tray's reads in one store command: the candidates (live stories in scope, minus blocked authors,
 * newest first, capped; privacy is decided afterwards by the rules, this only narrows), what the
 * viewer viewed and what they answered since `since`. The three are branches of one `$unionWith`
 * aggregate, each opening with a `$match` on its index and grouped into one document, so the answer
 * is at most three documents in the first batch: the driver decodes three documents, not one per
 * candidate. Views and answers are read by time, not by candidate id: `since` is the oldest moment a
 * story still live could have been posted, and a view or an answer comes after its story.
 */
export async function findFeedInputs(opts: {
  viewerId: string;
  scope: FeedScope;
  excludeAuthorIds: string[];
  now: Date;
  since: Date;
  cap: number;
}): Promise<FeedInputs> {
  const live = { is_deleted: false, expires_at: { $gt: opts.now }, user_id: { $nin: opts.excludeAuthorIds } };
  const inScope =
    "communityId" in opts.scope
      ? { ...live, community_id: opts.scope.communityId }
      : {
          ...live,
          $or: [{ user_id: { $in: opts.scope.authorIds } }, { privacy: "public" }, { privacy: "custom", custom_viewer_ids: opts.viewerId }],
        };
  // the driver's collection directly: the filters are already in stored types, and this runs on every tray
  const groups = await StoryModel.collection
    .aggregate<Group>(
      [
        { $match: inScope },
        { $sort: { created_at: -1, _id: -1 } },
        { $limit: opts.cap },
        { $group: { _id: "candidates", ids: { $push: "$_id" }, revs: { $push: { $ifNull: ["$rev", 0] } } } },
        {
          $unionWith: {
            coll: StoryViewModel.collection.collectionName,
            pipeline: [{ $match: { viewer_id: opts.viewerId, first_viewed_at: { $gte: opts.since } } }, { $group: { _id: "seen", ids: { $push: "$story_id" } } }],
          },
        },
        {
          $unionWith: {
            coll: StoryInteractionModel.collection.collectionName,
            pipeline: [{ $match: { user_id: opts.viewerId, created_at: { $gte: opts.since } } }, { $group: { _id: "answered", rows: { $push: "$$ROOT" } } }],
          },
        },
      ],
      { batchSize: 3 },
    )
    .toArray();
  const out: FeedInputs = { refs: [], seen: new Set(), mine: new Map() };
  for (const g of groups) {
    if (g._id === "candidates") out.refs = g.ids.map((id, i) => ({ _id: String(id), rev: g.revs[i] }));
    else if (g._id === "seen") out.seen = new Set(g.ids);
    else out.mine = interactionsPerStory(g.rows);
  }
  return out;
}
