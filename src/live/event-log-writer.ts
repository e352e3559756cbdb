import { LiveEventModel } from "./live-event.model";

/**
 * Group commit for the streams' event log (chat lines above all: every line is persisted for
 * replay). A row written while an earlier write is in flight waits, and goes with every row queued
 * meanwhile in one unordered bulk upsert: no added delay while the log is idle, one round trip per
 * batch under load instead of one per line. The rows go to the driver as they are (no mongoose
 * casting on the hot path). Each caller's promise settles when its own row is durable, or rejects
 * when its write failed — callers publish only after that, so the log stays the source of truth
 * (chat lines excepted: they are published first, see src/live/live-events.ts).
 */
export interface LiveEventRow {
  stream_id: string;
  seq: number;
  type: string;
  at: Date;
  offset_ms: number;
  user_id: string | null;
  data: Record<string, unknown>;
}

/** Rows per bulk write at most; more queued rows go in the next round trip. */
const MAX_BATCH = 500;

interface Pending {
  row: LiveEventRow;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const queue: Pending[] = [];
let flushing = false;

export function persistLiveEvent(row: LiveEventRow): Promise<void> {
  return new Promise((resolve, reject) => {
    queue.push({ row, resolve, reject });
    if (!flushing) void drain();
  });
}

/** Indexes of the rows an unordered bulk write refused (a BulkWriteError names them). */
function failedIndexes(err: unknown): Set<number> | undefined {
  const errors = (err as { writeErrors?: { index: number }[] | { index: number } }).writeErrors;
  if (!errors) return undefined;
  return new Set((Array.isArray(errors) ? errors : [errors]).map((e) => e.index));
}

async function drain(): Promise<void> {
  flushing = true;
  try {
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        await LiveEventModel.collection.bulkWrite(
          batch.map(({ row }) => ({ updateOne: { filter: { stream_id: row.stream_id, seq: row.seq }, update: { $setOnInsert: row }, upsert: true } })),
          { ordered: false },
        );
        for (const p of batch) p.resolve();
      } catch (err) {
        const failed = failedIndexes(err);
        batch.forEach((p, i) => (!failed || failed.has(i) ? p.reject(err) : p.resolve()));
      }
    }
  } finally {
    flushing = false;
  }
}
