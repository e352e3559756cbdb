/**
 * Ordered multimap from BSON values to document keys, used by secondary indexes for range scans and
 * equality on a compound index's leading field.
 *
 * Sorted entries are kept in bounded chunks so an insert or delete costs O(log n + CHUNK) instead of the
 * O(n) splice of a single sorted array; a 1M-entry index is ~1000 chunks.
 */
import { compareValues } from "./types";

/** small enough that a splice is a cache-friendly memmove, large enough to keep the chunk index short */
const CHUNK = 1024;

interface Entry {
  value: unknown;
  id: string;
}

function cmpEntry(a: Entry, value: unknown, id: string): number {
  const c = compareValues(a.value, value);
  if (c !== 0) return c;
  return a.id < id ? -1 : a.id > id ? 1 : 0;
}

export interface Bound {
  value: unknown;
  inclusive: boolean;
}

export class OrderedIndex {
  private chunks: Entry[][] = [[]];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** index of the first chunk whose last entry is >= (value, id) */
  private findChunk(value: unknown, id: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ch = this.chunks[mid];
      if (ch.length === 0 || cmpEntry(ch[ch.length - 1], value, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static lowerBound(ch: Entry[], value: unknown, id: string): number {
    let lo = 0;
    let hi = ch.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpEntry(ch[mid], value, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(value: unknown, id: string): void {
    const ci = this.findChunk(value, id);
    const ch = this.chunks[ci];
    const pos = OrderedIndex.lowerBound(ch, value, id);
    if (pos < ch.length && cmpEntry(ch[pos], value, id) === 0) return;
    ch.splice(pos, 0, { value, id });
    this.count++;
    if (ch.length > CHUNK * 2) this.chunks.splice(ci, 1, ch.slice(0, CHUNK), ch.slice(CHUNK));
  }

  remove(value: unknown, id: string): void {
    const ci = this.findChunk(value, id);
    const ch = this.chunks[ci];
    const pos = OrderedIndex.lowerBound(ch, value, id);
    if (pos < ch.length && cmpEntry(ch[pos], value, id) === 0) {
      ch.splice(pos, 1);
      this.count--;
      if (ch.length === 0 && this.chunks.length > 1) this.chunks.splice(ci, 1);
    }
  }

  clear(): void {
    this.chunks = [[]];
    this.count = 0;
  }

  /** Yields ids whose value lies within [lower, upper] (either bound optional), in value order. */
  *range(lower?: Bound, upper?: Bound, reverse = false): Generator<string> {
    if (reverse) {
      const all: string[] = [];
      for (const id of this.range(lower, upper)) all.push(id);
      for (let i = all.length - 1; i >= 0; i--) yield all[i];
      return;
    }
    let ci = 0;
    let pos = 0;
    if (lower) {
      // "" sorts before every id and "\uffff" after, so these locate the edges of a run of equal values
      const edgeId = lower.inclusive ? "" : "\uffff";
      ci = this.findChunk(lower.value, edgeId);
      pos = OrderedIndex.lowerBound(this.chunks[ci], lower.value, edgeId);
    }
    for (; ci < this.chunks.length; ci++, pos = 0) {
      const ch = this.chunks[ci];
      for (; pos < ch.length; pos++) {
        const e = ch[pos];
        if (upper) {
          const c = compareValues(e.value, upper.value);
          if (c > 0 || (c === 0 && !upper.inclusive)) return;
        }
        yield e.id;
      }
    }
  }
}
