import { Room, type ExtractRoomClient, type RoomOptions } from "@colyseus/core";
import { config } from "../config";
import type { Unsubscribe } from "./events";
import { ClientSubscriptions } from "./room-kit";
import { claimRoomKey, type RoomKeyClaim } from "./room-key";
import { keepClientsOnMalformedFrames } from "./room-messages";
import { roomPatches } from "../metrics/metrics";

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
 * - `onPresenceChanged()` after every join, drop, return and leave (e.g. a "watching now" count).
 * Subclasses that override onLeave, onDrop, onReconnect or onDispose call `super`.
 */
export abstract class AppRoom<T extends RoomOptions = RoomOptions> extends Room<T> {
  protected readonly clientSubscriptions = new ClientSubscriptions();
  private keyClaim: RoomKeyClaim | undefined;
  private readonly roomStops: Unsubscribe[] = [];

  constructor() {
    super();
    keepClientsOnMalformedFrames(this as unknown as Room);
  }

  /**
   * One room per key: claim `key` (refused with `room_key_taken` when another room has it), then
   * run `setup`; a failed setup gives the key back. `listing` is the room's filterBy fields.
   */
  protected async createKeyed(key: string, listing: Record<string, unknown>, setup: () => Promise<void>): Promise<void> {
    this.keyClaim = await claimRoomKey(this.roomName, key, this.roomId, listing);
    try {
      await setup();
    } catch (err) {
      await this.keyClaim.release();
      this.keyClaim = undefined;
      throw err;
    }
  }

  /** Subscriptions the room holds for its whole life (its topics), released at dispose. */
  protected holdUntilDispose(...stops: Unsubscribe[]): void {
    this.roomStops.push(...stops);
  }

  override onDrop(client: ExtractRoomClient<T>): void {
    // the returned promise settles when the client is back or the grace is over (onLeave then runs)
    this.allowReconnection(client, config().ROOM_RECONNECT_GRACE_MS / 1000).catch(() => undefined);
    this.onPresenceChanged();
  }

  override onReconnect(_client: ExtractRoomClient<T>): void {
    this.onPresenceChanged();
  }

  override onLeave(client: ExtractRoomClient<T>): void {
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
