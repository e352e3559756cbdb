import { ColyseusSDK, type Room } from "@colyseus/sdk";
import { baseUrl } from "./server";

/** A real SDK client authenticated as `token` (sent the way apps do: client.auth.token). */
export function sdkClient(token?: string): ColyseusSDK {
  const client = new ColyseusSDK(baseUrl);
  if (token) client.auth.token = token;
  return client;
}

/** Resolve with the next message of `type` the room receives (or reject after `ms`). */
export function nextMessage<T = any>(room: { onMessage: (type: string, cb: (m: T) => void) => unknown }, type: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${ms} ms`)), ms);
    room.onMessage(type, (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
}

/** The client's decoded state as plain JSON. */
export function stateOf(room: { state: { toJSON(): unknown } }): any {
  return room.state.toJSON();
}

/**
 * Resolve with the decoded state once it satisfies `check`: checked now and after every patch
 * the client applies (no wall-clock polling), failing after `ms` with the last state.
 */
export function untilState(room: Room<any>, check: (state: any) => boolean, what: string, ms = 3000): Promise<any> {
  return new Promise((resolve, reject) => {
    const test = () => {
      const state = stateOf(room);
      if (!check(state)) return false;
      clearTimeout(timer);
      room.onStateChange.remove(test);
      resolve(state);
      return true;
    };
    const timer = setTimeout(() => {
      room.onStateChange.remove(test);
      reject(new Error(`timed out waiting for ${what}; state: ${JSON.stringify(stateOf(room))}`));
    }, ms);
    if (!test()) room.onStateChange(test);
  });
}

/** Join (or create) the `story` room of `authorId` as `user`. */
export function joinStory(user: { token: string }, authorId: string): Promise<Room<any>> {
  return sdkClient(user.token).joinOrCreate("story", { authorId });
}
