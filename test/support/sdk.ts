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
