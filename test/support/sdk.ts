import { ColyseusSDK } from "@colyseus/sdk";
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

/** Wait until a room's decoded state (as plain JSON) satisfies `check`; fail naming `what` after `ms`. */
export async function untilState(room: { state: { toJSON(): any } }, check: (state: any) => boolean, what: string, ms = 3000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const state = room.state.toJSON();
    if (check(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; state: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
