import { findUserById } from "../auth/user.repository";
import { inTransaction, type Session } from "../infra/transaction";
import { logger } from "../logger";
import { boardLeader, submitScores, type SubmitScoreInput } from "../leaderboards/leaderboard.service";
import { isBlockedEitherWay } from "../social/social.service";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { badgeRule, badgesEarned, BADGE_EVENTS, type BadgeEventType, type BadgeRule } from "./badge.rules";
import * as repo from "./progression.repository";
import { isXpSource, levelFor, xpFor, type XpSource } from "./xp.rules";
import { authErrors } from "../auth/auth.errors";
import { progressionErrors } from "./progression.errors";

/**
 * Progression shared by every experience. Features call `awardXp` when something worth XP happened
 * (idempotent by event id) and `recordBadgeEvent` for badges that are not about XP; badges are
 * evaluated in the same transaction as the XP they depend on. Reads: `getProgressionProfile`.
 */

/** Event ids are the caller's idempotency keys, e.g. `gift:<id>`, `chapter:<book>:<n>:<user>`. */
const EVENT_ID = /^[\w:.@|-]{1,200}$/;

export interface BadgeView {
  id: string;
  title: string;
  awarded_at: Date;
}

export interface AwardXpInput {
  userId: string;
  source: XpSource;
  /** minutes, tokens … for the sources that scale (see XP_SOURCES) */
  amount?: number;
  eventId: string;
}

export interface AwardXpResult {
  /** false when this event had already counted for this user (nothing changed) */
  awarded: boolean;
  xp_gained: number;
  xp: number;
  level: number;
  leveled_up: boolean;
  new_badges: BadgeView[];
}

/**
 * Awards for one user run one after another within a process. They all write that user's progress
 * row, so concurrent transactions on it would conflict and retry (a popular author receives a
 * burst of engagement awards at once); queued, each commits first time. Across processes the
 * transaction's conflict retry still keeps them correct.
 */
const userQueues = new Map<string, Promise<unknown>>();

function oneAtATimePerUser<T>(userId: string, fn: () => Promise<T>): Promise<T> {
  const previous = userQueues.get(userId) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  userQueues.set(userId, tail);
  void tail.then(() => {
    if (userQueues.get(userId) === tail) userQueues.delete(userId);
  });
  return run;
}

function badgeView(rule: BadgeRule, awardedAt: Date): BadgeView {
  return { id: rule.id, title: rule.title, awarded_at: awardedAt };
}

async function awardBadges(userId: string, earned: BadgeRule[], eventId: string, now: Date, session: Session): Promise<void> {
  if (earned.length === 0) return;
  const ids = earned.map((b) => b.id);
  await repo.insertBadgeAwards(userId, ids, eventId, now, session);
  await repo.addBadgesToProgress(userId, ids, now, session);
}

/**
 * Inside an award's transaction: add `xp` and the per-source event counts to the user's progress
 * row, and award the badges the new totals earn (recorded under `eventId`).
 */
async function creditProgress(
  userId: string,
  xp: number,
  counts: Partial<Record<XpSource, number>>,
  eventId: string,
  now: Date,
  session: Session,
): Promise<{ xp: number; level: number; earned: BadgeRule[] }> {
  const progress = await repo.incrementProgress(userId, xp, counts, now, session);
  const level = levelFor(progress.xp).level;
  const earned = badgesEarned({ level, counts: progress.counts }, new Set(progress.badge_ids));
  await awardBadges(userId, earned, eventId, now, session);
  return { xp: progress.xp, level, earned };
}

function assertEventId(eventId: string): void {
  if (!EVENT_ID.test(eventId)) throw progressionErrors.invalidEventId();
}

/**
 * Count an event's XP for a user, once. The award record (unique per user and event), the XP
 * counter and any badge it earns commit in one transaction: a retry, a crash or 50 concurrent
 * copies of the event count it exactly once. The XP leaderboards follow after the commit, each
 * idempotent by the same event, and are re-submitted on a replay so a retry repairs them.
 */
