import type { Mood, Reaction } from "./mood.rules";

/**
 * Creator analytics on plain data: the rolling per-minute rates the creator sees live in the room,
 * when a mood snapshot goes into the replay log, and the after-stream summary from what was recorded.
 */

/** Live rates look at the last minute, in one-second buckets. */
const WINDOW_MS = 60_000;
const BUCKET_MS = 1000;

/** A sum over the last minute (chat lines, tokens), in O(60) memory whatever the traffic. */
export class RollingMinute {
  private readonly buckets = new Map<number, number>();

  add(amount: number, at: number): void {
    const b = Math.floor(at / BUCKET_MS);
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + amount);
  }

  /** The sum of the minute ending at `now`. */
  total(now: number): number {
    const oldest = Math.floor((now - WINDOW_MS) / BUCKET_MS);
    let sum = 0;
    for (const [b, v] of this.buckets) {
      if (b <= oldest) this.buckets.delete(b);
      else sum += v;
    }
    return sum;
  }
}

/** Mood snapshots for the replay: on a steady cadence while anyone reacts, and whenever the dominant reaction changes. */
export const MOOD_SNAPSHOT_EVERY_MS = 10_000;

export function moodSnapshotDue(last: { at: number; dominant: string } | undefined, mood: Mood, now: number): boolean {
  if (!last) return mood.intensity > 0;
  if (mood.dominant !== last.dominant) return true;
  return mood.intensity > 0 && now - last.at >= MOOD_SNAPSHOT_EVERY_MS;
}

/** What the shards recorded for one stream (src/live/stream-stats.model.ts) and its event log. */
export interface RecordedStream {
  startedAt: number;
  endedAt: number;
  peakViewers: number;
  /** Σ viewers × ms over the sampled time, and the time sampled */
  viewerMs: number;
  sampledMs: number;
  /** watch time per distinct viewer (ms) */
  watchMs: number[];
  chatLines: number;
  /** reactions per minute since the start (index = minute) */
  reactionMinutes: Record<string, number>;
  moods: { offset_ms: number; dominant: Reaction | ""; intensity: number }[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function summarizeStream(r: RecordedStream) {
  const durationMs = Math.max(0, r.endedAt - r.startedAt);
  const minutes = durationMs / 60_000;
  const perMinute = (n: number) => (minutes > 0 ? round2(n / Math.max(minutes, 1 / 60)) : 0);
  const reactions = Object.values(r.reactionMinutes).reduce((s, n) => s + n, 0);
  const watched = r.watchMs.reduce((s, n) => s + n, 0);
  return {
    duration_s: Math.round(durationMs / 1000),
    peak_viewers: r.peakViewers,
    average_viewers: r.sampledMs > 0 ? round2(r.viewerMs / r.sampledMs) : 0,
    unique_viewers: r.watchMs.length,
    average_watch_time_s: r.watchMs.length > 0 ? Math.round(watched / r.watchMs.length / 1000) : 0,
    chat_lines: r.chatLines,
    chat_lines_per_minute: perMinute(r.chatLines),
    reactions,
    reaction_velocity: { per_minute: perMinute(reactions), peak_per_minute: Math.max(0, ...Object.values(r.reactionMinutes)) },
    mood_timeline: r.moods,
  };
}
