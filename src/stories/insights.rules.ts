import { round1 } from "./sticker-results.rules";

/**
 * Story insights formulas (author only). The aggregation pipelines count raw figures (views,
 * unique viewers, replies, reactions, sticker interactions, views per hour, followers at posting
 * time); these functions turn them into the figures the author sees. Every percentage and score
 * is rounded to one decimal.
 *
 * Definitions (kept from the original service's response):
 *   total_interactions = sum of sticker interactions (votes, quiz answers, question answers,
 *                        slider responses, countdown subscriptions). Replies and reactions are
 *                        reported beside it, not inside it.
 *   interaction_rate   = total_interactions / unique_viewers × 100
 *   reach_percentage   = unique_viewers / followers_at_time × 100, where followers_at_time is the
 *                        author's follower count snapshotted on the story when it was posted
 *                        (stories.audience_size), so later follows do not change a story's reach.
 *                        Not capped: a public story seen by non-followers can reach more than
 *                        100 % of the follower count.
 */

export function reachPercentage(uniqueViewers: number, followersAtTime: number): number {
  if (followersAtTime <= 0) return 0;
  return round1((uniqueViewers * 100) / followersAtTime);
}

export function interactionRate(totalInteractions: number, uniqueViewers: number): number {
  if (uniqueViewers <= 0) return 0;
  return round1((totalInteractions * 100) / uniqueViewers);
}

/** The hour with the most views; ties go to the earliest hour; null with no views. */
export function peakViewingHour(viewsByHour: Readonly<Record<string | number, number>>): number | null {
  let best: number | null = null;
  let bestViews = 0;
  for (const [hour, views] of Object.entries(viewsByHour)) {
    const h = Number(hour);
    if (views > bestViews || (views === bestViews && views > 0 && best !== null && h < best)) {
      best = h;
      bestViews = views;
    }
  }
  return best;
}

/**
 * Engagement score weights: effort a viewer put in. A sticker tap is one gesture; a reaction
 * picks an emoji (and may add a message); a reply is a written message to the author.
 */
export const ENGAGEMENT_WEIGHTS = Object.freeze({ sticker_interaction: 1, reaction: 2, reply: 3 });

/** The formula as the README quotes it. */
export const ENGAGEMENT_SCORE_FORMULA =
  "engagement_score = min(100, 100 × (1 × sticker_interactions + 2 × reactions + 3 × replies) / (3 × unique_viewers)), " +
  "rounded to one decimal; 0 when nobody viewed. 100 means the equivalent of every unique viewer replying.";

export interface EngagementFigures {
  unique_viewers: number;
  /** total sticker interactions */
  sticker_interactions: number;
  reactions: number;
  replies: number;
}

/**
 * engagement_score = min(100, 100 × (1·I + 2·R + 3·P) / (3·V)), one decimal, 0 when V = 0,
 * where V unique viewers, I sticker interactions, R reactions, P replies. Dividing by the top
 * weight × viewers makes 100 "every viewer replied" and keeps scores comparable between a story
 * seen by 50 people and one seen by 50,000.
 */
export function engagementScore(f: EngagementFigures): number {
  if (f.unique_viewers <= 0) return 0;
  const w = ENGAGEMENT_WEIGHTS;
  const weighted = w.sticker_interaction * f.sticker_interactions + w.reaction * f.reactions + w.reply * f.replies;
  return Math.min(100, round1((100 * weighted) / (w.reply * f.unique_viewers)));
}

export interface ViewerActivity {
  user_id: string;
  /** sticker interactions + reactions + replies by this viewer on the story */
  interactions: number;
  viewed_at: Date;
}

/** Most engaged viewers first; ties: the earlier viewer first, then user id. Top 10 by default. */
export function topViewers(rows: readonly ViewerActivity[], limit = 10): ViewerActivity[] {
  return [...rows]
    .sort(
      (a, b) =>
        b.interactions - a.interactions ||
        a.viewed_at.getTime() - b.viewed_at.getTime() ||
        (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0),
    )
    .slice(0, limit);
}