export async function awardXp(input: AwardXpInput): Promise<AwardXpResult> {
  if (!isXpSource(input.source)) throw progressionErrors.invalidXpSource(String(input.source));
  assertEventId(input.eventId);
  const xp = xpFor(input.source, input.amount);
  const now = clock.now();
  let result: AwardXpResult;
  let awardedAt = now;
  try {
    result = await oneAtATimePerUser(input.userId, () => inTransaction(async (session) => {
      await repo.insertXpAward(
        { user_id: input.userId, event_id: input.eventId, source: input.source, amount: input.amount ?? null, xp, created_at: now },
        session,
      );
      const credited = await creditProgress(input.userId, xp, { [input.source]: 1 }, input.eventId, now, session);
      return {
        awarded: true,
        xp_gained: xp,
        xp: credited.xp,
        level: credited.level,
        leveled_up: levelFor(credited.xp - xp).level < credited.level,
        new_badges: credited.earned.map((b) => badgeView(b, now)),
      };
    }));
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const previous = await repo.findXpAward(input.userId, input.eventId);
    if (!previous) throw err;
    if (previous.source !== input.source || previous.xp !== xp) {
      throw progressionErrors.xpEventIdReused(input.eventId, previous.source);
    }
    const progress = await repo.findProgress(input.userId);
    result = { awarded: false, xp_gained: 0, xp: progress.xp, level: levelFor(progress.xp).level, leveled_up: false, new_badges: [] };
    awardedAt = previous.created_at;
  }
  await submitXpBoards(input.userId, input.eventId, xp, result.xp, awardedAt);
  return result;
}

/**
 * Many events' XP at once, for background work that arrives in bursts (story engagement: each view
 * gives XP to the viewer and the author). One transaction writes every award record, one progress
 * update per user (the sum of that user's events) and the badges those totals earn; the XP boards
 * follow in one submission. All or nothing: if any event had already counted (a duplicate key),
 * nothing commits and each event goes through `awardXp` on its own, which tells repeats apart. A
 * crash before the commit loses nothing the reconciliation pass does not redo.
 */
