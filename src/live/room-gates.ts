import { slowModeWaitMs, takeFloodSlot, takeToken, type Bucket, type FloodWindow } from "./chat.rules";
import { liveErrors } from "./live.errors";

/**
 * The per-room memory behind the chat and reaction limits (the rules are pure, in chat.rules.ts):
 * a viewer is in one room at a time, so their bucket and slow-mode clock live there.
 */
export class ChatGate {
  private readonly buckets = new Map<string, Bucket>();
  private readonly lastLine = new Map<string, number>();
  private flood: FloodWindow | undefined;

  constructor(private readonly limits: () => { burst: number; perSecond: number; floodPerSecond: number }) {}

  /** Throws `rate_limited` / `slow_mode` with `retry_after_ms`; staff skip slow mode, not the flood limit. */
  admit(userId: string, slowModeS: number, isStaff: boolean, now: number): void {
    const { burst, perSecond, floodPerSecond } = this.limits();
    if (!isStaff) {
      const wait = slowModeWaitMs(this.lastLine.get(userId), slowModeS, now);
      if (wait > 0) throw liveErrors.slowMode(slowModeS, wait);
    }
    const bucket = takeToken(this.buckets.get(userId), burst, perSecond, now);
    this.buckets.set(userId, bucket.bucket);
    if (bucket.retryAfterMs > 0) throw liveErrors.chatTooFast("You are sending messages too fast.", bucket.retryAfterMs);
    const flood = takeFloodSlot(this.flood, floodPerSecond, now);
    this.flood = flood.window;
    if (flood.retryAfterMs > 0) throw liveErrors.chatTooFast("The chat is busy; try again in a moment.", flood.retryAfterMs);
  }

  /** A line went out: slow mode counts from here (a refused line, e.g. a link, does not start it). */
  sent(userId: string, now: number): void {
    this.lastLine.set(userId, now);
  }

  forget(userId: string): void {
    this.buckets.delete(userId);
    this.lastLine.delete(userId);
  }
}

/** Reactions: a small bucket per user (5 at once, 2 a second) so one client cannot drive the mood. */
export class ReactionGate {
  private readonly buckets = new Map<string, Bucket>();
  admit(userId: string, now: number): void {
    const b = takeToken(this.buckets.get(userId), 5, 2, now);
    this.buckets.set(userId, b.bucket);
    if (b.retryAfterMs > 0) throw liveErrors.chatTooFast("You are reacting too fast.", b.retryAfterMs);
  }
  forget(userId: string): void {
    this.buckets.delete(userId);
  }
}

/** Viewer counts of every shard of a stream (heard over pub/sub); a shard silent for `staleMs` no longer counts. */
export class ShardCounts {
  private readonly counts = new Map<string, { viewers: number; at: number }>();
  constructor(private readonly staleMs: number) {}
  report(shard: string, viewers: number, at: number): void {
    this.counts.set(shard, { viewers, at });
  }
  drop(shard: string): void {
    this.counts.delete(shard);
  }
  /** This shard leads the stream (writes its one-writer samples) while no live shard has a smaller id. */
  leads(self: string, now: number): boolean {
    for (const [shard, c] of this.counts) if (shard < self && now - c.at <= this.staleMs) return false;
    return true;
  }
  total(self: string, ownViewers: number, now: number): number {
    let sum = ownViewers;
    for (const [shard, c] of this.counts) {
      if (shard === self) continue;
      if (now - c.at > this.staleMs) this.counts.delete(shard);
      else sum += c.viewers;
    }
    return sum;
  }
}
