import { matchMaker } from "@colyseus/core";
import { WebSocketClient } from "@colyseus/ws-transport";
import { metrics, realtimeBytesSent } from "./metrics";

/**
 * Realtime series read from the running server: rooms by type and connected clients by room type
 * come from this process's rooms in the matchmaker at scrape time, every registered room name
 * reported (0 when none is open), so a room another feature adds is covered without listing it.
 */
export function installRealtimeMetrics(roomNames: readonly string[]): void {
  const snapshot = async () => {
    const byType = new Map(roomNames.map((name) => [name, { rooms: 0, clients: 0 }]));
    for (const room of await localRooms()) {
      const entry = byType.get(room.name) ?? { rooms: 0, clients: 0 };
      entry.rooms += 1;
      entry.clients += room.clients;
      byType.set(room.name, entry);
    }
    return [...byType];
  };
  metrics.scrapedGauge("rooms", "Open rooms on this process, by room type.", ["room"], async () =>
    (await snapshot()).map(([room, v]) => [{ room }, v.rooms]),
  );
  metrics.scrapedGauge("room_clients", "Connected clients on this process, by room type.", ["room"], async () =>
    (await snapshot()).map(([room, v]) => [{ room }, v.clients]),
  );
  countBytesSent();
}

async function localRooms(): Promise<Array<{ name: string; clients: number }>> {
  try {
    return await matchMaker.query({ processId: matchMaker.processId });
  } catch {
    return []; // not booted yet, or shutting down
  }
}

let counting = false;
/** Every frame to a WebSocket client ends in `raw()` (queued ones included); count its bytes there. */
function countBytesSent(): void {
  if (counting) return;
  counting = true;
  const proto = WebSocketClient.prototype as unknown as { raw: (data: Uint8Array, ...rest: unknown[]) => void };
  const raw = proto.raw;
  proto.raw = function (this: unknown, data: Uint8Array, ...rest: unknown[]) {
    realtimeBytesSent.inc(data?.byteLength ?? 0);
    return raw.call(this, data, ...rest);
  };
}
