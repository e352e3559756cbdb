/**
 * Server-side cursors: results are materialized when the cursor opens (snapshot semantics, no yielding) and
 * handed out in batches bounded by count and by bytes, as mongod does.
 */
import { BSON, Long, type Document } from "bson";
import { fail } from "../engine/errors";

/** mongod's default first batch size */
const DEFAULT_FIRST_BATCH = 101;
/** a reply must fit in maxBsonObjectSize (16 MiB); keep headroom for the envelope */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
/** idle cursors are reaped after mongod's default cursorTimeoutMillis (10 minutes) */
export const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  id: Long;
  ns: string;
  docs: Document[];
  pos: number;
  lastUse: number;
}

export class CursorStore {
  private readonly open = new Map<string, OpenCursor>();

  private static takeBatch(docs: Document[], pos: number, max: number): Document[] {
    const end = Math.min(docs.length, pos + max);
    if (end - pos <= 1) return docs.slice(pos, end);
    let bytes = 0;
    let i = pos;
    for (; i < end; i++) {
      bytes += BSON.calculateObjectSize(docs[i]);
      if (bytes > MAX_BATCH_BYTES && i > pos) break;
    }
    return docs.slice(pos, i);
  }

  /** Returns the `cursor` reply field for a fresh result set, registering a cursor if more remain. */
  first(ns: string, docs: Document[], batchSize: number | undefined, singleBatch = false): Document {
    const size = batchSize === undefined || batchSize <= 0 ? (batchSize === 0 ? 0 : DEFAULT_FIRST_BATCH) : batchSize;
    const batch = CursorStore.takeBatch(docs, 0, size);
    let id = Long.ZERO;
    if (!singleBatch && batch.length < docs.length) {
      id = this.register(ns, docs, batch.length);
    }
    return { firstBatch: batch, id, ns };
  }

  private register(ns: string, docs: Document[], pos: number): Long {
    let id: Long;
    do {
      // random positive 63-bit ids, like mongod, so ids are not guessable across sessions
      id = Long.fromBits((Math.random() * 0x100000000) >>> 0, (Math.random() * 0x7fffffff) >>> 0 || 1);
    } while (this.open.has(id.toString()));
    this.open.set(id.toString(), { id, ns, docs, pos, lastUse: Date.now() });
    return id;
  }

  more(id: unknown, collection: string, db: string, batchSize: number | undefined): Document {
    const key = Long.isLong(id) ? id.toString() : typeof id === "number" ? String(id) : typeof id === "bigint" ? id.toString() : "";
    const c = this.open.get(key);
    if (!c) fail("CursorNotFound", `cursor id ${key} not found`);
    if (c.ns !== `${db}.${collection}`) {
      fail("Unauthorized", `Requested getMore on namespace '${db}.${collection}', but cursor belongs to a different namespace ${c.ns}`);
    }
    const batch = CursorStore.takeBatch(c.docs, c.pos, batchSize && batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER);
    c.pos += batch.length;
    c.lastUse = Date.now();
    let outId = c.id;
    if (c.pos >= c.docs.length) {
      this.open.delete(key);
      outId = Long.ZERO;
    }
    return { nextBatch: batch, id: outId, ns: c.ns };
  }

  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = Long.isLong(raw) ? raw : Long.fromValue(raw as number);
      if (this.open.delete(id.toString())) killed.push(id);
      else notFound.push(id);
    }
    return { killed, notFound };
  }

  reap(now: number): void {
    for (const [k, c] of this.open) if (now - c.lastUse > CURSOR_TIMEOUT_MS) this.open.delete(k);
  }

  get size(): number {
    return this.open.size;
  }

  clear(): void {
    this.open.clear();
  }
}
