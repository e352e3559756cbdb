import { clock } from "../shared/clock";
import { NotFoundError, ValidationError, isDuplicateKeyError } from "../shared/errors";
import { afterTimeId, timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import { findUserById, findUsersByIds } from "../auth/user.repository";
import { BlockModel, FollowModel } from "./social.model";
import { publishAudienceChanged } from "../realtime/events";

/**
 * The social graph: follows and blocks. A block hides each user from the other everywhere and
 * removes follows in both directions; stories' privacy, feeds and notifications read this module.
 */
export interface PublicProfile {
  id: string;
  username: string;
  display_name: string;
  bio: string;
  avatar_url: string | null;
  follower_count: number;
  following_count: number;
}

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

/** Users that `userId` blocked or that blocked `userId` (feeds exclude them). */
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

async function requireVisibleUser(viewerId: string, userId: string) {
  const user = await findUserById(userId);
  // a blocked pair does not see each other: same answer as a user that does not exist
  if (!user || (await isBlockedEitherWay(viewerId, userId))) throw new NotFoundError("user_not_found", "No such user.");
  return user;
}

export async function follow(followerId: string, followeeId: string): Promise<void> {
  if (followerId === followeeId) throw new ValidationError("cannot_follow_self", "You cannot follow yourself.");
  await requireVisibleUser(followerId, followeeId);
  try {
    await FollowModel.create({ follower_id: followerId, followee_id: followeeId, created_at: clock.now() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // following twice is a no-op
  }
  publishAudienceChanged(followeeId, followerId);
}

export async function unfollow(followerId: string, followeeId: string): Promise<void> {
  await FollowModel.deleteOne({ follower_id: followerId, followee_id: followeeId });
  publishAudienceChanged(followeeId, followerId);
}

export async function block(blockerId: string, blockedId: string): Promise<void> {
  if (blockerId === blockedId) throw new ValidationError("cannot_block_self", "You cannot block yourself.");
  if (!(await findUserById(blockedId))) throw new NotFoundError("user_not_found", "No such user.");
  try {
    await BlockModel.create({ blocker_id: blockerId, blocked_id: blockedId, created_at: clock.now() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  await FollowModel.deleteMany({
    $or: [
      { follower_id: blockerId, followee_id: blockedId },
      { follower_id: blockedId, followee_id: blockerId },
    ],
  });
  publishAudienceChanged(blockerId, blockedId);
  publishAudienceChanged(blockedId, blockerId);
}

export async function unblock(blockerId: string, blockedId: string): Promise<void> {
  await BlockModel.deleteOne({ blocker_id: blockerId, blocked_id: blockedId });
  publishAudienceChanged(blockerId, blockedId);
  publishAudienceChanged(blockedId, blockerId);
}

export async function publicProfile(viewerId: string, userId: string): Promise<PublicProfile> {
  const user = await requireVisibleUser(viewerId, userId);
  const [follower_count, following_count] = await Promise.all([
    FollowModel.countDocuments({ followee_id: userId }),
    FollowModel.countDocuments({ follower_id: userId }),
  ]);
  return {
    id: user.id,
    username: user.username,
    display_name: user.display_name,
    bio: user.bio,
    avatar_url: user.avatar_url,
    follower_count,
    following_count,
  };
}

export interface FollowListItem {
  user: { id: string; username: string; display_name: string; avatar_url: string | null };
  followed_at: Date;
}

/** Followers (direction "followers") or followees ("following") of a user, newest first. */
export async function listFollows(
  viewerId: string,
  userId: string,
  direction: "followers" | "following",
  page: PageQuery,
): Promise<Page<FollowListItem>> {
  await requireVisibleUser(viewerId, userId);
  const [own, other] = direction === "followers" ? (["followee_id", "follower_id"] as const) : (["follower_id", "followee_id"] as const);
  const filter = { [own]: userId, ...afterTimeId(decodeCursor(page.cursor, timeIdCursor)) };
  const rows = await FollowModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(page.limit + 1).lean();
  const users = new Map((await findUsersByIds(rows.map((r) => r[other]))).map((u) => [u.id, u]));
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r._id));
  return {
    next_cursor: result.next_cursor,
    items: result.items.flatMap((r) => {
      const u = users.get(r[other]);
      return u ? [{ user: { id: u.id, username: u.username, display_name: u.display_name, avatar_url: u.avatar_url }, followed_at: r.created_at }] : [];
    }),
  };
}
