import { clock } from "../shared/clock";
import { NotFoundError, ValidationError, isDuplicateKeyError } from "../shared/errors";
import { afterTimeId, timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import { getPresence } from "../infra/presence";
import { findUserById, findUsersByIds } from "../auth/user.repository";
import { isBlockedEitherWay } from "../social/social.service";
import { CloseFriendModel } from "./close-friend.model";
import { publishAudienceChanged } from "../realtime/events";

/**
 * Close-friends lists. Privacy checks ask `isCloseFriend` on every story read, so answers are
 * cached in presence (shared across processes with Redis). Invalidation is by version: each
 * owner has a counter bumped on every change, and cached answers live under the current version,
 * so a reader that raced a change can only write its stale answer under a version nobody reads.
 */

/** Cached answers expire after 10 minutes: bounds memory for owners nobody asks about any more. */
const CACHE_TTL_SECONDS = 600;
/** A list longer than this is no longer "close"; it also bounds the feed's per-request set. */
export const MAX_CLOSE_FRIENDS = 1000;

export interface CloseFriendItem {
  user: { id: string; username: string; display_name: string; avatar_url: string | null };
  added_at: Date;
}

const versionKey = (ownerId: string) => `close-friends:ver:${ownerId}`;
const answerKey = (ownerId: string, version: string, userId: string) => `close-friends:${ownerId}:${version}:${userId}`;

async function currentVersion(ownerId: string): Promise<string> {
  const v = (await getPresence().get(versionKey(ownerId))) as string | null | undefined;
  return v ?? "0";
}

async function bumpVersion(ownerId: string): Promise<void> {
  await getPresence().incr(versionKey(ownerId));
}

/** Is `userId` on `ownerId`'s close-friends list? Cached; exact after add/remove on any process. */
export async function isCloseFriend(ownerId: string, userId: string): Promise<boolean> {
  if (ownerId === userId) return false;
  const presence = getPresence();
  const version = await currentVersion(ownerId);
  const key = answerKey(ownerId, version, userId);
  const cached = (await presence.get(key)) as string | null | undefined;
  if (cached === "1") return true;
  if (cached === "0") return false;
  const hit = (await CloseFriendModel.exists({ owner_id: ownerId, friend_id: userId })) !== null;
  await presence.setex(key, hit ? "1" : "0", CACHE_TTL_SECONDS);
  return hit;
}

/** Owners who have `userId` on their list (the feed's close_friends audience check). */
export async function closeFriendOfIds(userId: string): Promise<string[]> {
  const rows = await CloseFriendModel.find({ friend_id: userId }, { owner_id: 1 }).lean();
  return rows.map((r) => r.owner_id);
}

/** Add a friend; adding twice is a no-op. Returns whether a row was created. */
export async function addCloseFriend(ownerId: string, friendId: string): Promise<{ created: boolean; item: CloseFriendItem }> {
  if (ownerId === friendId) throw new ValidationError("cannot_add_self", "You cannot add yourself to your close friends.");
  const friend = await findUserById(friendId);
  // a blocked pair does not see each other: same answer as a user that does not exist
  if (!friend || (await isBlockedEitherWay(ownerId, friendId))) throw new NotFoundError("user_not_found", "No such user.");
  const existing = await CloseFriendModel.findOne({ owner_id: ownerId, friend_id: friendId }).lean();
  let created = false;
  let addedAt = existing?.created_at ?? clock.now();
  if (!existing) {
    if ((await CloseFriendModel.countDocuments({ owner_id: ownerId })) >= MAX_CLOSE_FRIENDS) {
      throw new ValidationError("close_friends_limit", `A close-friends list holds at most ${MAX_CLOSE_FRIENDS} people.`);
    }
    try {
      await CloseFriendModel.create({ owner_id: ownerId, friend_id: friendId, created_at: addedAt });
      created = true;
    } catch (err) {
      // a simultaneous add of the same friend won: adding twice is a no-op
      if (!isDuplicateKeyError(err)) throw err;
      const row = await CloseFriendModel.findOne({ owner_id: ownerId, friend_id: friendId }).lean();
      if (row) addedAt = row.created_at;
    }
  }
  await bumpVersion(ownerId);
  publishAudienceChanged(ownerId, friendId);
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
  await CloseFriendModel.deleteOne({ owner_id: ownerId, friend_id: friendId });
  await bumpVersion(ownerId);
  publishAudienceChanged(ownerId, friendId);
}

/** The owner's list, newest first. */
export async function listCloseFriends(ownerId: string, page: PageQuery): Promise<Page<CloseFriendItem>> {
  const filter = { owner_id: ownerId, ...afterTimeId(decodeCursor(page.cursor, timeIdCursor)) };
  const rows = await CloseFriendModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(page.limit + 1).lean();
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r._id));
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
