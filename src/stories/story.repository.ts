import mongoose, { Types, type ClientSession } from "mongoose";
import { isDuplicateKeyError } from "../shared/errors";
import { isObjectIdString } from "../shared/ids";
import type { StickerInteraction } from "./sticker.rules";
import type { StoryDoc } from "./story.types";
import { StoryInteractionModel, StoryModel, StoryReactionModel, StoryReplyModel, StoryViewModel } from "./story.model";
import { afterTimeId, type TimeIdKey } from "../shared/pagination";

/**
 * Persistence for stories and their engagement rows. Returns plain objects with string ids.
 * Every counter moves by one atomic `$inc`, and only after the unique insert that proves the
 * event is new (see story.model.ts).
 */
export type StoryRow = StoryDoc & { _id: string };

type Row = Record<string, any>;

export function toStory(row: Row): StoryRow {
  return { ...(row as StoryDoc), _id: String(row._id) };
}

export function oid(id: string): Types.ObjectId {
  return new Types.ObjectId(id);
}

export async function insertStory(doc: StoryDoc): Promise<StoryRow> {
  const created = await StoryModel.create(doc);
  return toStory(created.toObject());
}

export async function findStoryById(id: string): Promise<StoryRow | null> {
  if (!isObjectIdString(id)) return null;
  const row = await StoryModel.findById(id).lean();
  return row ? toStory(row) : null;
}

/** Stories by id, in any state (deleted and expired included); unknown or malformed ids are skipped. */
export async function findStoriesByIds(ids: string[]): Promise<StoryRow[]> {
  const valid = ids.filter(isObjectIdString).map(oid);
  if (valid.length === 0) return [];
  // one round trip however many (the driver's first batch is otherwise 101 rows)
  const rows = await StoryModel.find({ _id: { $in: valid } }).batchSize(valid.length).lean();
  return rows.map(toStory);
}


/** Live stories the author has now (the per-author cap counts them). */
export async function countActiveStoriesByAuthor(authorId: string, now: Date): Promise<number> {
  return StoryModel.countDocuments({ user_id: authorId, is_deleted: false, expires_at: { $gt: now } });
}

/** An author's live stories (not deleted, `expires_at > now`), oldest first. */
export async function findActiveStoriesByAuthor(authorId: string, now: Date): Promise<StoryRow[]> {
  const rows = await StoryModel.find({ user_id: authorId, is_deleted: false, expires_at: { $gt: now } })
    .sort({ created_at: 1, _id: 1 })
    .lean();
  return rows.map(toStory);
}

/**
 * One page of the author's archive, newest first after the keyset `after` (created_at, _id).
 * The filter is `isInAuthorArchive` (story.rules.ts) as a query.
 */
export async function findArchivedStoriesByAuthor(
  authorId: string,
  now: Date,
  after: TimeIdKey | undefined,
  limit: number,
): Promise<StoryRow[]> {
  const and: Record<string, unknown>[] = [{ $or: [{ is_archived: true }, { is_expired: false }] }];
  if (after) and.push(afterTimeId(after));
  const rows = await StoryModel.find({ user_id: authorId, is_deleted: false, expires_at: { $lte: now }, $and: and })
    .sort({ created_at: -1, _id: -1 })
    .limit(limit)
    .lean();
  return rows.map(toStory);
}

/** A feed candidate as the query returns it: which story, at which revision. */
export type StoryRef = Pick<StoryRow, "_id" | "rev">;

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/**
 * Record one view. The (story, viewer) row and the story's view_count `$inc` are sent together
 * (one journal sync instead of two in a row); when the unique index says the viewer had already
 * seen it, the `$inc` is taken back and the row's own view_count bumped instead. Exact under
 * concurrency (exactly one insert wins); a crash between the two writes is recounted at boot.
 * The first two writes, on every view, go through the driver's collection: the row is built here
 * with every field of its schema, and the story's `rev` bump is written out (the model's hook does
 * not run there).
 */
