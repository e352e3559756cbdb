import { clock } from "../shared/clock";
import type { Page, PageQuery } from "../shared/pagination";
import { findUsersByIds } from "../auth/user.repository";
import { followerCount } from "../social/social.service";
import { loadAuthoredStory, seenBy } from "../stories/story.service";
import type { StickerDoc } from "../stories/story.types";
import { isInteractiveStickerType } from "../stories/story.types";
import { stickerInteractionCounts, stickerInteractionKey, stickerResults, type StickerResults } from "../stories/sticker-results.rules";
import {
  computeStoryInsights,
  mergeUserInsights,
  topViewers,
  type StoryInsightFigures,
  type UserInsights,
  type ViewerActivity,
} from "../stories/insights.rules";
import * as repo from "./insights.repository";
import type { InsightStory, StickerCount, StoryCounts } from "./insights.repository";
import type { UserInsightsQuery } from "./insights.schemas";
import { insightsErrors } from "./insights.errors";

/**
 * Viewers and insights, for the story's author only — the story service's author check (one path):
 * NotFoundError for a missing or deleted story and for one the caller may not see (its existence
 * is not revealed), ForbiddenError `not_story_author` for someone who may see it. Raw counts come from aggregation pipelines
 * (insights.repository.ts); every derived figure comes from the pure formulas in
 * stories/insights.rules.ts and stories/sticker.rules.ts:
 *
 *   total_views        Σ story_views.view_count (repeat opens count)
 *   unique_viewers     number of story_views rows (one per viewer)
 *   views_by_hour      viewers by UTC hour of their first view
 *   reach_percentage   unique_viewers / the author's follower count when the story was posted
 *                      (`audience_size`, snapshotted at creation; the current count for older rows
 *                      without it) × 100 (1 decimal, 0 without followers, not capped: public
 *                      stories reach non-followers)
 *   total_interactions sticker interactions only (votes, quiz answers, question answers, slider
 *                      responses, countdown subscriptions), as in the original service's example
 *                      (156 + 78 = 234); `replies` and `reactions` are reported beside it
 *   interaction_rate   total_interactions / unique_viewers × 100
 *   engagement_score   ENGAGEMENT_SCORE_FORMULA: min(100, 100 × (1·stickers + 2·reactions + 3·replies) / (3·unique_viewers))
 *   top_viewers        by sticker interactions + reactions + replies on the story; ties: earlier viewer
 */

/** The seen-by page and top-viewers list show people; ten is what fits the insights screen. */
export const TOP_VIEWERS = 10;
/** Per-story summaries in user insights: the ten most engaging, the rest are in the totals. */
export const TOP_STORIES = 10;
/** Default user-insights window: a week, the period creators compare against. */
export const DEFAULT_RANGE_DAYS = 7;
/**
 * Longest window: a quarter. Every story in the window is aggregated per request, so the window
 * bounds the work; longer trends belong to an offline report, not a live endpoint.
 */
export const MAX_RANGE_DAYS = 90;
/** Longest life a story can have had (STORY_EXPIRY_HOURS is capped at 168), so range lookups never miss one. */
const MAX_STORY_LIFETIME_MS = 168 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
/** For someone who interacted without a recorded view: ranked after every viewer on ties. */
const NEVER = new Date(8.64e15);

// ---------------------------------------------------------------------------------------------
// Seen by
// ---------------------------------------------------------------------------------------------

export interface SeenByItem {
  user_id: string;
  username: string | null;
  display_name: string | null;
  viewed_at: Date;
  view_count: number;
}

/**
 * Who viewed the story, newest first view first, with how often each opened it. Paging and the
 * author check are the story service's `seenBy` (one path); this adds the display name and the
 * per-viewer open count for the page's rows (two indexed lookups bounded by the page size).
 */
