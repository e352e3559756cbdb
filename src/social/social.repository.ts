import type { ClientSession } from "mongoose";
import { afterTimeId, type TimeIdKey } from "../shared/pagination";
import { isDuplicateKeyError } from "../shared/errors";
import { BlockModel, FollowModel } from "./social.model";

/** Follows and blocks in the store; plain values out. Writes accept an optional session. */

export async function isBlockedEitherWay(a: string, b: string): Promise<boolean> {
  if (a === b) return false;
  const hit = await BlockModel.exists({
    $or: [
      { blocker_id: a, blocked_id: b },
      { blocker_id: b, blocked_id: a },
    ],
  });
  return hit !== null;
}

/** Users that `userId` blocked or that blocked `userId`. */
export async function blockedEitherWayIds(userId: string): Promise<string[]> {
  const rows = await BlockModel.find({ $or: [{ blocker_id: userId }, { blocked_id: userId }] }).lean();
  return rows.map((r) => (r.blocker_id === userId ? r.blocked_id : r.blocker_id));
}

export async function isFollowing(followerId: string, followeeId: string): Promise<boolean> {
  return (await FollowModel.exists({ follower_id: followerId, followee_id: followeeId })) !== null;
}

export async function followingIds(userId: string): Promise<string[]> {
  const rows = await FollowModel.find({ follower_id: userId }, { followee_id: 1 }).lean();
  return rows.map((r) => r.followee_id);
}

export async function followerCount(userId: string): Promise<number> {
  return FollowModel.countDocuments({ followee_id: userId });
}

export async function followingCount(userId: string): Promise<number> {
  return FollowModel.countDocuments({ follower_id: userId });
}

/** Run an insert that the unique index may refuse: a second follow or block of a pair is a no-op. */
async function insertOnce(insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/** Insert the follow; following twice is a no-op. */
export async function insertFollow(followerId: string, followeeId: string, now: Date, session?: ClientSession): Promise<void> {
  await insertOnce(() => FollowModel.create([{ follower_id: followerId, followee_id: followeeId, created_at: now }], { session }));
}

export async function deleteFollow(followerId: string, followeeId: string, session?: ClientSession): Promise<void> {
  await FollowModel.deleteOne({ follower_id: followerId, followee_id: followeeId }, { session });
}

/** Remove follows in both directions between a and b. */
export async function deleteFollowsBetween(a: string, b: string, session?: ClientSession): Promise<void> {
  await FollowModel.deleteMany(
    {
      $or: [
        { follower_id: a, followee_id: b },
        { follower_id: b, followee_id: a },
      ],
    },
    { session },
  );
}

/** Insert the block; blocking twice is a no-op. */
export async function insertBlock(blockerId: string, blockedId: string, now: Date, session?: ClientSession): Promise<void> {
  await insertOnce(() => BlockModel.create([{ blocker_id: blockerId, blocked_id: blockedId, created_at: now }], { session }));
}

export async function deleteBlock(blockerId: string, blockedId: string, session?: ClientSession): Promise<void> {
  await BlockModel.deleteOne({ blocker_id: blockerId, blocked_id: blockedId }, { session });
}

/** One page of a user's followers ("followers") or followees ("following"), newest first; `other_id` is the other side. */
export async function listFollowRows(userId: string, direction: "followers" | "following", after: TimeIdKey | undefined, limit: number) {
  const [own, other] = direction === "followers" ? (["followee_id", "follower_id"] as const) : (["follower_id", "followee_id"] as const);
  const rows = await FollowModel.find({ [own]: userId, ...afterTimeId(after) })
    .sort({ created_at: -1, _id: -1 })
    .limit(limit)
    .lean();
  return rows.map((r) => ({ id: String(r._id), other_id: r[other], created_at: r.created_at }));
}