export async function awardXpBatch(inputs: readonly AwardXpInput[]): Promise<void> {
  const seen = new Set<string>();
  const batch = inputs.filter((i) => {
    const key = `${i.userId}\u0000${i.eventId}`;
    if (!isXpSource(i.source) || !EVENT_ID.test(i.eventId) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const one = async (i: AwardXpInput) => void (await awardXp(i));
  if (batch.length !== inputs.length) {
    // invalid or repeated inside the batch: each on its own path, which refuses or de-duplicates it
    for (const i of inputs) await one(i);
    return;
  }
  if (batch.length <= 1) return void (batch[0] && (await one(batch[0])));
  const now = clock.now();
  const xpOf = (i: AwardXpInput) => xpFor(i.source, i.amount);
  const byUser = new Map<string, AwardXpInput[]>();
  for (const i of batch) byUser.set(i.userId, [...(byUser.get(i.userId) ?? []), i]);
  let totals: Map<string, number>;
  try {
    totals = await inTransaction(async (session) => {
      await repo.insertXpAwards(
        batch.map((i) => ({ user_id: i.userId, event_id: i.eventId, source: i.source, amount: i.amount ?? null, xp: xpOf(i), created_at: now })),
        session,
      );
      const out = new Map<string, number>();
      for (const [userId, awards] of byUser) {
        const counts: Partial<Record<XpSource, number>> = {};
        for (const a of awards) counts[a.source] = (counts[a.source] ?? 0) + 1;
        const xp = awards.reduce((sum, a) => sum + xpOf(a), 0);
        out.set(userId, (await creditProgress(userId, xp, counts, awards[awards.length - 1]!.eventId, now, session)).xp);
      }
      return out;
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    for (const i of batch) await one(i);
    return;
  }
  const scores = [
    ...batch.flatMap((i) => xpPeriodScores(i.userId, i.eventId, xpOf(i), now)),
    ...[...totals].map(([userId, total]) => xpTotalScore(userId, total, now)),
  ];
  try {
    await submitScores(scores);
  } catch (err) {
    logger.warn({ err, users: [...totals.keys()] }, "XP leaderboard submission failed");
  }
}

/** An event's XP on the day and week boards (leaderboard.rules.ts BOARDS), idempotent by the event. */
function xpPeriodScores(userId: string, eventId: string, xp: number, at: Date): SubmitScoreInput[] {
  // leaderboard event ids are per partition, and one event gives XP to several users (gift: both sides)
  const boardEventId = `xp:${userId}:${eventId}`;
  return [
    { boardId: "xp_daily", userId, score: xp, eventId: boardEventId, at },
    { boardId: "xp_weekly", userId, score: xp, eventId: boardEventId, at },
  ];
}

/** The user's XP total on the all-time board (`best`: a late, lower total changes nothing). */
function xpTotalScore(userId: string, total: number, at: Date): SubmitScoreInput {
  return { boardId: "xp_all_time", userId, score: total, at };
}

/** XP boards: XP per day and week, and the total. */
async function submitXpBoards(userId: string, eventId: string, xp: number, total: number, at: Date): Promise<void> {
  try {
    await submitScores([...xpPeriodScores(userId, eventId, xp, at), xpTotalScore(userId, total, at)]);
  } catch (err) {
    // the XP is committed; a board that missed it is repaired when the caller retries the event
    logger.warn({ err, userId, eventId }, "XP leaderboard submission failed");
  }
}

export interface BadgeEventInput {
  userId: string;
  event: BadgeEventType;
  eventId: string;
}

/** A badge-worthy event that is not about XP (top gifter of a stream …): its badges, awarded once. */
export async function recordBadgeEvent(input: BadgeEventInput): Promise<{ new_badges: BadgeView[] }> {
  if (!(BADGE_EVENTS as readonly string[]).includes(input.event)) throw progressionErrors.invalidBadgeEvent(input.event);
  assertEventId(input.eventId);
  const now = clock.now();
  return oneAtATimePerUser(input.userId, () => inTransaction(async (session) => {
    const progress = await repo.touchProgress(input.userId, now, session);
    const earned = badgesEarned({ level: levelFor(progress.xp).level, counts: progress.counts, event: input.event }, new Set(progress.badge_ids));
    await awardBadges(input.userId, earned, input.eventId, now, session);
    return { new_badges: earned.map((b) => badgeView(b, now)) };
  }));
}

/**
 * When a stream or book board closes (a stream ends), its leader gets the matching badge event:
 * `awardBoardLeader("stream_gifters", streamId, "stream_top_gifter")`. Null when the board is empty.
 */
export async function awardBoardLeader(boardId: string, scopeId: string, event: BadgeEventType): Promise<{ user_id: string; new_badges: BadgeView[] } | null> {
  const leader = await boardLeader(boardId, scopeId);
  if (!leader) return null;
  const { new_badges } = await recordBadgeEvent({ userId: leader.user_id, event, eventId: `${boardId}:${scopeId}:leader` });
  return { user_id: leader.user_id, new_badges };
}

export interface ProgressionProfile {
  user_id: string;
  xp: number;
  level: number;
  level_progress: number;
  next_level_xp: number | null;
  badges: BadgeView[];
}

export async function getProgressionProfile(userId: string): Promise<ProgressionProfile> {
  const [progress, awards] = await Promise.all([repo.findProgress(userId), repo.findBadgeAwards(userId)]);
  const info = levelFor(progress.xp);
  const badges = awards.flatMap((a) => {
    const rule = badgeRule(a.badge_id);
    // a badge retired from the rules stays held but is no longer shown
    return rule ? [badgeView(rule, a.awarded_at)] : [];
  });
  return { user_id: userId, xp: progress.xp, level: info.level, level_progress: info.level_progress, next_level_xp: info.next_level_xp, badges };
}

/** Another user's profile: 404 for an unknown user and for a blocked pair, as everywhere. */
export async function getUserProgressionProfile(viewerId: string, userId: string): Promise<ProgressionProfile> {
  const user = await findUserById(userId);
  if (!user || (viewerId !== userId && (await isBlockedEitherWay(viewerId, userId)))) throw authErrors.userNotFound();
  return getProgressionProfile(userId);
}
