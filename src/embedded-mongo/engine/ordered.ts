/**
 * Ordered multimap from index key tuples to document keys, used by secondary indexes for range scans,
 * equality on a prefix of a compound index, and walks in sort order.
 *
 * Entries are ordered by the tuple, field by field in the index's own direction of each field (so an
 * index {a: 1, b: -1} holds b descending within each a), then by document key. Walking forward gives the
 * index's order, walking backward its exact reverse: sort {a: 1, b: -1} and {a: -1, b: 1} both come
 * straight from it.
 *
 * Sorted entries are kept in bounded chunks so an insert or delete costs O(log n + CHUNK) instead of the
 * O(n) splice of a single sorted array; a 1M-entry index is ~1000 chunks.
 */
import { compareValues } from "./types";

/** small enough that a splice is a cache-friendly memmove, large enough to keep the chunk index short */
const CHUNK = 1024;

interface Entry {
  key: unknown[];
  id: string;
}

export interface Bound {
  value: unknown;
  inclusive: boolean;
}

/** Where an entry lies relative to a contiguous run of entries: before it (<0), in it (0) or after it (>0). */
type Relation = (e: Entry) => number;

export class OrderedIndex {
  private chunks: Entry[][] = [[]];
  private count = 0;

  /** `dirs[i]` is 1 or -1: the direction of the index's i-th field */
  constructor(private readonly dirs: number[] = [1]) {}

  get size(): number {
    return this.count;
  }

  private compareKeys(a: unknown[], b: unknown[]): number {
    for (let i = 0; i < a.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c * (this.dirs[i] ?? 1);
    }
    return 0;
  }

  private at(key: unknown[], id: string): Relation {
    return (e) => {
      const c = this.compareKeys(e.key, key);
      if (c !== 0) return c;
      return e.id < id ? -1 : e.id > id ? 1 : 0;
    };
  }

  /** The first position whose entry is in or after the run (`strict`: after it). */
  private seek(rel: Relation, strict: boolean): { ci: number; pos: number } {
    const past = (e: Entry) => (strict ? rel(e) > 0 : rel(e) >= 0);
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ch = this.chunks[mid]!;
      if (ch.length === 0 || !past(ch[ch.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    const ch = this.chunks[lo]!;
    let a = 0;
    let b = ch.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (!past(ch[mid]!)) a = mid + 1;
      else b = mid;
    }
    return { ci: lo, pos: a };
  }

  insert(key: unknown[], id: string): void {
    const { ci, pos } = this.seek(this.at(key, id), false);
    const ch = this.chunks[ci]!;
    if (pos < ch.length && ch[pos]!.id === id && this.compareKeys(ch[pos]!.key, key) === 0) return;
    ch.splice(pos, 0, { key, id });
    this.count++;
    if (ch.length > CHUNK * 2) this.chunks.splice(ci, 1, ch.slice(0, CHUNK), ch.slice(CHUNK));
  }

  remove(key: unknown[], id: string): void {
    const { ci, pos } = this.seek(this.at(key, id), false);
    const ch = this.chunks[ci]!;
    if (pos < ch.length && ch[pos]!.id === id && this.compareKeys(ch[pos]!.key, key) === 0) {
      ch.splice(pos, 1);
      this.count--;
      if (ch.length === 0 && this.chunks.length > 1) this.chunks.splice(ci, 1);
    }
  }

  clear(): void {
    this.chunks = [[]];
    this.count = 0;
  }

  /** Yields ids whose leading value lies within [lower, upper] (either bound optional), in value order. */
  range(lower?: Bound, upper?: Bound, reverse = false): Generator<string> {
    // value order is the walk order when the leading field ascends, its reverse when it descends
    return this.scan([], lower, upper, (this.dirs[0] ?? 1) < 0 ? !reverse : reverse);
  }

  /**
   * Yields the ids of entries whose first `prefix.length` fields equal `prefix` and whose next field lies
   * within [lower, upper], in index order (or its reverse). Such entries are one contiguous run.
   */
  *scan(prefix: unknown[], lower?: Bound, upper?: Bound, reverse = false): Generator<string> {
    const k = prefix.length;
    const dirK = this.dirs[k] ?? 1;
    const rel: Relation = (e) => {
      for (let i = 0; i < k; i++) {
        const c = compareValues(e.key[i], prefix[i]);
        if (c !== 0) return c * (this.dirs[i] ?? 1);
      }
      if (lower || upper) {
        const v = e.key[k];
        if (lower) {
          const c = compareValues(v, lower.value);
          if (c < 0 || (c === 0 && !lower.inclusive)) return -dirK;
        }
        if (upper) {
          const c = compareValues(v, upper.value);
          if (c > 0 || (c === 0 && !upper.inclusive)) return dirK;
        }
      }
      return 0;
    };
    const start = this.seek(rel, false);
    const end = this.seek(rel, true);
    if (!reverse) {
      for (let ci = start.ci, pos = start.pos; ci < end.ci || (ci === end.ci && pos < end.pos); ) {
        const ch = this.chunks[ci]!;
        if (pos >= ch.length) {
          ci++;
          pos = 0;
          continue;
        }
        yield ch[pos++]!.id;
      }
      return;
    }
    // backward from the entry before `end` down to `start`
    let ci = end.ci;
    let pos = end.pos - 1;
    while (ci > start.ci || (ci === start.ci && pos >= start.pos)) {
      if (pos < 0) {
        ci--;
        if (ci < 0) return;
        pos = this.chunks[ci]!.length - 1;
        continue;
      }
      yield this.chunks[ci]![pos--]!.id;
    }
  }
}