export async function recordStoryView(story: Pick<StoryRow, "_id" | "user_id">, viewerId: string, now: Date): Promise<{ counted: boolean; view_count: number }> {
  const [inserted, bumped] = await Promise.allSettled([
    StoryViewModel.collection.insertOne({ story_id: story._id, author_id: story.user_id, viewer_id: viewerId, view_count: 1, first_viewed_at: now, last_viewed_at: now }),
    StoryModel.collection.findOneAndUpdate({ _id: oid(story._id) }, { $inc: { view_count: 1, rev: 1 } }, { returnDocument: "after", projection: { view_count: 1 } }),
  ]);
  if (bumped.status === "rejected") {
    if (inserted.status === "fulfilled") await StoryViewModel.deleteOne({ _id: inserted.value.insertedId }); // the counter never moved: nor may the record
    throw bumped.reason;
  }
  if (inserted.status === "fulfilled") return { counted: true, view_count: (bumped.value?.view_count as number | undefined) ?? 0 };
  if (!isDuplicateKeyError(inserted.reason)) {
    await StoryModel.updateOne({ _id: story._id }, { $inc: { view_count: -1 } });
    throw inserted.reason;
  }
  const [current] = await Promise.all([
    StoryModel.findByIdAndUpdate(story._id, { $inc: { view_count: -1 } }, { returnDocument: "after", projection: { view_count: 1 } }).lean(),
    StoryViewModel.updateOne({ story_id: story._id, viewer_id: viewerId }, { $inc: { view_count: 1 }, $set: { last_viewed_at: now } }),
  ]);
  return { counted: false, view_count: current?.view_count ?? 0 };
}

export async function listStoryViews(storyId: string, after: TimeIdKey | undefined, limit: number) {
  const filter = { story_id: storyId, ...afterTimeId(after, "first_viewed_at") };
  const rows = await StoryViewModel.find(filter).sort({ first_viewed_at: -1, _id: -1 }).limit(limit).lean();
  return rows.map((r) => ({ id: String(r._id), viewer_id: r.viewer_id, first_viewed_at: r.first_viewed_at }));
}

// ---------------------------------------------------------------------------------------------
// Sticker interactions
// ---------------------------------------------------------------------------------------------

export function toInteraction(row: Row): StickerInteraction {
  const base = { sticker_index: row.sticker_index as number };
  switch (row.sticker_type) {
    case "poll":
      return { ...base, sticker_type: "poll", option_index: row.option_index };
    case "quiz":
      return { ...base, sticker_type: "quiz", option_index: row.option_index, is_correct: row.is_correct === true };
    case "question":
      return { ...base, sticker_type: "question", answer: row.answer };
    case "slider":
      return { ...base, sticker_type: "slider", value: row.value };
    default:
      return { ...base, sticker_type: "countdown" };
  }
}

/**
 * Insert the interaction and apply its tally `$inc` to the story, sent together (one journal sync
 * instead of two in a row); returns the updated story. When the unique index says this user
 * already answered this sticker, the `$inc` is taken back and `{ previous }` returned. The `$inc`
 * goes through the native collection: the paths point into a Mixed array
 * (`stickers.0.poll.options.1.votes`), which mongoose's casting does not know. A crash between
 * the two writes is recounted at boot (story.maintenance.ts).
 */
export async function insertInteraction(
  story: Pick<StoryRow, "_id" | "user_id">,
  userId: string,
  interaction: StickerInteraction,
  increments: Record<string, number>,
  now: Date,
  remindAt: Date | null = null,
): Promise<{ story: StoryRow } | { previous: StickerInteraction }> {
  const bump = (sign: 1 | -1) =>
    StoryModel.collection.findOneAndUpdate(
      { _id: oid(story._id) },
      // native: the model's rev hook does not run here, so the bump is written out (rev only grows)
      { $inc: { ...Object.fromEntries(Object.entries(increments).map(([k, v]) => [k, sign * v])), rev: 1 }, $set: { updated_at: now } },
      { returnDocument: "after" },
    );
  const [inserted, bumped] = await Promise.allSettled([
    StoryInteractionModel.create({
      story_id: story._id,
      author_id: story.user_id,
      user_id: userId,
      sticker_index: interaction.sticker_index,
      sticker_type: interaction.sticker_type,
      option_index: "option_index" in interaction ? interaction.option_index : null,
      value: "value" in interaction ? interaction.value : null,
      answer: "answer" in interaction ? interaction.answer : null,
      is_correct: "is_correct" in interaction ? interaction.is_correct : null,
      reminded_at: null,
      remind_at: remindAt,
      created_at: now,
    }),
    bump(1),
  ]);
  if (bumped.status === "rejected" || !bumped.value) {
    if (inserted.status === "fulfilled") await StoryInteractionModel.deleteOne({ _id: inserted.value._id });
    throw bumped.status === "rejected" ? bumped.reason : new Error(`story ${story._id} vanished while recording an interaction`);
  }
  if (inserted.status === "fulfilled") return { story: toStory(bumped.value) };
  await bump(-1);
  if (!isDuplicateKeyError(inserted.reason)) throw inserted.reason;
  const prev = await StoryInteractionModel.findOne({ story_id: story._id, sticker_index: interaction.sticker_index, user_id: userId }).lean();
  if (!prev) throw inserted.reason;
  return { previous: toInteraction(prev) };
}

