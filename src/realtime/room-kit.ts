import type { Client } from "@colyseus/core";
import type { Unsubscribe } from "./events";

/** The timer API of a room's clock (`this.clock`), so rooms keep their timers on it. */
export interface RoomTimers {
  setTimeout(cb: () => void, ms: number): { clear(): void };
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
