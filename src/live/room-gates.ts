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

/** A viewer's standing in the chat: banned, or timed out until a time (epoch ms). */
export interface ChatStanding {
  banned: boolean;
  timeoutUntil: number | null;
}

/**
 * The stream's bans and timeouts, held by each shard room so a chat line costs no database read:
 * loaded with the room's snapshot (the rows persisted up to its first seq), then kept current by
 * the stream's ordered `moderation` events — the same events, from pub/sub, on every shard of
 * every process — so a ban or timeout issued anywhere refuses the next line everywhere.
 */
export class ChatRestrictions {
  private readonly banned = new Set<string>();
  private readonly timeouts = new Map<string, number>();

  load(rows: readonly { user_id: string; kind: "ban" | "timeout"; until: Date | null }[]): void {
    for (const r of rows) {
      if (r.kind === "ban") this.banned.add(r.user_id);
      else if (r.until) this.timeouts.set(r.user_id, r.until.getTime());
    }
  }

  /** A `moderation` event's data (`{ action, user_id, until? }`); other actions change nothing here. */
  apply(data: { action?: unknown; user_id?: unknown; until?: unknown }): void {
    if (typeof data.user_id !== "string") return;
    if (data.action === "ban") this.banned.add(data.user_id);
    else if (data.action === "unban") this.banned.delete(data.user_id);
    else if (data.action === "timeout" && typeof data.until === "string") this.timeouts.set(data.user_id, Date.parse(data.until));
    else if (data.action === "untimeout") this.timeouts.delete(data.user_id);
  }

  of(userId: string, now: number): ChatStanding {
    const until = this.timeouts.get(userId);
    if (until !== undefined && until <= now) this.timeouts.delete(userId);
    return { banned: this.banned.has(userId), timeoutUntil: until !== undefined && until > now ? until : null };
  }
}
