import { ErrorCode, ServerError, matchMaker } from "@colyseus/core";
import { getKeyLocks } from "../infra/presence";
import { logger } from "../logger";

/**
 * One room per key (a story room per author, a live room per stream, a negotiation per
 * conversation, a playthrough per player and book), on every process: the room claims
 * `roomName + key` in the shared key locks (Redis under scale-out) at the start of onCreate, so a
 * `create` — or two concurrent ones, on any process — for a key that already has a room is refused.
 * `joinOrCreate` is unaffected: the matchmaker finds the existing room first.
 */

/** A crashed process's claim lapses after this; a live room refreshes it well before. */
const CLAIM_TTL_MS = 30_000;
const REFRESH_EVERY_MS = 10_000;
/** A holder with no listing yet is still being created (or is disposing): wait this long for it. */
const WAIT_FOR_HOLDER_MS = 3_000;
const RETRY_MS = 25;

export interface RoomKeyClaim {
  release(): Promise<void>;
}

export function roomKeyTaken(roomName: string): ServerError {
  // 52x codes are what the matchmaker answers over HTTP; the domain code stays in the message
  return new ServerError(ErrorCode.MATCHMAKE_INVALID_CRITERIA, `A "${roomName}" room for this key already exists; join it (room_key_taken)`);
}

/**
 * Claim `key` for the room `roomId` of type `roomName`, or throw `room_key_taken`. `listing` is
 * the room's filterBy fields (e.g. `{ authorId }`), used to tell a live holder from one still
 * being created.
 */
export async function claimRoomKey(roomName: string, key: string, roomId: string, listing: Record<string, unknown>): Promise<RoomKeyClaim> {
  const locks = getKeyLocks();
  const lockKey = `room:${roomName}:${key}`;
  const deadline = Date.now() + WAIT_FOR_HOLDER_MS;
  while (!(await locks.acquire(lockKey, roomId, CLAIM_TTL_MS))) {
    const listed = await matchMaker.query({ name: roomName, ...listing });
    if (listed.some((r) => r.roomId !== roomId) || Date.now() > deadline) throw roomKeyTaken(roomName);
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
  const refresher = setInterval(() => {
    locks
      .refresh(lockKey, roomId, CLAIM_TTL_MS)
      .then((kept) => kept || logger.warn({ roomName, key, roomId }, "room key claim lapsed"))
      .catch((err: unknown) => logger.warn({ err, roomName, key }, "room key refresh failed"));
  }, REFRESH_EVERY_MS);
  refresher.unref();
  return {
    release: async () => {
      clearInterval(refresher);
      await locks.release(lockKey, roomId).catch((err: unknown) => logger.warn({ err, roomName, key }, "room key release failed"));
    },
  };
}
