import { clock } from "../shared/clock";
import { timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import { findUserById, findUsersByIds } from "../auth/user.repository";
import { isBlockedEitherWay } from "../social/social.repository";
import { relationshipChanged } from "../social/relationship-facts";
import * as repo from "./close-friends.repository";
import { closeFriendErrors } from "./close-friends.errors";
import { authErrors } from "../auth/auth.errors";

/**
 * Close-friends lists. Privacy checks ask `isCloseFriend` on every story read, so answers are
 * cached in presence (shared across processes with Redis). Invalidation is by version: each
 * owner has a counter bumped on every change, and cached answers live under the current version,
 * so a reader that raced a change can only write its stale answer under a version nobody reads.
 */

/** A list longer than this is no longer "close"; it also bounds the feed's per-request set. */
export const MAX_CLOSE_FRIENDS = 1000;

export interface CloseFriendItem {
  user: { id: string; username: string; display_name: string; avatar_url: string | null };
  added_at: Date;
}

/** Is `userId` on `ownerId`'s close-friends list? (Privacy checks read it through src/social/relationship-facts.) */
export const isCloseFriend = repo.isOnList;

/** Owners who have `userId` on their list (the feed's close_friends audience check). */
export const closeFriendOfIds = repo.ownersListing;

/** Add a friend; adding twice is a no-op. Returns whether a row was created. */
export async function addCloseFriend(ownerId: string, friendId: string): Promise<{ created: boolean; item: CloseFriendItem }> {
  if (ownerId === friendId) throw closeFriendErrors.cannotAddSelf();
  const friend = await findUserById(friendId);
  // a blocked pair does not see each other: same answer as a user that does not exist
  if (!friend || (await isBlockedEitherWay(ownerId, friendId))) throw authErrors.userNotFound();
  const existing = await repo.findEntry(ownerId, friendId);
  let created = false;
  let addedAt = existing?.created_at ?? clock.now();
  if (!existing) {
    if ((await repo.countEntries(ownerId)) >= MAX_CLOSE_FRIENDS) {
      throw closeFriendErrors.closeFriendsLimit(MAX_CLOSE_FRIENDS);
    }
    created = await repo.insertEntry(ownerId, friendId, addedAt);
    // a simultaneous add of the same friend won: adding twice is a no-op
    if (!created) addedAt = (await repo.findEntry(ownerId, friendId))?.created_at ?? addedAt;
  }
  relationshipChanged(ownerId, friendId);
  return {
    created,
    item: {
      user: { id: friend.id, username: friend.username, display_name: friend.display_name, avatar_url: friend.avatar_url },
      added_at: addedAt,
    },
  };
}

/** Remove a friend; removing someone not on the list is a no-op. */
export async function removeCloseFriend(ownerId: string, friendId: string): Promise<void> {
  await repo.deleteEntry(ownerId, friendId);
  relationshipChanged(ownerId, friendId);
}

/** The owner's list, newest first. */
export async function listCloseFriends(ownerId: string, page: PageQuery): Promise<Page<CloseFriendItem>> {
  const rows = await repo.listEntries(ownerId, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r.id));
  const users = new Map((await findUsersByIds(result.items.map((r) => r.friend_id))).map((u) => [u.id, u]));
  return {
    next_cursor: result.next_cursor,
    items: result.items.flatMap((r) => {
      const u = users.get(r.friend_id);
      return u
        ? [{ user: { id: u.id, username: u.username, display_name: u.display_name, avatar_url: u.avatar_url }, added_at: r.created_at }]
        : [];
    }),
  };
}
