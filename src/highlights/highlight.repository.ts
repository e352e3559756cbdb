import { Types } from "mongoose";
import { isObjectIdString } from "../shared/ids";
import { StoryModel } from "../stories/story.model";
import type { StoryDoc, StoryFrame } from "../stories/story.types";
import { HighlightModel } from "./highlight.model";
import type { HighlightDoc } from "./highlight.rules";

/**
 * Persistence for highlights, returning plain objects with string ids. Stories are read through
 * the story model (the collections contract), only the fields a highlight shows or checks.
 */
export type StoredHighlight = HighlightDoc & { _id: string };

/** A story as a highlight needs it: ownership/deletion checks, privacy, and the frame the reel plays. */
export type HighlightStoryRow = StoryFrame &
  Pick<StoryDoc, "user_id" | "privacy" | "custom_viewer_ids" | "hidden_from_ids" | "is_deleted" | "created_at"> & { _id: string };

type Row = Record<string, any>;

function toHighlight(row: Row): StoredHighlight {
  return {
    _id: String(row._id),
    user_id: row.user_id,
    title: row.title,
    description: row.description ?? null,
    cover: {
      story_id: row.cover?.story_id ?? null,
      media_url: row.cover?.media_url ?? null,
      emoji: row.cover?.emoji ?? null,
      color: row.cover?.color ?? null,
    },
    story_ids: row.story_ids ?? [],
    story_count: row.story_count ?? (row.story_ids ?? []).length,
    is_archived: row.is_archived ?? false,
    is_pinned: row.is_pinned ?? false,
    order_index: row.order_index,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

const STORY_FIELDS = {
  user_id: 1,
  story_type: 1,
  media_id: 1,
  media_url: 1,
  thumbnail_url: 1,
  text_content: 1,
  background_color: 1,
  background_gradient: 1,
  duration: 1,
  music: 1,
  caption: 1,
  workout_data: 1,
  achievement_data: 1,
  privacy: 1,
  custom_viewer_ids: 1,
  hidden_from_ids: 1,
  is_deleted: 1,
  created_at: 1,
} as const;

export async function insertHighlight(doc: HighlightDoc): Promise<StoredHighlight> {
  const { _id: _ignored, ...fields } = doc;
  const created = await HighlightModel.create(fields);
  return toHighlight(created.toObject());
}

export async function findHighlightById(id: string): Promise<StoredHighlight | null> {
  if (!isObjectIdString(id)) return null;
  const row = await HighlightModel.findById(id).lean();
  return row ? toHighlight(row) : null;
}

/** All of a user's highlights, by order_index (bounded by MAX_HIGHLIGHTS_PER_USER). */
export async function findHighlightsByUser(userId: string): Promise<StoredHighlight[]> {
  const rows = await HighlightModel.find({ user_id: userId }).sort({ order_index: 1, _id: 1 }).lean();
  return rows.map(toHighlight);
}

/**
 * Write a highlight's new state computed from `previous`, only if its story list is still the one
 * the computation read (compare-and-set): two concurrent add/remove requests cannot overwrite
 * each other's change. Returns the stored highlight, or null if it changed or vanished meanwhile.
 */
export async function saveHighlight(previous: StoredHighlight, next: HighlightDoc): Promise<StoredHighlight | null> {
  const row = await HighlightModel.findOneAndUpdate(
    { _id: new Types.ObjectId(previous._id), user_id: previous.user_id, story_ids: previous.story_ids },
    {
      $set: {
        title: next.title,
        description: next.description,
        cover: next.cover,
        story_ids: next.story_ids,
        story_count: next.story_count,
        is_archived: next.is_archived,
        is_pinned: next.is_pinned,
        order_index: next.order_index,
        updated_at: next.updated_at,
      },
    },
    { returnDocument: "after" },
  ).lean();
  return row ? toHighlight(row) : null;
}

export async function deleteHighlightById(id: string, ownerId: string): Promise<boolean> {
  const res = await HighlightModel.deleteOne({ _id: new Types.ObjectId(id), user_id: ownerId });
  return res.deletedCount === 1;
}

/** Persist new positions in one round trip; the owner filter keeps a request to its own highlights. */
export async function setOrderIndexes(ownerId: string, order: readonly { _id: string; order_index: number }[], now: Date): Promise<void> {
  if (order.length === 0) return;
  await HighlightModel.bulkWrite(
    order.map((o) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(o._id), user_id: ownerId },
        update: { $set: { order_index: o.order_index, updated_at: now } },
      },
    })),
    { ordered: false },
  );
}

/** Stories by id (any owner, deleted or not: the rules decide what is acceptable or visible). */
export async function findStoriesByIds(ids: readonly string[]): Promise<HighlightStoryRow[]> {
  const valid = [...new Set(ids)].filter(isObjectIdString).map((id) => new Types.ObjectId(id));
  if (valid.length === 0) return [];
  const rows = await StoryModel.find({ _id: { $in: valid } }, STORY_FIELDS).lean();
  return rows.map((r) => ({ ...(r as Row), _id: String(r._id) }) as HighlightStoryRow);
}
