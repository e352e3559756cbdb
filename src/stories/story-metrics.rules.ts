import { round1 } from "./sticker-results.rules";

/**
 * Operator metrics over stories (seed 001's `GET /admin/stories/metrics`), as pure functions of
 * the aggregated figures. Definitions (README "Admin story metrics"):
 *   - the window is [from, to): by default the current UTC day up to now;
 *   - `total_stories_today`: stories posted in the window (deleted ones included: they were posted);
 *   - `active_stories`: stories live at the window's end (not deleted, posted before it, expiring after it);
 *   - `total_views` / `total_reactions`: unique viewers / reacting users summed over the window's stories;
 *   - `engagement_rate`: 100 × (reactions + replies + sticker interactions) / views on the window's
 *     stories, one decimal, 0 with no views;
 *   - `reported_rate`: 100 × window's stories reported at least once / window's stories, one decimal,
 *     0 with no stories;
 *   - `top_creators`: the TOP_CREATORS authors with most stories in the window (then views, then id).
 */

/** Five names fit the dashboard tile the seed draws. */
export const TOP_CREATORS = 5;
/** A window longer than a year is a report, not a metric: refused so one request cannot scan everything. */
export const MAX_WINDOW_DAYS = 366;

export interface MetricsWindow {
  from: Date;
  to: Date;
}

/** The window asked for, with the defaults filled in: from the start of `now`'s UTC day, to now. */
export function metricsWindow(now: Date, from?: Date, to?: Date): MetricsWindow {
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: from ?? dayStart, to: to ?? now };
}

/** The instant `active_stories` is measured at: the window's end, never later than now. */
export function activeAt(window: MetricsWindow, now: Date): Date {
  return window.to.getTime() < now.getTime() ? window.to : now;
}

export interface StoryTotals {
  stories: number;
  views: number;
  reactions: number;
  replies: number;
  interactions: number;
}

export function engagementRate(t: StoryTotals): number {
  return t.views === 0 ? 0 : round1((100 * (t.reactions + t.replies + t.interactions)) / t.views);
}

export function reportedRate(reportedStories: number, stories: number): number {
  return stories === 0 ? 0 : round1((100 * reportedStories) / stories);
}