/** The raw figures the pipelines produce for one story. */
export interface StoryInsightFigures {
  story_id: string;
  total_views: number;
  unique_viewers: number;
  /** The author's follower count when the story was posted (`audience_size`; the current count for older rows without it). */
  followers_at_time: number;
  replies: number;
  reactions: number;
  /** Per sticker, keyed `sticker_<index>_<type>` (see `stickerInteractionCounts`). */
  sticker_interactions: Record<string, number>;
  views_by_hour: Record<string, number>;
}

export interface StoryInsights extends StoryInsightFigures {
  reach_percentage: number;
  total_interactions: number;
  interaction_rate: number;
  peak_viewing_hour: number | null;
  engagement_score: number;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function computeStoryInsights(f: StoryInsightFigures): StoryInsights {
  const total = sum(Object.values(f.sticker_interactions));
  return {
    ...f,
    reach_percentage: reachPercentage(f.unique_viewers, f.followers_at_time),
    total_interactions: total,
    interaction_rate: interactionRate(total, f.unique_viewers),
    peak_viewing_hour: peakViewingHour(f.views_by_hour),
    engagement_score: engagementScore({
      unique_viewers: f.unique_viewers,
      sticker_interactions: total,
      reactions: f.reactions,
      replies: f.replies,
    }),
  };
}

export interface UserInsights {
  story_count: number;
  total_views: number;
  /** Sum of each story's unique viewers (viewer-story pairs). */
  unique_views: number;
  /** Distinct people across all stories, when the pipeline counted it; else null (cannot be derived from per-story figures). */
  distinct_viewers: number | null;
  average_unique_viewers: number;
  /** Mean of the per-story reach percentages (each against its own follower count). */
  average_reach_percentage: number;
  replies: number;
  reactions: number;
  total_interactions: number;
  /** total_interactions / unique_views × 100 */
  interaction_rate: number;
  /** Per sticker type: `{ poll: 210, quiz: 78 }`. */
  interactions_by_sticker_type: Record<string, number>;
  views_by_hour: Record<string, number>;
  peak_viewing_hour: number | null;
  /** The same formula on the summed figures (a unique-viewer-weighted mean of the story scores, capped at 100). */
  engagement_score: number;
  /** Highest engagement score; ties: more unique viewers, then story id. Null with no stories. */
  top_story_id: string | null;
}

/** Combine per-story figures (e.g. all stories in a date range) into the author's summary. */
export function mergeUserInsights(
  perStory: readonly StoryInsightFigures[],
  distinctViewers: number | null = null,
): UserInsights {
  const stories = perStory.map(computeStoryInsights);
  const uniqueViews = sum(stories.map((s) => s.unique_viewers));
  const totalInteractions = sum(stories.map((s) => s.total_interactions));
  const replies = sum(stories.map((s) => s.replies));
  const reactions = sum(stories.map((s) => s.reactions));
  const viewsByHour: Record<string, number> = {};
  const byType: Record<string, number> = {};
  for (const s of stories) {
    for (const [h, v] of Object.entries(s.views_by_hour)) viewsByHour[h] = (viewsByHour[h] ?? 0) + v;
    for (const [key, v] of Object.entries(s.sticker_interactions)) {
      const type = key.replace(/^sticker_\d+_/, "");
      byType[type] = (byType[type] ?? 0) + v;
    }
  }
  const top = [...stories].sort(
    (a, b) =>
      b.engagement_score - a.engagement_score ||
      b.unique_viewers - a.unique_viewers ||
      (a.story_id < b.story_id ? -1 : a.story_id > b.story_id ? 1 : 0),
  )[0];
  const n = stories.length;
  return {
    story_count: n,
    total_views: sum(stories.map((s) => s.total_views)),
    unique_views: uniqueViews,
    distinct_viewers: distinctViewers,
    average_unique_viewers: n === 0 ? 0 : round1(uniqueViews / n),
    average_reach_percentage: n === 0 ? 0 : round1(sum(stories.map((s) => s.reach_percentage)) / n),
    replies,
    reactions,
    total_interactions: totalInteractions,
    interaction_rate: interactionRate(totalInteractions, uniqueViews),
    interactions_by_sticker_type: byType,
    views_by_hour: viewsByHour,
    peak_viewing_hour: peakViewingHour(viewsByHour),
    engagement_score: engagementScore({
      unique_viewers: uniqueViews,
      sticker_interactions: totalInteractions,
      reactions,
      replies,
    }),
    top_story_id: top?.story_id ?? null,
  };
}
