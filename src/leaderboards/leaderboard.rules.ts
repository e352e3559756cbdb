/**
 * Leaderboards as data (Nakama's model): a board has a scope (global, or one per stream / book),
 * a period with a UTC reset schedule, an operator and a sort order. Each season of each scope is
 * its own partition, so a reset is just a new partition and past seasons stay readable as they were.
 *
 * Ranking folds "who got there first" into one number below 2^53, so Redis sorted sets and the
 * store order identically: `composite = score · 2^T + tiebreak`, where the tiebreak grows the
 * earlier the score was reached on a desc board (and the later, on an asc board). Equal composites
 * (same score, same second) fall back to the user id, as Redis does for equal scores.
 */
import { leaderboardErrors } from "./leaderboard.errors";

export type BoardScope = "global" | "stream" | "book";
export type BoardPeriod = "all_time" | "daily" | "weekly" | "monthly";
/** incr: add to the score; best: keep the better score; set: replace it */
export type BoardOperator = "incr" | "best" | "set";
export type BoardOrder = "desc" | "asc";

export interface BoardDefinition {
  id: string;
  title: string;
  scope: BoardScope;
  period: BoardPeriod;
  operator: BoardOperator;
  order: BoardOrder;
  /** what the score counts, for the README */
  unit: string;
}

const board = (def: BoardDefinition) => def;

/** The boards. Fed by the features that own the events (see README "Progression and leaderboards"). */
export const BOARDS: readonly BoardDefinition[] = [
  board({ id: "stream_gifters", title: "Top gifters of a stream", scope: "stream", period: "all_time", operator: "incr", order: "desc", unit: "tokens gifted" }),
  board({ id: "gifters_weekly", title: "Top gifters this week", scope: "global", period: "weekly", operator: "incr", order: "desc", unit: "tokens gifted" }),
  board({ id: "creators_monthly", title: "Top creators this month", scope: "global", period: "monthly", operator: "incr", order: "desc", unit: "tokens received" }),
  board({ id: "xp_daily", title: "Most XP today", scope: "global", period: "daily", operator: "incr", order: "desc", unit: "XP" }),
  board({ id: "xp_weekly", title: "Most XP this week", scope: "global", period: "weekly", operator: "incr", order: "desc", unit: "XP" }),
  board({ id: "xp_all_time", title: "Highest XP", scope: "global", period: "all_time", operator: "best", order: "desc", unit: "total XP" }),
  board({ id: "book_readers", title: "Top readers of a book", scope: "book", period: "all_time", operator: "incr", order: "desc", unit: "chapters completed" }),
  board({ id: "book_fastest", title: "Fastest to finish a book", scope: "book", period: "all_time", operator: "best", order: "asc", unit: "seconds to finish" }),
  board({ id: "deal_ratings_monthly", title: "Best rated influencers this month", scope: "global", period: "monthly", operator: "set", order: "desc", unit: "rating × 100" }),
];

const byId = new Map(BOARDS.map((b) => [b.id, b]));

export function findBoard(id: string): BoardDefinition | undefined {
  return byId.get(id);
}

// ---------------------------------------------------------------------------------------------
// Seasons and resets (all in UTC)
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
export const ALL_TIME_SEASON = "all";

