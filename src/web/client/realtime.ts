import { ColyseusSDK, type Room } from "@colyseus/sdk";
import { refreshSession } from "./api";
import { currentSession } from "./session";

/**
 * Rooms through the Colyseus SDK, signed in with the session's access token (`client.auth.token`,
 * as the README's Rooms section says). A join refused for an expired token refreshes it once.
 */
function sdk(): ColyseusSDK {
  const client = new ColyseusSDK(location.origin);
  const token = currentSession()?.access_token;
  if (token) client.auth.token = token;
  return client;
}

export async function joinRoom(name: string, options: Record<string, unknown> = {}): Promise<Room<any>> {
  try {
    return await sdk().joinOrCreate(name, options);
  } catch (err) {
    if (!/token_expired/.test(String((err as Error)?.message)) || !(await refreshSession())) throw err;
    return sdk().joinOrCreate(name, options);
  }
}

/** Rooms a page holds, left together when the page goes away. */
export class RoomSet {
  private readonly rooms = new Set<Room<any>>();

  private closed = false;

  async join(name: string, options: Record<string, unknown> = {}): Promise<Room<any>> {
    const room = await joinRoom(name, options);
    if (this.closed) {
      // the page went away while the join was on its way: do not keep a seat nobody looks at
      void room.leave().catch(() => undefined);
      throw new Error("The page was closed.");
    }
    this.rooms.add(room);
    return room;
  }

  /**
   * Join a room a page draws from its state: `render(state)` after every patch, refusals and
   * `error` messages to `onError`; `quiet` message types are taken and ignored (the SDK warns on
   * unhandled ones). Resolves with the room, or undefined when the join was refused.
   */
  async draw(name: string, options: Record<string, unknown>, on: { render(state: any, room: Room<any>): void; onError(message: string): void; quiet?: string[] }): Promise<Room<any> | undefined> {
    try {
      const room = await this.join(name, options);
      room.onStateChange(() => on.render(plain(room), room));
      room.onMessage("error", (m: { message: string }) => on.onError(m.message));
      for (const type of on.quiet ?? []) room.onMessage(type, () => undefined);
      on.render(plain(room), room);
      return room;
    } catch (err) {
      on.onError((err as Error).message);
      return undefined;
    }
  }

  leave(room: Room<any>): void {
    this.rooms.delete(room);
    void room.leave().catch(() => undefined);
  }

  leaveAll(): void {
    this.closed = true;
    for (const room of [...this.rooms]) this.leave(room);
  }
}

/** The decoded state as plain JSON. */
export const plain = (room: Room<any>): any => room.state?.toJSON?.() ?? {};
