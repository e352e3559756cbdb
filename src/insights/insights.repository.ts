import {
  StoryInteractionModel,
  StoryModel,
  StoryReactionModel,
  StoryReplyModel,
  StoryViewModel,
} from "../stories/story.model";
import type { StoryDoc } from "../stories/story.types";

/**
 * Read-only aggregation over the engagement collections (story_views, story_interactions,
 * story_reactions, story_replies — see story.model.ts). Every pipeline starts with a `$match` on
 * `story_id` (the leading field of an index in each collection) and returns grouped counts, never
 * the engagement documents themselves, so the work and the transfer grow with the number of
 * stories/stickers/hours, not with the number of views.
 */

export type InsightStory = Pick<StoryDoc, "user_id" | "story_type" | "stickers" | "is_deleted" | "created_at" | "audience_size"> & { _id: string };

const INSIGHT_STORY_FIELDS = { user_id: 1, story_type: 1, stickers: 1, is_deleted: 1, created_at: 1, audience_size: 1 } as const;

type Row = Record<string, any>;

function toInsightStory(r: Row): InsightStory {
  return {
    _id: String(r._id),
    user_id: r.user_id,
    story_type: r.story_type,
    stickers: r.stickers ?? [],
    is_deleted: r.is_deleted,
    created_at: r.created_at,
    audience_size: r.audience_size ?? null,
  };
}

/**
 * An author's (not deleted) stories created in [from, to), oldest first. The `expires_at` bounds
 * let the query ride the (user_id, expires_at) index: a story expires after it is created and at
 * most `maxLifetimeMs` later, so every story created in the range expires in (from, to + max].
 */
export async function findAuthorStoriesCreatedBetween(
  authorId: string,
  from: Date,
  to: Date,
  maxLifetimeMs: number,
): Promise<InsightStory[]> {
  const rows = await StoryModel.find(
    {
      user_id: authorId,
      expires_at: { $gt: from, $lte: new Date(to.getTime() + maxLifetimeMs) },
      created_at: { $gte: from, $lt: to },
      is_deleted: false,
    },
    INSIGHT_STORY_FIELDS,
  )
    .sort({ expires_at: -1 })
    .lean();
  return rows.map(toInsightStory).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
}

/** Interactions on one sticker: how many, how many quiz answers were right, the sum of slider values. */
export interface StickerCount {
  sticker_type: string;
  count: number;
  correct: number;
  value_sum: number;
}

/** Raw per-story counts, keyed by story id. */
export interface StoryCounts {
  total_views: number;
  unique_viewers: number;
  /** UTC hour of each viewer's first view → viewers */
  views_by_hour: Record<string, number>;
  replies: number;
  reactions: number;
  /** sticker index → its interaction counts */
  stickers: Map<number, StickerCount>;
}

export interface EngagementCounts {
  perStory: Map<string, StoryCounts>;
  /** distinct people who viewed any of the stories */
  distinctViewers: number;
}

function emptyCounts(): StoryCounts {
  return { total_views: 0, unique_viewers: 0, views_by_hour: {}, replies: 0, reactions: 0, stickers: new Map() };
}

