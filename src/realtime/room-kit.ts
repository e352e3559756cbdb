import type { Client } from "@colyseus/core";
import type { Unsubscribe } from "./events";

/** The timer API of a room's clock (`this.clock`), so rooms keep their timers on it. */
export interface RoomTimers {
  setTimeout(cb: () => void, ms: number): { clear(): void };
  setInterval(cb: () => void, ms: number): { clear(): void };
}

/**
 * Coalesce bursts into one reload per key (200 votes in a second → one reload of that story).
 * Items collected while a reload is pending (e.g. who acted) are handed to it; a failed reload
 * is reported to `onError` and the next touch of the key retries.
 */
export class KeyedDebounce<K, I = never> {
  private readonly timers = new Map<K, { clear(): void }>();
  private readonly pending = new Map<K, Set<I>>();

  constructor(
    private readonly clock: RoomTimers,
    private readonly delayMs: number,
    private readonly reload: (key: K, items: Set<I>) => Promise<void>,
    private readonly onError: (err: unknown, key: K) => void,
  ) {}

  touch(key: K, item?: I): void {
    const items = this.pending.get(key) ?? new Set<I>();
    if (item !== undefined) items.add(item);
    this.pending.set(key, items);
    if (this.timers.has(key)) return;
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        const collected = this.pending.get(key) ?? new Set<I>();
        this.pending.delete(key);
        this.reload(key, collected).catch((err: unknown) => this.onError(err, key));
      }, this.delayMs),
    );
  }

  cancel(key: K): void {
    this.timers.get(key)?.clear();
    this.timers.delete(key);
    this.pending.delete(key);
  }
}

/** Subscriptions held for one client (its notifications, …), released when it leaves for good. */
export class ClientSubscriptions {
  private readonly byClient = new Map<string, Unsubscribe[]>();

  add(client: Pick<Client, "sessionId">, ...stops: Unsubscribe[]): void {
    this.byClient.set(client.sessionId, [...(this.byClient.get(client.sessionId) ?? []), ...stops]);
  }

  release(client: Pick<Client, "sessionId">): void {
    for (const stop of this.byClient.get(client.sessionId) ?? []) stop();
    this.byClient.delete(client.sessionId);
  }

  releaseAll(): void {
    for (const stops of this.byClient.values()) for (const stop of stops) stop();
    this.byClient.clear();
  }
}

/**
 * What a room's onAuth learned for a join (e.g. the reel a viewer may see), kept for the onJoin
 * that follows on this process so the join reads it once. Taken once, forgotten after `ttlMs`; a
 * miss (the room lives on another process, a reconnect) only means onJoin loads it again.
 */
export class JoinMemo<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly ttlMs = 10_000) {}

  remember(key: string, value: T): void {
    const now = Date.now();
    for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k); // abandoned joins
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  take(key: string): T | undefined {
    const e = this.entries.get(key);
    this.entries.delete(key);
    return e && e.until > Date.now() ? e.value : undefined;
  }
}

/**
 * Entries that leave at a time (stories at `expires_at`) and never come back once removed (a
 * reload that started before a delete must not re-add one). Each entry's timer runs on the room's
 * clock and then sweeps by the app clock (`due`), as does the room's periodic check, so expiry
 * also follows an injected clock.
 */
export class ExpiringEntries<K> {
  private readonly timers = new Map<K, { clear(): void }>();
  private readonly removed = new Set<K>();

  constructor(
    private readonly clock: RoomTimers,
    private readonly now: () => number,
    /** the keys whose time is up now */
    private readonly due: (nowMs: number) => K[],
    private readonly onRemove: (key: K) => void,
  ) {}

  isRemoved(key: K): boolean {
    return this.removed.has(key);
  }

  expireAt(key: K, atMs: number): void {
    this.timers.get(key)?.clear();
    this.timers.set(key, this.clock.setTimeout(() => this.sweep(), Math.max(0, atMs - this.now())));
  }

  sweep(): void {
    for (const key of this.due(this.now())) this.remove(key);
  }

  remove(key: K): void {
    this.removed.add(key);
    this.timers.get(key)?.clear();
    this.timers.delete(key);
    this.onRemove(key);
  }
}
