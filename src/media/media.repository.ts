import mongoose from "mongoose";
import { isDuplicateKeyError } from "../shared/errors";
import { MediaModel, MediaUsageModel } from "./media.model";
import type { MediaKind } from "./media.rules";

/** Persistence for media records and per-user usage, returning plain objects. */
export interface MediaFile {
  role: "original" | "w1080" | "w480" | "thumb";
  key: string;
  /** where clients fetch it (fixed at upload: the server's or the bucket's address then) */
  url: string;
  content_type: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

export interface MediaRow {
  _id: string;
  owner_id: string;
  kind: MediaKind;
  status: "pending" | "ready";
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  storage: "disk" | "s3";
  files: MediaFile[];
  poster: "frame" | "placeholder" | null;
  created_at: Date;
  ready_at: Date | null;
}

export async function insertMedia(row: MediaRow): Promise<void> {
  await MediaModel.create(row);
}

export async function findMediaById(id: string): Promise<MediaRow | null> {
  return (await MediaModel.findById(id).lean()) as MediaRow | null;
}

/** pending → ready, once: false when another request completed (or the sweeper removed) it first. */
export async function markMediaReady(id: string, ready: Pick<MediaRow, "content_type" | "size" | "width" | "height" | "duration_s" | "files" | "poster" | "ready_at">): Promise<boolean> {
  const res = await MediaModel.updateOne({ _id: id, status: "pending" }, { $set: { ...ready, status: "ready" } });
  return res.modifiedCount === 1;
}

export async function deleteMediaRecord(id: string): Promise<boolean> {
  return (await MediaModel.deleteOne({ _id: id })).deletedCount === 1;
}

/** Oldest first, after `afterCreated`/`afterId` (the sweep's cursor). */
export async function findMediaCreatedBefore(cutoff: Date, after: { created_at: Date; _id: string } | null, limit: number): Promise<MediaRow[]> {
  const filter: Record<string, unknown> = { created_at: { $lte: cutoff } };
  if (after) filter.$or = [{ created_at: { $gt: after.created_at } }, { created_at: after.created_at, _id: { $gt: after._id } }];
  return (await MediaModel.find(filter).sort({ created_at: 1, _id: 1 }).limit(limit).lean()) as MediaRow[];
}

export async function findMediaByIds(ids: string[]): Promise<MediaRow[]> {
  if (ids.length === 0) return [];
  return (await MediaModel.find({ _id: { $in: ids } }).lean()) as MediaRow[];
}

/**
 * Which of these media a story or a highlight still uses. Read through the collections (the
 * contract the story sweeper also relies on): a story by `media_id`, a highlight by its cover URL
 * (which embeds the media id).
 */
export async function referencedMediaIds(ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const db = mongoose.connection;
  const stories = await db.collection("stories").find({ media_id: { $in: ids } }, { projection: { media_id: 1 } }).toArray();
  const used = new Set(stories.map((s) => String(s.media_id)));
  const rest = ids.filter((id) => !used.has(id));
  if (rest.length > 0) {
    const covers = await db
      .collection("highlights")
      .find({ "cover.media_url": { $regex: `/(${rest.join("|")})/` } }, { projection: { "cover.media_url": 1 } })
      .toArray();
    for (const h of covers) for (const id of rest) if (String(h.cover?.media_url ?? "").includes(`/${id}/`)) used.add(id);
  }
  return used;
}

export async function usedBytes(ownerId: string): Promise<number> {
  const row = await MediaUsageModel.findById(ownerId).lean();
  return row?.bytes ?? 0;
}

/**
 * Count `bytes` against the owner's quota if they still fit: one conditional update, so two
 * uploads racing for the last free space cannot both win. False when over quota.
 */
export async function reserveBytes(ownerId: string, bytes: number, quota: number): Promise<boolean> {
  if (bytes > quota) return false;
  try {
    const res = await MediaUsageModel.findOneAndUpdate(
      { _id: ownerId, bytes: { $lte: quota - bytes } },
      { $inc: { bytes } },
      { upsert: true, returnDocument: "after" },
    ).lean();
    return res !== null;
  } catch (err) {
    // the usage row exists but has no room: the upsert's insert collides on _id
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

export async function releaseBytes(ownerId: string, bytes: number): Promise<void> {
  if (bytes > 0) await MediaUsageModel.updateOne({ _id: ownerId }, { $inc: { bytes: -bytes } });
}

/**
 * At boot: every owner's usage set to the sum of their records' sizes. Bytes are reserved before
 * the record is written, so a crash between the two leaves the counter high (the owner would lose
 * quota to a file that was never kept); the records are the truth. Returns the rows corrected.
 */
export async function recountMediaUsage(): Promise<number> {
  const sums = await MediaModel.aggregate<{ _id: string; bytes: number }>([{ $group: { _id: "$owner_id", bytes: { $sum: "$size" } } }]);
  const actual = new Map(sums.map((s) => [s._id, s.bytes]));
  let repaired = 0;
  for (const row of await MediaUsageModel.find({}, { bytes: 1 }).lean()) {
    const bytes = actual.get(String(row._id)) ?? 0;
    if (row.bytes !== bytes) {
      await MediaUsageModel.updateOne({ _id: row._id, bytes: row.bytes }, { $set: { bytes } });
      repaired += 1;
    }
  }
  return repaired;
}
