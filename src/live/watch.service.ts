import { awardXp } from "../progression/progression.service";
import { XP_SOURCES } from "../progression/xp.rules";
import { recordWatchTime } from "./analytics.service";

/** One XP event carries at most this many minutes (the progression rule's own bound). */
const MAX_MINUTES_PER_EVENT = XP_SOURCES.stream_watched.amount.max;

/** Whole minutes watched between joining and leaving a stream's room (a partial minute earns nothing). */
export function watchedMinutes(joinedAt: number, leftAt: number): number {
  return Math.max(0, Math.floor((leftAt - joinedAt) / 60_000));
}

/**
 * A viewer left a stream's room after watching a stretch: add it to their watch time (analytics), award `stream_watched` XP, split into
 * events of at most MAX_MINUTES_PER_EVENT minutes. Idempotent on (stream, viewer, join time), so a
 * retried award counts once. XP is progress, not money: a process that dies while a viewer is
 * watching loses that stretch's XP, never anyone's balance.
 */
export async function recordWatchStretch(stream: { id: string; creator_id: string }, userId: string, joinedAt: number, leftAt: number): Promise<number> {
  const streamId = stream.id;
  await recordWatchTime(stream, userId, leftAt - joinedAt);
  let minutes = watchedMinutes(joinedAt, leftAt);
  let awarded = 0;
  for (let part = 0; minutes > 0; part++) {
    const amount = Math.min(minutes, MAX_MINUTES_PER_EVENT);
    await awardXp({ userId, source: "stream_watched", amount, eventId: `watch:${streamId}:${userId}:${joinedAt}:${part}` });
    awarded += amount;
    minutes -= amount;
  }
  return awarded;
}