export async function storyViewers(authorId: string, storyId: string, page: PageQuery): Promise<Page<SeenByItem>> {
  const seen = await seenBy(authorId, storyId, page);
  const viewerIds = seen.items.map((i) => i.user_id);
  const [views, users] = await Promise.all([repo.viewsOf(storyId, viewerIds), findUsersByIds(viewerIds)]);
  const counts = new Map(views.map((v) => [v.viewer_id, v.view_count]));
  const names = new Map(users.map((u) => [u.id, u.display_name]));
  return {
    next_cursor: seen.next_cursor,
    items: seen.items.map((i) => ({
      user_id: i.user_id,
      username: i.username,
      display_name: names.get(i.user_id) ?? null,
      viewed_at: i.viewed_at,
      // a row listed by seenBy has at least its first view, even if it vanished since (story purge)
      view_count: counts.get(i.user_id) ?? 1,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Story insights
// ---------------------------------------------------------------------------------------------

/** The story's sticker with its tallies rebuilt from the aggregated interaction rows. */
function talliedSticker(sticker: StickerDoc, counts: StickerCount | undefined, votes: Map<number, number> | undefined): StickerDoc {
  const n = counts?.count ?? 0;
  switch (sticker.sticker_type) {
    case "poll":
      return {
        ...sticker,
        poll: { ...sticker.poll, options: sticker.poll.options.map((o, k) => ({ ...o, votes: votes?.get(k) ?? 0 })), total_votes: n },
      };
    case "quiz":
      return {
        ...sticker,
        quiz: {
          ...sticker.quiz,
          options: sticker.quiz.options.map((o, k) => ({ ...o, votes: votes?.get(k) ?? 0 })),
          total_answers: n,
          correct_answers: counts?.correct ?? 0,
        },
      };
    case "question":
      return { ...sticker, question: { ...sticker.question, answer_count: n } };
    case "slider":
      return { ...sticker, slider: { ...sticker.slider, response_count: n, value_sum: counts?.value_sum ?? 0 } };
    case "countdown":
      return { ...sticker, countdown: { ...sticker.countdown, subscriber_count: n } };
    default:
      return sticker;
  }
}

function talliedStickers(story: InsightStory, counts: StoryCounts, votes?: Map<number, Map<number, number>>): StickerDoc[] {
  return story.stickers.map((s, i) => talliedSticker(s, counts.stickers.get(i), votes?.get(i)));
}

/** `currentFollowers` stands in for the snapshot on rows stored before `audience_size` existed. */
function figuresOf(story: InsightStory, counts: StoryCounts, currentFollowers: number): StoryInsightFigures {
  return {
    story_id: story._id,
    total_views: counts.total_views,
    unique_viewers: counts.unique_viewers,
    followers_at_time: story.audience_size ?? currentFollowers,
    replies: counts.replies,
    reactions: counts.reactions,
    sticker_interactions: stickerInteractionCounts(talliedStickers(story, counts)),
    views_by_hour: counts.views_by_hour,
  };
}

export interface TopViewer {
  user_id: string;
  username: string | null;
  display_name: string | null;
  /** sticker interactions + reactions + replies on this story */
  interactions: number;
  viewed_at: Date | null;
}

export interface StoryInsightsJson {
  story_id: string;
  total_views: number;
  unique_viewers: number;
  reach_percentage: number;
  total_interactions: number;
  interaction_rate: number;
  replies: number;
  reactions: number;
  views_by_hour: Record<string, number>;
  peak_viewing_hour: number | null;
  sticker_interactions: Record<string, number>;
  sticker_results: Record<string, StickerResults>;
  top_viewers: TopViewer[];
  engagement_score: number;
}

/**
 * Most engaged people on a story. Candidates: everyone who interacted, plus the earliest viewers
 * (a viewer with no interaction can only make the top list through the "earlier viewer" tie-break,
 * so the first TOP_VIEWERS viewers are the only ones that can).
 */
async function storyTopViewers(storyId: string): Promise<TopViewer[]> {
  const [byUser, earliest] = await Promise.all([repo.interactionsByUser(storyId), repo.earliestViews(storyId, TOP_VIEWERS)]);
  const views = new Map(earliest.map((v) => [v.viewer_id, v.first_viewed_at]));
  const missing = [...byUser.keys()].filter((id) => !views.has(id));
  for (const v of await repo.viewsOf(storyId, missing)) views.set(v.viewer_id, v.first_viewed_at);
  const candidates: ViewerActivity[] = [...new Set([...byUser.keys(), ...views.keys()])].map((user_id) => ({
    user_id,
    interactions: byUser.get(user_id) ?? 0,
    viewed_at: views.get(user_id) ?? NEVER,
  }));
  const top = topViewers(candidates, TOP_VIEWERS);
  const users = new Map((await findUsersByIds(top.map((t) => t.user_id))).map((u) => [u.id, u]));
  return top.map((t) => ({
    user_id: t.user_id,
    username: users.get(t.user_id)?.username ?? null,
    display_name: users.get(t.user_id)?.display_name ?? null,
    interactions: t.interactions,
    viewed_at: t.viewed_at === NEVER ? null : t.viewed_at,
  }));
}

export async function storyInsights(authorId: string, storyId: string): Promise<StoryInsightsJson> {
  const story = await loadAuthoredStory(authorId, storyId);
  const [counts, votes, followers, top] = await Promise.all([
    repo.engagementCounts([storyId]),
    repo.optionVotes(storyId),
    // the snapshot when the story has one; older rows fall back to today's count
    story.audience_size ?? followerCount(authorId),
    storyTopViewers(storyId),
  ]);
  const c = counts.perStory.get(storyId)!;
  const insights = computeStoryInsights(figuresOf(story, c, followers));
  const sticker_results: Record<string, StickerResults> = {};
  talliedStickers(story, c, votes).forEach((s, i) => {
    if (isInteractiveStickerType(s.sticker_type)) sticker_results[stickerInteractionKey(i, s.sticker_type)] = stickerResults(s);
  });
  return {
    story_id: insights.story_id,
    total_views: insights.total_views,
    unique_viewers: insights.unique_viewers,
    reach_percentage: insights.reach_percentage,
    total_interactions: insights.total_interactions,
    interaction_rate: insights.interaction_rate,
    replies: insights.replies,
    reactions: insights.reactions,
    views_by_hour: insights.views_by_hour,
    peak_viewing_hour: insights.peak_viewing_hour,
    sticker_interactions: insights.sticker_interactions,
    sticker_results,
    top_viewers: top,
    engagement_score: insights.engagement_score,
  };
}

// ---------------------------------------------------------------------------------------------
// User insights
// ---------------------------------------------------------------------------------------------

/** One story's line in user insights: its headline figures, without the per-hour and per-sticker detail. */
export type StorySummary = { story_type: string; created_at: Date } & Pick<
  StoryInsightsJson,
  | "story_id"
  | "total_views"
  | "unique_viewers"
  | "reach_percentage"
  | "total_interactions"
  | "interaction_rate"
  | "replies"
  | "reactions"
  | "engagement_score"
>;

export type UserInsightsJson = { from: Date; to: Date; follower_count: number } & UserInsights & { top_stories: StorySummary[] };

/** [from, to) from the query: default the last 7 days up to now; from < to; at most 90 days. */
export function insightsRange(query: UserInsightsQuery, now: Date): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) throw insightsErrors.invalidRange({ from, to });
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw insightsErrors.rangeTooLong(MAX_RANGE_DAYS, { max_days: MAX_RANGE_DAYS });
  }
  return { from, to };
}

/** The author's insights over their stories created in the range, with the ten most engaging stories. */
export async function userInsights(authorId: string, query: UserInsightsQuery): Promise<UserInsightsJson> {
  const { from, to } = insightsRange(query, clock.now());
  const [stories, followers] = await Promise.all([
    repo.findAuthorStoriesCreatedBetween(authorId, from, to, MAX_STORY_LIFETIME_MS),
    followerCount(authorId),
  ]);
  const counts = await repo.engagementCounts(stories.map((s) => s._id));
  const figures = stories.map((s) => figuresOf(s, counts.perStory.get(s._id)!, followers));
  const summary = mergeUserInsights(figures, counts.distinctViewers);
  const byId = new Map(stories.map((s) => [s._id, s]));
  const top_stories = figures
    .map(computeStoryInsights)
    .sort(
      (a, b) =>
        b.engagement_score - a.engagement_score ||
        b.unique_viewers - a.unique_viewers ||
        (a.story_id < b.story_id ? -1 : a.story_id > b.story_id ? 1 : 0),
    )
    .slice(0, TOP_STORIES)
    .map((s) => ({
      story_id: s.story_id,
      story_type: byId.get(s.story_id)!.story_type,
      created_at: byId.get(s.story_id)!.created_at,
      total_views: s.total_views,
      unique_viewers: s.unique_viewers,
      reach_percentage: s.reach_percentage,
      total_interactions: s.total_interactions,
      interaction_rate: s.interaction_rate,
      replies: s.replies,
      reactions: s.reactions,
      engagement_score: s.engagement_score,
    }));
  return { from, to, follower_count: followers, ...summary, top_stories };
}
