import { appendLiveEvent, type LiveEvent } from "./live-events";
import { moodSnapshotDue, RollingMinute } from "./analytics.rules";
import { newFollowersSince, recordReactions, recordViewerPeak, recordViewerSample } from "./analytics.service";
import type { Mood } from "./mood.rules";

/** What the creator's live panel shows (schema/live.state.ts CreatorStatsState). */
export interface CreatorStats {
  viewersNow: number;
  peakViewers: number;
  chatPerMin: number;
  tokensPerMin: number;
  newFollowers: number;
}

interface StreamRef {
  id: string;
  creator_id: string;
  started_at: Date | null;
}

/** How often a shard writes its samples (viewer integral, reactions) and re-counts new followers. */
export const ANALYTICS_FLUSH_MS = 5000;

/**
 * One shard's share of a stream's analytics. Every shard applies every ordered event, so each can
 * show the creator the chat and token rates of the last minute; the stream's lead shard (see
 * ShardCounts.leads) alone samples the summed viewer count and writes mood snapshots (one writer,
 * not one per shard); each shard flushes the reactions of its own viewers. Writes are best-effort:
 * a failure loses a sample, never the room.
 */
export class LiveAnalytics {
  private readonly chat = new RollingMinute();
  private readonly tokens = new RollingMinute();
  private reactions = new Map<number, number>();
  private peak = 0;
  private peakRecorded = 0;
  private newFollowers = 0;
  /** the viewer integral since the last flush: Σ viewers × ms, piecewise between count changes */
  private viewers = 0;
  private viewersSince: number;
  private viewerMs = 0;
  private sampledMs = 0;
  private lastMood: { at: number; dominant: string } | undefined;
  private moodWriting = false;

  constructor(
    /** undefined until the room loaded its stream */
    private readonly stream: () => StreamRef | undefined,
    now: number,
    private readonly warn: (what: string) => (err: unknown) => void,
  ) {
    this.viewersSince = now;
  }

  onEvent(event: LiveEvent, now: number): void {
    if (event.type === "chat") this.chat.add(1, now);
    if (event.type === "gift") this.tokens.add(Number(event.data.tokens ?? 0), now);
  }

  onReaction(now: number): void {
    const start = this.stream()?.started_at?.getTime() ?? now;
    const minute = Math.max(0, Math.floor((now - start) / 60_000));
    this.reactions.set(minute, (this.reactions.get(minute) ?? 0) + 1);
  }

  /** The summed viewer count (now): close the integral's last piece, raise the peak (the stream's too, `$max` over every shard). */
  onViewers(viewers: number, now: number): void {
    const stream = this.stream();
    if (!stream) return;
    const live = stream.started_at !== null;
    const ms = Math.max(0, now - this.viewersSince);
    if (live) {
      this.viewerMs += this.viewers * ms;
      this.sampledMs += ms;
    }
    this.viewers = viewers;
    this.viewersSince = now;
    this.peak = Math.max(this.peak, viewers);
    if (viewers > this.peakRecorded) {
      this.peakRecorded = viewers;
      void recordViewerPeak(stream.id, viewers).catch(this.warn("peak"));
    }
  }

  /** After each mood publish: the lead shard logs a snapshot on the cadence or a dominant change (the replay's mood track). */
  onMood(mood: Mood, lead: boolean, now: number): void {
    const stream = this.stream();
    if (!stream || !lead || !stream.started_at || this.moodWriting || !moodSnapshotDue(this.lastMood, mood, now)) return;
    this.lastMood = { at: now, dominant: mood.dominant };
    this.moodWriting = true;
    appendLiveEvent(stream, "mood", null, { dominant: mood.dominant, intensity: mood.intensity, scores: mood.scores })
      .catch(this.warn("mood snapshot"))
      .finally(() => (this.moodWriting = false));
  }

  /** Every ANALYTICS_FLUSH_MS and at dispose: the viewer integral (lead shard), this shard's reactions, the follower count (if the creator watches here). */
  async flush(viewers: number, lead: boolean, creatorHere: boolean, now: number): Promise<void> {
    const stream = this.stream();
    if (!stream) return;
    this.onViewers(viewers, now);
    const [viewerMs, sampledMs] = [this.viewerMs, this.sampledMs];
    this.viewerMs = this.sampledMs = 0;
    const reactions = this.reactions;
    this.reactions = new Map();
    const writes: Promise<unknown>[] = [recordReactions(stream.id, reactions)];
    if (lead && sampledMs > 0) writes.push(recordViewerSample(stream.id, viewerMs, sampledMs));
    if (creatorHere && stream.started_at) writes.push(newFollowersSince(stream.creator_id, stream.started_at).then((n) => (this.newFollowers = n)));
    await Promise.all(writes.map((w) => w.catch(this.warn("analytics flush"))));
  }

  stats(viewers: number, now: number): CreatorStats {
    return { viewersNow: viewers, peakViewers: Math.max(this.peak, viewers), chatPerMin: this.chat.total(now), tokensPerMin: this.tokens.total(now), newFollowers: this.newFollowers };
  }
}
