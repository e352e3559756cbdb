import { matchMaker } from "@colyseus/core";
import { forgetUser } from "../auth/user-existence";
import { logger } from "../logger";
import { AppRoom } from "./app-room";
import { publish, subscribe, topics, type Unsubscribe } from "./events";

/**
 * An account's standing changed (ban, unban, roles, deletion). The process making the change
 * forgets its cached standing at once; every process (this one included) hears the event over
 * presence pub/sub (Redis when scaled out), forgets it too and, for a ban, closes that user's
 * clients in every room it hosts.
 */
export interface AccountStandingChanged {
  user_id: string;
  banned: boolean;
}

export function announceStandingChanged(userId: string, banned: boolean): void {
  forgetUser(userId);
  publish<AccountStandingChanged>(topics.accountStanding, { user_id: userId, banned });
}

/** Close `userId`'s clients in the rooms this process hosts; returns how many were closed. */
export async function evictUserLocally(userId: string, reason: string): Promise<number> {
  let closed = 0;
  for (const listing of await matchMaker.query({ processId: matchMaker.processId })) {
    const room = matchMaker.getLocalRoomById(listing.roomId);
    if (room instanceof AppRoom) closed += room.evictUser(userId, reason);
  }
  return closed;
}

/** Installed once per process at boot (createServer); the result stops listening. */
export function listenForStandingChanges(): Unsubscribe {
  return subscribe<AccountStandingChanged>(topics.accountStanding, (event) => {
    forgetUser(event.user_id);
    if (!event.banned) return;
    evictUserLocally(event.user_id, "account_banned")
      .then((closed) => closed > 0 && logger.info({ userId: event.user_id, closed }, "banned user's clients closed"))
      .catch((err: unknown) => logger.error({ err, userId: event.user_id }, "closing a banned user's clients failed"));
  });
}