/** One user's answer rows as their answers per story and sticker index. */
export function interactionsPerStory(rows: Iterable<Row>): Map<string, Map<number, StickerInteraction>> {
  const out = new Map<string, Map<number, StickerInteraction>>();
  for (const row of rows) {
    let perStory = out.get(row.story_id);
    if (!perStory) out.set(row.story_id, (perStory = new Map()));
    perStory.set(row.sticker_index, toInteraction(row));
  }
  return out;
}

export async function listStickerAnswers(storyId: string, stickerIndex: number, after: TimeIdKey | undefined, limit: number) {
  const filter = { story_id: storyId, sticker_index: stickerIndex, ...afterTimeId(after) };
  const rows = await StoryInteractionModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(limit).lean();
  return rows.map((r) => ({ id: String(r._id), user_id: r.user_id, answer: r.answer ?? null, created_at: r.created_at }));
}

/** Countdown subscriptions whose countdown has ended and that were not reminded yet, earliest first. */
export async function dueCountdownSubscriptions(now: Date, limit: number) {
  const rows = await StoryInteractionModel.find({ sticker_type: "countdown", reminded_at: null, remind_at: { $lte: now } })
    .sort({ remind_at: 1, _id: 1 })
    .limit(limit)
    .lean();
  return rows.map((r) => ({ id: String(r._id), story_id: r.story_id, author_id: r.author_id, user_id: r.user_id, sticker_index: r.sticker_index }));
}

/** Claim one reminder: true for exactly one caller even across processes. */
export async function claimCountdownReminder(interactionId: string, now: Date): Promise<boolean> {
  const res = await StoryInteractionModel.updateOne({ _id: oid(interactionId), reminded_at: null }, { $set: { reminded_at: now } });
  return res.modifiedCount === 1;
}

// ---------------------------------------------------------------------------------------------
// Reactions and replies
// ---------------------------------------------------------------------------------------------

/** Upsert the user's reaction; the first reaction by a user bumps reaction_count (distinct reacting users). */
export async function upsertReaction(
  story: Pick<StoryRow, "_id" | "user_id">,
  userId: string,
  emoji: string,
  message: string | null,
  now: Date,
): Promise<{ created: boolean; reaction_count: number }> {
  const filter = { story_id: story._id, user_id: userId };
  const update = { $set: { emoji, message, updated_at: now }, $setOnInsert: { author_id: story.user_id, created_at: now } };
  let created: boolean;
  try {
    const res = await StoryReactionModel.updateOne(filter, update, { upsert: true });
    created = res.upsertedCount === 1;
  } catch (err) {
    // two simultaneous first reactions by the same user: one upsert inserts, the other retries as an update
    if (!isDuplicateKeyError(err)) throw err;
    await StoryReactionModel.updateOne(filter, { $set: update.$set });
    created = false;
  }
  if (created) {
    const updated = await StoryModel.findByIdAndUpdate(story._id, { $inc: { reaction_count: 1 } }, { returnDocument: "after", projection: { reaction_count: 1 } }).lean();
    return { created, reaction_count: updated?.reaction_count ?? 0 };
  }
  const current = await StoryModel.findById(story._id, { reaction_count: 1 }).lean();
  return { created, reaction_count: current?.reaction_count ?? 0 };
}

export interface ReplyRow {
  id: string;
  story_id: string;
  author_id: string;
  user_id: string;
  text: string;
  created_at: Date;
}

