/**
 * One collection's committed state: documents keyed by the hash of their _id, secondary indexes, and — only
 * while transactions are open — the older versions those transactions' snapshots still need.
 */
import type { Document } from "bson";
import type { JournalRecord } from "../journal.types";
import { duplicateKeyError, Index, type IndexKeys, type IndexSpec } from "./indexes";
import { keyOf, viewOf } from "./types";
import type { Txn } from "./transactions";

export interface Version {
  doc: Document | null;
  view: Document | null;
  ver: number;
}

export interface Entry extends Version {
  /** older versions, newest first; kept only while some transaction may read them */
  hist?: Version[];
}

/** What a collection needs from the engine: a commit clock and whether snapshots are outstanding. */
export interface Clock {
  readonly seq: number;
  next(): number;
  readonly hasActiveTxns: boolean;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: "_id_" };

export class Collection {
  readonly ns: string;
  readonly docs = new Map<string, Entry>();
  /** deleted entries retained for open snapshots */
  readonly tombs = new Map<string, Entry>();
  readonly indexes = new Map<string, Index>();
  /** document id → transaction holding its write lock */
  readonly locks = new Map<string, Txn>();
  /** commit sequence of the last write, so snapshot readers know when versions may differ */
  lastWrite = 0;

  constructor(
    readonly db: string,
    readonly name: string,
    /** replaced as a whole by collMod, never mutated in place */
    public options: Document,
    private readonly clock: Clock,
  ) {
    this.ns = `${db}.${name}`;
  }

  get(id: string): Entry | undefined {
    return this.docs.get(id);
  }

  /** The version of `id` visible at snapshot `snap`. */
  visibleAt(id: string, snap: number): Version | null {
    const e = this.docs.get(id) ?? this.tombs.get(id);
    if (!e) return null;
    return Collection.resolve(e, snap);
  }

  static resolve(e: Entry, snap: number): Version | null {
    if (e.ver <= snap) return e.doc ? e : null;
    if (e.hist) for (const h of e.hist) if (h.ver <= snap) return h.doc ? h : null;
    return null;
  }

