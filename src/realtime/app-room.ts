import { Room, type ExtractRoomClient, type RoomOptions } from "@colyseus/core";
import { config } from "../config";
import type { Unsubscribe } from "./events";
import { ClientSubscriptions, KeyedDebounce } from "./room-kit";
import { logger } from "../logger";
import { claimRoomKey, type RoomKeyClaim } from "./room-key";
import { keepClientsOnMalformedFrames } from "./room-messages";
import { roomPatches } from "../metrics/metrics";
import { assertUserExists } from "../auth/user-existence";
import { DomainError } from "../shared/errors";

/**
 * Close code for a client whose account may no longer be here (banned, deleted). Application codes
 * are 4000–4999; the SDK does not try to reconnect on this one, and the server keeps no seat for it.
 */
export const CLOSE_ACCOUNT_REFUSED = 4403;

/**
 * What every Limelight room shares (extend it instead of Colyseus' Room):
 * - **reconnection**: a dropped socket (not a clean leave) keeps the client's seat, view and state
 *   for ROOM_RECONNECT_GRACE_MS, so the SDK's automatic reconnect lands back in the same seat;
 *   `onLeave` runs only when the client leaves for good (left, or did not come back in time);
 * - **malformed frames** are answered with an `error` message, never a disconnect;
 * - **a realtime budget** per user across rooms and processes: every message of a `roomMessages`
 *   map (the one dispatch all rooms use, where requests are answered) spends one first, and over
 *   the limit is answered `rate_limited` with `retry_after_ms` (src/rate-limits);
 * - **one room per key** (`createKeyed`), on every process;
 * - **per-client subscriptions** (`clientSubscriptions`) released when the client leaves for good,
 *   and the room's own (`holdUntilDispose`) at dispose;
 * - `onPresenceChanged()` after every join, drop, return and leave (e.g. a "watching now" count);
 * - **eviction** (`evictUser`): a banned user's clients are closed with CLOSE_ACCOUNT_REFUSED and
 *   get no reconnection seat; one coming back from a drop is re-checked and closed the same way.
 * Subclasses that override onLeave, onDrop, onReconnect or onDispose call `super`.
 */
export abstract class AppRoom<T extends RoomOptions = RoomOptions> extends Room<T> {
  protected readonly clientSubscriptions = new ClientSubscriptions();
  private keyClaim: RoomKeyClaim | undefined;
  private readonly roomStops: Unsubscribe[] = [];
  /** sessions closed by evictUser: their drop keeps no seat */
  private readonly evicted = new Set<string>();

  constructor() {
    super();
    keepClientsOnMalformedFrames(this as unknown as Room);
  }

  /**
   * One room per key: claim `key` (refused with `room_key_taken` when another room has it), then
   * run `setup`; a failed setup gives the key back. `listing` is the room's filterBy fields and
   * its metadata.
   */
  protected async createKeyed(key: string, listing: T["metadata"] & Record<string, unknown>, setup: () => Promise<void>): Promise<void> {
    this.keyClaim = await claimRoomKey(this.roomName, key, this.roomId, listing);
    try {
      await this.setMetadata(listing);
      await setup();
    } catch (err) {
      await this.keyClaim.release();
      this.keyClaim = undefined;
      throw err;
    }
  }

  /** A keyed debounced reload on the room's clock (see KeyedDebounce); a failed reload is logged as `what`. */
  protected debounced<K, I = never>(delayMs: number, reload: (key: K, items: Set<I>) => Promise<void>, what: string): KeyedDebounce<K, I> {
    return new KeyedDebounce<K, I>(this.clock, delayMs, reload, (err, key) => logger.warn({ err, key, roomId: this.roomId }, what));
  }

  /** Subscriptions the room holds for its whole life (its topics), released at dispose. */
  protected holdUntilDispose(...stops: Unsubscribe[]): void {
    this.roomStops.push(...stops);
  }

  override onDrop(client: ExtractRoomClient<T>): void {
    // an evicted client gets no seat: Colyseus runs onLeave right after this
    if (this.evicted.delete(client.sessionId)) return;
    // the returned promise settles when the client is back or the grace is over (onLeave then runs)
    this.allowReconnection(client, config().ROOM_RECONNECT_GRACE_MS / 1000).catch(() => undefined);
    this.onPresenceChanged();
  }

  override onReconnect(client: ExtractRoomClient<T>): void {
    this.onPresenceChanged();
    // a reconnection skips onAuth: an account banned while the client was away is refused here
    const userId = userIdOfClient(client);
    if (userId) {
      assertUserExists(userId).catch((err: unknown) => {
        if (err instanceof DomainError) this.closeClient(client, err.code);
      });
    }
  }

  /** Close every client of `userId` in this room (a ban); returns how many. */
  evictUser(userId: string, reason: string): number {
    const mine = this.clients.filter((c) => userIdOfClient(c) === userId);
    for (const client of mine) this.closeClient(client, reason);
    return mine.length;
  }

  private closeClient(client: ExtractRoomClient<T>, reason: string): void {
    this.evicted.add(client.sessionId);
    client.leave(CLOSE_ACCOUNT_REFUSED, reason);
  }

  override onLeave(client: ExtractRoomClient<T>): void {
    this.evicted.delete(client.sessionId);
    this.clientSubscriptions.release(client);
    client.view?.dispose();
    this.onPresenceChanged();
  }

  override async onDispose(): Promise<void> {
    for (const stop of this.roomStops.splice(0)) stop();
    this.clientSubscriptions.releaseAll();
    await this.keyClaim?.release();
  }

  /** Patches that carried changes are counted per room type. */
  override broadcastPatch(): boolean {
    const changed = super.broadcastPatch();
    if (changed) roomPatches.inc({ room: this.roomName });
    return changed;
  }

  /** Connected clients changed. */
  protected onPresenceChanged(): void {}
}

/** The signed-in user of a client (onAuth's principal), if any. */
function userIdOfClient(client: { auth?: unknown }): string | undefined {
  const userId = (client.auth as { userId?: unknown } | undefined)?.userId;
  return typeof userId === "string" ? userId : undefined;
}