/** One pipeline per collection, all four in parallel. */
export async function engagementCounts(storyIds: readonly string[]): Promise<EngagementCounts> {
  const ids = [...new Set(storyIds)];
  const perStory = new Map<string, StoryCounts>(ids.map((id) => [id, emptyCounts()]));
  if (ids.length === 0) return { perStory, distinctViewers: 0 };
  const match = { $match: { story_id: { $in: ids } } };
  const [views, interactions, reactions, replies] = await Promise.all([
    StoryViewModel.aggregate<{
      totals: { _id: string; total_views: number; unique_viewers: number }[];
      by_hour: { _id: { story_id: string; hour: number }; n: number }[];
      distinct: { n: number }[];
    }>([
      match,
      {
        $facet: {
          totals: [{ $group: { _id: "$story_id", total_views: { $sum: "$view_count" }, unique_viewers: { $sum: 1 } } }],
          by_hour: [
            { $group: { _id: { story_id: "$story_id", hour: { $hour: "$first_viewed_at" } }, n: { $sum: 1 } } },
          ],
          distinct: [{ $group: { _id: "$viewer_id" } }, { $count: "n" }],
        },
      },
    ]),
    StoryInteractionModel.aggregate<{
      _id: { story_id: string; sticker_index: number; sticker_type: string };
      n: number;
      correct: number;
      value_sum: number;
    }>([
      match,
      {
        $group: {
          _id: { story_id: "$story_id", sticker_index: "$sticker_index", sticker_type: "$sticker_type" },
          n: { $sum: 1 },
          correct: { $sum: { $cond: [{ $eq: ["$is_correct", true] }, 1, 0] } },
          value_sum: { $sum: { $ifNull: ["$value", 0] } },
        },
      },
    ]),
    StoryReactionModel.aggregate<{ _id: string; n: number }>([match, { $group: { _id: "$story_id", n: { $sum: 1 } } }]),
    StoryReplyModel.aggregate<{ _id: string; n: number }>([match, { $group: { _id: "$story_id", n: { $sum: 1 } } }]),
  ]);
  const facet = views[0] ?? { totals: [], by_hour: [], distinct: [] };
  for (const t of facet.totals) {
    const c = perStory.get(t._id);
    if (c) Object.assign(c, { total_views: t.total_views, unique_viewers: t.unique_viewers });
  }
  for (const h of facet.by_hour) {
    const c = perStory.get(h._id.story_id);
    if (c) c.views_by_hour[String(h._id.hour)] = h.n;
  }
  for (const i of interactions) {
    perStory.get(i._id.story_id)?.stickers.set(i._id.sticker_index, {
      sticker_type: i._id.sticker_type,
      count: i.n,
      correct: i.correct,
      value_sum: i.value_sum,
    });
  }
  for (const r of reactions) {
    const c = perStory.get(r._id);
    if (c) c.reactions = r.n;
  }
  for (const r of replies) {
    const c = perStory.get(r._id);
    if (c) c.replies = r.n;
  }
  return { perStory, distinctViewers: facet.distinct[0]?.n ?? 0 };
}

/** Votes per (sticker, option) of one story, for poll and quiz results. */
export async function optionVotes(storyId: string): Promise<Map<number, Map<number, number>>> {
  const rows = await StoryInteractionModel.aggregate<{ _id: { sticker_index: number; option_index: number }; n: number }>([
    { $match: { story_id: storyId, option_index: { $ne: null } } },
    { $group: { _id: { sticker_index: "$sticker_index", option_index: "$option_index" }, n: { $sum: 1 } } },
  ]);
  const out = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const m = out.get(r._id.sticker_index) ?? new Map<number, number>();
    m.set(r._id.option_index, r.n);
    out.set(r._id.sticker_index, m);
  }
  return out;
}

/** user id → sticker interactions + reactions + replies by that user on one story. */
export async function interactionsByUser(storyId: string): Promise<Map<string, number>> {
  const byUser = [{ $match: { story_id: storyId } }, { $group: { _id: "$user_id", n: { $sum: 1 } } }];
  const parts = await Promise.all([
    StoryInteractionModel.aggregate<{ _id: string; n: number }>(byUser),
    StoryReactionModel.aggregate<{ _id: string; n: number }>(byUser),
    StoryReplyModel.aggregate<{ _id: string; n: number }>(byUser),
  ]);
  const out = new Map<string, number>();
  for (const rows of parts) for (const r of rows) out.set(r._id, (out.get(r._id) ?? 0) + r.n);
  return out;
}

export interface ViewRow {
  _id: string;
  viewer_id: string;
  view_count: number;
  first_viewed_at: Date;
}

/** View rows of the given viewers on a story (unique index story_id + viewer_id). */
export async function viewsOf(storyId: string, viewerIds: readonly string[]): Promise<ViewRow[]> {
  if (viewerIds.length === 0) return [];
  const rows = await StoryViewModel.find(
    { story_id: storyId, viewer_id: { $in: [...viewerIds] } },
    { viewer_id: 1, view_count: 1, first_viewed_at: 1 },
  ).lean();
  return rows.map((r) => ({ _id: String(r._id), viewer_id: r.viewer_id, view_count: r.view_count, first_viewed_at: r.first_viewed_at }));
}

/** The first `limit` viewers of a story, earliest first (the seen-by index read backwards). */
export async function earliestViews(storyId: string, limit: number): Promise<ViewRow[]> {
  const rows = await StoryViewModel.find({ story_id: storyId }, { viewer_id: 1, view_count: 1, first_viewed_at: 1 })
    .sort({ first_viewed_at: 1, _id: 1 })
    .limit(limit)
    .lean();
  return rows.map((r) => ({ _id: String(r._id), viewer_id: r.viewer_id, view_count: r.view_count, first_viewed_at: r.first_viewed_at }));
}