  addIndex(spec: IndexSpec): Index {
    const idx = new Index(spec, this.ns);
    for (const [id, e] of this.docs) {
      const keys = idx.keysFor(e.doc!, e.view!);
      if (!keys) continue;
      const clash = idx.findClash(id, keys);
      if (clash) {
        idx.clear();
        throw idx.duplicateError(clash.values);
      }
      idx.add(id, keys);
    }
    this.indexes.set(spec.name, idx);
    return idx;
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX_SPEC, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  /**
   * Throws E11000 if `doc` would clash with a committed document (other than those in `ignore`) or with one of
   * `pending` (a transaction's own uncommitted writes).
   */
  checkUnique(id: string, doc: Document, view: Document, ignore?: Map<string, Document | null>, isInsert = false): void {
    if (isInsert && this.docs.get(id)?.doc) throw duplicateKeyError(this.ns, "_id_", { _id: 1 }, ["_id"], [doc._id]);
    for (const idx of this.indexes.values()) {
      if (!idx.unique) continue;
      const keys = idx.keysFor(doc, view);
      if (!keys) continue;
      const clash = idx.findClash(id, keys, ignore ? (o) => ignore.has(o) : undefined);
      if (clash) throw idx.duplicateError(clash.values);
      if (ignore) checkAmongWrites(idx, id, keys, ignore);
    }
  }

  private indexAdd(id: string, doc: Document, view: Document): void {
    for (const idx of this.indexes.values()) {
      const keys = idx.keysFor(doc, view);
      if (keys) idx.add(id, keys);
    }
  }

  private indexRemove(id: string, doc: Document, view: Document): void {
    for (const idx of this.indexes.values()) {
      const keys: IndexKeys | null = idx.keysFor(doc, view);
      if (keys) idx.remove(id, keys);
    }
  }

  private retain(e: Entry): void {
    if (this.clock.hasActiveTxns) {
      (e.hist ??= []).unshift({ doc: e.doc, view: e.view, ver: e.ver });
    } else if (e.hist) {
      e.hist = undefined;
    }
  }

  /** Inserts without uniqueness checks (callers check first, so a batch can be validated before applying). */
  putNew(doc: Document, ver: number, rec?: JournalRecord[]): string {
    const id = keyOf(doc._id);
    const view = viewOf(doc);
    const tomb = this.tombs.get(id);
    let e: Entry;
    if (tomb) {
      this.tombs.delete(id);
      this.retain(tomb);
      e = tomb;
      e.doc = doc;
      e.view = view;
      e.ver = ver;
    } else {
      e = { doc, view, ver };
    }
    this.docs.set(id, e);
    this.indexAdd(id, doc, view);
    this.lastWrite = ver;
    rec?.push({ op: "put", db: this.db, coll: this.name, doc });
    return id;
  }

  replace(id: string, doc: Document, ver: number, rec?: JournalRecord[]): void {
    const e = this.docs.get(id)!;
    this.indexRemove(id, e.doc!, e.view!);
    this.retain(e);
    e.doc = doc;
    e.view = viewOf(doc);
    e.ver = ver;
    this.indexAdd(id, doc, e.view);
    this.lastWrite = ver;
    rec?.push({ op: "put", db: this.db, coll: this.name, doc });
  }

  remove(id: string, ver: number, rec?: JournalRecord[]): void {
    const e = this.docs.get(id);
    if (!e || !e.doc) return;
    this.indexRemove(id, e.doc, e.view!);
    const oldId = e.doc._id;
    this.docs.delete(id);
    if (this.clock.hasActiveTxns) {
      this.retain(e);
      e.doc = null;
      e.view = null;
      e.ver = ver;
      this.tombs.set(id, e);
    }
    this.lastWrite = ver;
    rec?.push({ op: "del", db: this.db, coll: this.name, id: oldId });
  }

  /** Drops history once no snapshot can need it. */
  pruneHistory(): void {
    this.tombs.clear();
    for (const e of this.docs.values()) if (e.hist) e.hist = undefined;
  }

  /** Recovery path: upsert by _id without uniqueness checks (the journal only holds committed states). */
  applyPut(doc: Document): void {
    const id = keyOf(doc._id);
    if (this.docs.has(id)) this.replace(id, doc, this.clock.next());
    else this.putNew(doc, this.clock.next());
  }
}

/**
 * Which write of a transaction holds each unique key tuple, per index: every write of a
 * transaction's overlay passes `checkUnique`, which records its tuples here, so a write is checked
 * against the others in O(its keys) instead of re-deriving every other write's keys (a transaction
 * of n inserts was O(n²)). An entry can be stale (that write changed since): a hit is confirmed
 * against the write's current document before it counts.
 */
const tuplesOfWrites = new WeakMap<Map<string, Document | null>, Map<Index, Map<string, string>>>();

function checkAmongWrites(idx: Index, id: string, keys: IndexKeys, writes: Map<string, Document | null>): void {
  // nothing else written (a write outside a transaction, or a transaction's first): nothing to clash
  // with, and nothing to record — the first check that has company learns what the overlay holds
  if (writes.size === 0 || (writes.size === 1 && writes.has(id))) return;
  let perIndex = tuplesOfWrites.get(writes);
  if (!perIndex) tuplesOfWrites.set(writes, (perIndex = new Map()));
  let holders = perIndex.get(idx);
  if (!holders) {
    perIndex.set(idx, (holders = new Map()));
    // first check on this overlay for this index: learn what it already holds
    for (const [otherId, other] of writes) {
      if (otherId === id || !other) continue;
      for (const t of idx.keysFor(other, viewOf(other))?.tuples ?? []) holders.set(t, otherId);
    }
  }
  for (let i = 0; i < keys.tuples.length; i++) {
    const t = keys.tuples[i]!;
    const holder = holders.get(t);
    if (holder !== undefined && holder !== id) {
      const other = writes.get(holder);
      if (other && idx.keysFor(other, viewOf(other))?.tuples.includes(t)) throw idx.duplicateError(keys.values[i]);
    }
  }
  for (const t of keys.tuples) holders.set(t, id);
}
