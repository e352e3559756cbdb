import { matchMaker } from "@colyseus/core";

/**
 * Which process creates a new room under scale-out. Colyseus picks the process with the fewest
 * rooms from the per-process counts in presence, which each process writes at most once a second:
 * rooms created within a second of each other (a live stream's shards filling up during a burst of
 * joins) could all land on one process, and on a tie the order is arbitrary. Here the counts are
 * the same, but a tie goes to the asking process (no round trip to another one, and two processes
 * with equal counts each create their own), and the rooms this process just sent to another one
 * count until that one's own figure has had time to include them.
 */

/** Longer than Colyseus' once-a-second stats write, so a placement is counted until it shows. */
export const PLACEMENT_HINT_MS = 2_000;

export interface ProcessLoad {
  processId: string;
  roomCount: number;
}

/** Rooms this process sent to others lately: processId → the times it did. */
export type PlacementHints = Map<string, number[]>;

/** The placements made at `times` that still count at `now`. */
const stillCounting = (times: readonly number[], now: number): number[] => times.filter((t) => now - t < PLACEMENT_HINT_MS);

/**
 * The process for a new room: the fewest rooms (reported, plus this process's recent placements
 * there), a tie to `self`, then to the first reported. `self` is always a candidate.
 */
export function chooseProcess(loads: readonly ProcessLoad[], self: string, hints: PlacementHints, now: number): string {
  const recent = (id: string) => stillCounting(hints.get(id) ?? [], now).length;
  const candidates = loads.some((p) => p.processId === self) ? loads : [...loads, { processId: self, roomCount: 0 }];
  let best: { id: string; rooms: number } | undefined;
  for (const p of candidates) {
    const rooms = p.roomCount + (p.processId === self ? 0 : recent(p.processId));
    if (!best || rooms < best.rooms || (rooms === best.rooms && p.processId === self)) best = { id: p.processId, rooms };
  }
  return best!.id;
}

/** Records a placement on another process; old entries are dropped. */
export function notePlacement(hints: PlacementHints, processId: string, self: string, now: number): void {
  for (const [id, times] of hints) {
    const live = stillCounting(times, now);
    if (live.length) hints.set(id, live);
    else hints.delete(id);
  }
  if (processId !== self) hints.set(processId, [...(hints.get(processId) ?? []), now]);
}

const hints: PlacementHints = new Map();

/** `selectProcessIdToCreateRoom` for the server definition. */
export async function selectProcessForNewRoom(): Promise<string> {
  const self = matchMaker.processId;
  const loads = await matchMaker.stats.fetchAll();
  const now = Date.now();
  const chosen = chooseProcess(loads, self, hints, now);
  notePlacement(hints, chosen, self, now);
  return chosen;
}
