import { clock } from "../shared/clock";
import { timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import { findUserById, findUsersByIds } from "../auth/user.repository";
import { inTransaction } from "../infra/transaction";
import * as repo from "./social.repository";
import { relationshipChanged } from "./relationship-facts";
import { authErrors } from "../auth/auth.errors";
import { socialErrors } from "./social.errors";

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

export { isBlockedEitherWay, blockedEitherWayIds, isFollowing, followingIds, followerIds, followerCount } from "./social.repository";

async function requireVisibleUser(viewerId: string, userId: string) {
  const user = await findUserById(userId);
  // a blocked pair does not see each other: same answer as a user that does not exist
  if (!user || (await repo.isBlockedEitherWay(viewerId, userId))) throw authErrors.userNotFound();
  return user;
}

export async function follow(followerId: string, followeeId: string): Promise<void> {
  if (followerId === followeeId) throw socialErrors.cannotFollowSelf();
  await requireVisibleUser(followerId, followeeId);
  await repo.insertFollow(followerId, followeeId, clock.now());
  relationshipChanged(followeeId, followerId);
}

export async function unfollow(followerId: string, followeeId: string): Promise<void> {
  await repo.deleteFollow(followerId, followeeId);
  relationshipChanged(followeeId, followerId);
}

export async function block(blockerId: string, blockedId: string): Promise<void> {
  if (blockerId === blockedId) throw socialErrors.cannotBlockSelf();
  if (!(await findUserById(blockedId))) throw authErrors.userNotFound();
  const now = clock.now();
  // the block and the follows it removes commit together: no moment where a blocked pair still follows
  await inTransaction(async (session) => {
    await repo.insertBlock(blockerId, blockedId, now, session);
    await repo.deleteFollowsBetween(blockerId, blockedId, session);
  });
  relationshipChanged(blockerId, blockedId);
  relationshipChanged(blockedId, blockerId);
}

export async function unblock(blockerId: string, blockedId: string): Promise<void> {
  await repo.deleteBlock(blockerId, blockedId);
  relationshipChanged(blockerId, blockedId);
  relationshipChanged(blockedId, blockerId);
}

export async function publicProfile(viewerId: string, userId: string): Promise<PublicProfile> {
  const user = await requireVisibleUser(viewerId, userId);
  const [follower_count, following_count] = await Promise.all([
    repo.followerCount(userId),
    repo.followingCount(userId),
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
  const rows = await repo.listFollowRows(userId, direction, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  const users = new Map((await findUsersByIds(rows.map((r) => r.other_id))).map((u) => [u.id, u]));
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r.id));
  return {
    next_cursor: result.next_cursor,
    items: result.items.flatMap((r) => {
      const u = users.get(r.other_id);
      return u ? [{ user: { id: u.id, username: u.username, display_name: u.display_name, avatar_url: u.avatar_url }, followed_at: r.created_at }] : [];
    }),
  };
}
