import type { ClientSession } from "mongoose";
import { afterTimeId, type TimeIdKey } from "../shared/pagination";
import { isDuplicateKeyError } from "../shared/errors";
import { CloseFriendModel } from "./close-friend.model";

/** Close-friends rows in the store; plain values out. Writes accept an optional session. */

export async function isOnList(ownerId: string, friendId: string): Promise<boolean> {
  if (ownerId === friendId) return false;
  return (await CloseFriendModel.exists({ owner_id: ownerId, friend_id: friendId })) !== null;
}

/** Owners who have `userId` on their list. */
export async function ownersListing(userId: string): Promise<string[]> {
  const rows = await CloseFriendModel.find({ friend_id: userId }, { owner_id: 1 }).lean();
  return rows.map((r) => r.owner_id);
}

export async function findEntry(ownerId: string, friendId: string): Promise<{ created_at: Date } | null> {
  const row = await CloseFriendModel.findOne({ owner_id: ownerId, friend_id: friendId }).lean();
  return row ? { created_at: row.created_at } : null;
}

export async function countEntries(ownerId: string): Promise<number> {
  return CloseFriendModel.countDocuments({ owner_id: ownerId });
}

/** Insert the entry; false when it already exists (a simultaneous add won). */
export async function insertEntry(ownerId: string, friendId: string, now: Date, session?: ClientSession): Promise<boolean> {
  try {
    await CloseFriendModel.create([{ owner_id: ownerId, friend_id: friendId, created_at: now }], { session });
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return false;
  }
}

export async function deleteEntry(ownerId: string, friendId: string, session?: ClientSession): Promise<void> {
  await CloseFriendModel.deleteOne({ owner_id: ownerId, friend_id: friendId }, { session });
}

export async function listEntries(ownerId: string, after: TimeIdKey | undefined, limit: number) {
  const rows = await CloseFriendModel.find({ owner_id: ownerId, ...afterTimeId(after) })
    .sort({ created_at: -1, _id: -1 })
    .limit(limit)
    .lean();
  return rows.map((r) => ({ id: String(r._id), friend_id: r.friend_id, created_at: r.created_at }));
}