export async function insertReply(story: Pick<StoryRow, "_id" | "user_id">, userId: string, text: string, now: Date): Promise<ReplyRow> {
  // no uniqueness to wait for: the row and the counter go together (one journal sync)
  const [doc] = await Promise.all([
    StoryReplyModel.create({ story_id: story._id, author_id: story.user_id, user_id: userId, text, created_at: now }),
    StoryModel.updateOne({ _id: story._id }, { $inc: { reply_count: 1 } }),
  ]);
  return { id: String(doc._id), story_id: story._id, author_id: story.user_id, user_id: userId, text, created_at: now };
}

export async function listReplies(storyId: string, after: TimeIdKey | undefined, limit: number): Promise<ReplyRow[]> {
  const filter = { story_id: storyId, ...afterTimeId(after) };
  const rows = await StoryReplyModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(limit).lean();
  return rows.map((r) => ({ id: String(r._id), story_id: r.story_id, author_id: r.author_id, user_id: r.user_id, text: r.text, created_at: r.created_at }));
}

// ---------------------------------------------------------------------------------------------
// Delete, expiry, purge
// ---------------------------------------------------------------------------------------------

/** Apply a soft delete unless already deleted; true when this call deleted it. */
export async function softDeleteStory(id: string, set: { is_deleted: true; deleted_at: Date; updated_at: Date }): Promise<boolean> {
  const res = await StoryModel.updateOne({ _id: oid(id), is_deleted: false }, { $set: set });
  return res.modifiedCount === 1;
}

/** Hide a story pending review, or show it again (moderation); true when it changed. */
export async function setModerationHidden(id: string, hidden: boolean, session?: ClientSession): Promise<boolean> {
  if (!isObjectIdString(id)) return false;
  const res = await StoryModel.updateOne({ _id: oid(id), moderation_hidden: hidden ? { $ne: true } : true }, { $set: { moderation_hidden: hidden } }, session ? { session } : {});
  return res.modifiedCount === 1;
}

/** Live-flagged, undeleted stories whose time is up (the sweep marks them), oldest first. */
export async function findStoriesToExpire(now: Date, limit: number): Promise<StoryRow[]> {
  const rows = await StoryModel.find({ is_expired: false, is_deleted: false, expires_at: { $lte: now } })
    .sort({ expires_at: 1 })
    .limit(limit)
    .lean();
  return rows.map(toStory);
}

/** Mark one story expired; true for exactly one caller. */
export async function markStoryExpired(id: string, set: { is_expired: true; is_archived: boolean; updated_at: Date }): Promise<boolean> {
  const res = await StoryModel.updateOne({ _id: oid(id), is_expired: false }, { $set: set });
  return res.modifiedCount === 1;
}

/**
 * Stories past the retention window (expired before `cutoff`, or soft-deleted before it), in id
 * order after `afterId` — paging by id lets a run walk past highlighted stories it must keep.
 */
export async function findStoriesPastRetention(cutoff: Date, afterId: string | null, limit: number): Promise<StoryRow[]> {
  const rows = await StoryModel.find({
    $or: [{ expires_at: { $lte: cutoff } }, { is_deleted: true, deleted_at: { $lte: cutoff } }],
    ...(afterId ? { _id: { $gt: oid(afterId) } } : {}),
  })
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return rows.map(toStory);
}

/**
 * Which of these stories some highlight holds. The highlights collection belongs to the
 * highlights feature; read it by name so this module does not depend on its model file.
 */
export async function highlightedStoryIds(storyIds: string[]): Promise<Set<string>> {
  if (storyIds.length === 0) return new Set();
  const rows = await mongoose.connection
    .collection("highlights")
    .find({ story_ids: { $in: storyIds } }, { projection: { story_ids: 1 } })
    .toArray();
  const wanted = new Set(storyIds);
  const held = new Set<string>();
  for (const row of rows) for (const id of (row.story_ids ?? []) as string[]) if (wanted.has(id)) held.add(id);
  return held;
}

/** Remove stories and all their engagement rows for good. */
export async function hardDeleteStories(ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await StoryModel.deleteMany({ _id: { $in: ids.map(oid) } });
  await Promise.all([
    StoryViewModel.deleteMany({ story_id: { $in: ids } }),
    StoryInteractionModel.deleteMany({ story_id: { $in: ids } }),
    StoryReactionModel.deleteMany({ story_id: { $in: ids } }),
    StoryReplyModel.deleteMany({ story_id: { $in: ids } }),
  ]);
  return res.deletedCount;
}