export interface Season {
  id: string;
  starts_at: Date;
  /** when this season ends and the next begins; null for all-time boards */
  resets_at: Date | null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function utcMidnight(at: Date): number {
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
}

/** Monday 00:00 UTC of ISO week 1 of an ISO year: the week holding 4 January. */
function isoWeekOneStart(isoYear: number): number {
  const jan4 = Date.UTC(isoYear, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return jan4 - weekday * DAY_MS;
}

/** The season a moment falls in. Weeks are ISO weeks (Monday 00:00 UTC), e.g. `2026-W49`. */
export function seasonAt(period: BoardPeriod, at: Date): Season {
  switch (period) {
    case "all_time":
      return { id: ALL_TIME_SEASON, starts_at: new Date(ALL_TIME_EPOCH_MS), resets_at: null };
    case "daily": {
      const start = utcMidnight(at);
      return { id: new Date(start).toISOString().slice(0, 10), starts_at: new Date(start), resets_at: new Date(start + DAY_MS) };
    }
    case "weekly": {
      const day = utcMidnight(at);
      const start = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
      // the ISO year is the year of the week's Thursday
      const isoYear = new Date(start + 3 * DAY_MS).getUTCFullYear();
      const week = Math.round((start - isoWeekOneStart(isoYear)) / (7 * DAY_MS)) + 1;
      return { id: `${isoYear}-W${pad(week)}`, starts_at: new Date(start), resets_at: new Date(start + 7 * DAY_MS) };
    }
    case "monthly": {
      const y = at.getUTCFullYear();
      const m = at.getUTCMonth();
      return { id: `${y}-${pad(m + 1)}`, starts_at: new Date(Date.UTC(y, m, 1)), resets_at: new Date(Date.UTC(y, m + 1, 1)) };
    }
  }
}

const SEASON_FORMAT: Record<BoardPeriod, RegExp> = {
  all_time: /^all$/,
  daily: /^(\d{4})-(\d{2})-(\d{2})$/,
  weekly: /^(\d{4})-W(\d{2})$/,
  monthly: /^(\d{4})-(\d{2})$/,
};

/** A season id as written by seasonAt (`2026-12-01`, `2026-W49`, `2026-12`, `all`), or undefined. */
export function parseSeason(period: BoardPeriod, id: string): Season | undefined {
  const m = SEASON_FORMAT[period].exec(id);
  if (!m) return undefined;
  let probe: number;
  if (period === "all_time") probe = ALL_TIME_EPOCH_MS;
  else if (period === "weekly") probe = isoWeekOneStart(Number(m[1])) + (Number(m[2]) - 1) * 7 * DAY_MS;
  else probe = Date.UTC(Number(m[1]), Number(m[2]) - 1, period === "daily" ? Number(m[3]) : 1);
  const season = seasonAt(period, new Date(probe));
  // round-tripping rejects impossible dates and weeks (2026-02-30, 2026-W54)
  return season.id === id ? season : undefined;
}

// ---------------------------------------------------------------------------------------------
// Scores
// ---------------------------------------------------------------------------------------------

/** Ties on all-time boards count seconds from here (2026-01-01T00:00Z); 2^31 s lasts until 2094. */
export const ALL_TIME_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * Bits of the composite given to time, in seconds since the season start: 22 bits (48 days) cover
 * the longest periodic season, 31 bits cover an all-time board for 68 years. The rest is the score.
 */
export function timeBits(period: BoardPeriod): number {
  return period === "all_time" ? 31 : 22;
}

export interface ScoreEncoding {
  /** 2^T: composite = score · base + tiebreak */
  base: number;
  /** the largest score a board of this period holds (2^(53−T) − 1); incr saturates there */
  max_score: number;
}

export function scoreEncoding(period: BoardPeriod): ScoreEncoding {
  const bits = timeBits(period);
  return { base: 2 ** bits, max_score: 2 ** (53 - bits) - 1 };
}

/** The tiebreak for a score reached at `at` in `season`: earlier wins on either order. */
export function tiebreakAt(def: BoardDefinition, season: Season, at: Date): number {
  const { base } = scoreEncoding(def.period);
  const elapsed = Math.min(base - 1, Math.max(0, Math.floor((at.getTime() - season.starts_at.getTime()) / 1000)));
  // desc boards list the biggest composite first, asc boards the smallest
  return def.order === "desc" ? base - 1 - elapsed : elapsed;
}

export function composite(score: number, tiebreak: number, base: number): number {
  return score * base + tiebreak;
}

export function scoreOf(compositeValue: number, base: number): number {
  return Math.floor(compositeValue / base);
}

export interface StoredScore {
  score: number;
  composite: number;
}

/** What a submission needs to know about its board. */
export interface ScoreRule extends ScoreEncoding {
  operator: BoardOperator;
  order: BoardOrder;
}

export function scoreRule(def: BoardDefinition): ScoreRule {
  return { operator: def.operator, order: def.order, ...scoreEncoding(def.period) };
}

/**
 * The operator on plain numbers: what both backends do atomically (a MongoDB pipeline update, a
 * Redis script) and what the shared backend tests compare them against. null = no change: a
 * `best` that is not better, a `set` to the same score (the first to reach it keeps its place).
 */
export function applySubmission(rule: ScoreRule, previous: StoredScore | null, submitted: number, tiebreak: number): StoredScore | null {
  let score: number;
  if (rule.operator === "incr") score = Math.min(rule.max_score, (previous?.score ?? 0) + submitted);
  else {
    score = submitted;
    if (previous) {
      if (rule.operator === "set" && previous.score === score) return null;
      if (rule.operator === "best" && !(rule.order === "desc" ? score > previous.score : score < previous.score)) return null;
    }
  }
  return { score, composite: composite(score, tiebreak, rule.base) };
}

/** Submitted scores are non-negative integers (incr: at least 1) within the board's range. */
export function assertSubmittable(def: BoardDefinition, score: number): void {
  const { max_score } = scoreEncoding(def.period);
  const min = def.operator === "incr" ? 1 : 0;
  if (!Number.isSafeInteger(score) || score < min || score > max_score) {
    throw leaderboardErrors.invalidScore(def.id, min, max_score);
  }
}

/** The scope id a board needs: none on global boards, one (a stream or book id) otherwise. */
export function assertScope(def: BoardDefinition, scopeId: string | undefined): void {
  if (def.scope === "global" && scopeId !== undefined) {
    throw leaderboardErrors.scopeNotAllowed(def.id);
  }
  if (def.scope !== "global" && scopeId === undefined) {
    throw leaderboardErrors.scopeRequired(def.id, def.scope);
  }
}

/** The partition one season of one scope lives in: one Redis key, one slice of the collection. */
export function partitionKey(boardId: string, scopeId: string | undefined, seasonId: string): string {
  return `${boardId}:${scopeId ?? "global"}:${seasonId}`;
}
