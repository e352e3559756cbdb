/**
 * XP and levels: pure rules shared by every experience (stories, live streams, fiction,
 * negotiations). XP is progress, not a currency: it only grows, is never spent, and each award
 * is tied to one event id so a retried event counts once (see progression.service.ts).
 */
import { progressionErrors } from "./progression.errors";

/** How a source turns its `amount` into XP. `per` XP for every `unit` of amount, at least `min`. */
interface XpFormula {
  /** what `amount` counts, for the README table; absent when the source is a fixed award */
  amount?: { what: string; max: number };
  xp: (amount: number) => number;
  describe: string;
}

/**
 * The XP table. Fixed awards are small and frequent actions; amount-based awards scale with what
 * the user put in, with a per-event cap so one forged or buggy event cannot mint a level.
 */
export const XP_SOURCES = {
  /** a viewer watched a live stream; the live feature sends one event per watched stretch */
  stream_watched: {
    amount: { what: "minutes watched in this stretch", max: 240 },
    xp: (minutes) => 2 * minutes,
    describe: "2 XP per minute watched (≤ 240 minutes per event)",
  },
  /** a viewer sent a gift worth `amount` tokens */
  gift_sent: {
    amount: { what: "tokens spent on the gift", max: 1_000_000 },
    xp: (tokens) => Math.max(1, Math.floor(tokens / 10)),
    describe: "1 XP per 10 tokens, at least 1",
  },
  /** a creator received a gift worth `amount` tokens */
  gift_received: {
    amount: { what: "tokens the gift was worth", max: 1_000_000 },
    xp: (tokens) => Math.max(1, Math.floor(tokens / 20)),
    describe: "1 XP per 20 tokens, at least 1",
  },
  /** an author posted (or re-shared) a story */
  story_posted: { xp: () => 10, describe: "10 XP" },
  /** a viewer saw a story for the first time */
  story_viewed: { xp: () => 1, describe: "1 XP, once per story" },
  /** a viewer answered a sticker or reacted (once per story for each of the two) */
  story_interacted: { xp: () => 3, describe: "3 XP, once per story for stickers and once for a reaction" },
  /** a viewer replied to a story */
  story_replied: { xp: () => 5, describe: "5 XP, once per story" },
  /** an author's story was viewed, answered, reacted to or replied to by someone else */
  story_engagement_received: { xp: () => 1, describe: "1 XP per viewer and kind of engagement" },
  /** a reader completed a chapter of a book */
  chapter_completed: { xp: () => 25, describe: "25 XP, once per chapter" },
  /** a brand owner or influencer completed a deal */
  deal_completed: { xp: () => 100, describe: "100 XP to each side, once per deal" },
} satisfies Record<string, XpFormula>;

export type XpSource = keyof typeof XP_SOURCES;
export const XP_SOURCE_NAMES = Object.keys(XP_SOURCES) as XpSource[];

export function isXpSource(value: string): value is XpSource {
  return Object.hasOwn(XP_SOURCES, value);
}

/** XP an event of this source is worth; amount-based sources need an integer amount in 1..max. */
export function xpFor(source: XpSource, amount?: number): number {
  const formula: XpFormula = XP_SOURCES[source];
  if (!formula.amount) {
    if (amount !== undefined) throw progressionErrors.xpAmountNotAllowed(source);
    return formula.xp(1);
  }
  if (amount === undefined || !Number.isInteger(amount) || amount < 1 || amount > formula.amount.max) {
    throw progressionErrors.invalidXpAmount(source, formula.amount.max);
  }
  return formula.xp(amount);
}

// ---------------------------------------------------------------------------------------------
// Level curve
// ---------------------------------------------------------------------------------------------

/** Beyond this the curve would still work, but no one gets there; a bound keeps loops finite. */
export const MAX_LEVEL = 1000;

/**
 * Cumulative XP needed to reach level n: level 1 at 0 XP, then round(100 · (n − 1)^1.5), so each
 * level costs a little more than the previous one (100, 283, 520, 800 … 2700 for level 10).
 */
export function xpForLevel(level: number): number {
  if (!Number.isInteger(level) || level < 1) throw new RangeError(`level must be an integer ≥ 1, got ${level}`);
  return Math.round(100 * Math.pow(level - 1, 1.5));
}

export interface LevelInfo {
  level: number;
  /** cumulative XP at which the current level started */
  level_xp: number;
  /** cumulative XP of the next level (null at MAX_LEVEL) */
  next_level_xp: number | null;
  /** share of the way from this level to the next, in [0, 1) (1 at MAX_LEVEL) */
  level_progress: number;
}

/** The level a total XP puts you on: the highest n with xpForLevel(n) ≤ xp. */
export function levelFor(xp: number): LevelInfo {
  if (!Number.isInteger(xp) || xp < 0) throw new RangeError(`xp must be a non-negative integer, got ${xp}`);
  // the inverse of the curve gives the answer to within one; the loops fix rounding at the edges
  let level = Math.min(MAX_LEVEL, Math.max(1, Math.floor(Math.pow(xp / 100, 2 / 3)) + 1));
  while (level > 1 && xpForLevel(level) > xp) level--;
  while (level < MAX_LEVEL && xpForLevel(level + 1) <= xp) level++;
  const levelXp = xpForLevel(level);
  if (level === MAX_LEVEL) return { level, level_xp: levelXp, next_level_xp: null, level_progress: 1 };
  const next = xpForLevel(level + 1);
  // three decimals: enough for a progress bar, stable in JSON
  const progress = Math.floor(((xp - levelXp) / (next - levelXp)) * 1000) / 1000;
  return { level, level_xp: levelXp, next_level_xp: next, level_progress: progress };
}
