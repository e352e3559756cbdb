/**
 * The storage engine: databases of collections, the commit clock, snapshot-aware reads, document writes
 * with lock/conflict handling, transaction commit/abort, recovery and dumps for the journal.
 *
 * Every mutation of committed state happens synchronously between awaits, so a write command observes and
 * changes a consistent state without further locking; only waiting for a transaction's lock is async.
 */
import { Long, ObjectId, type Document } from "bson";
import type { JournalRecord } from "../journal.types";
import { Collection, type Clock, type Version } from "./collection";
import { fail, MongoServerError, writeConflict } from "./errors";
import { duplicateKeyError, normalizeIndexSpec, type IndexSpec } from "./indexes";
import { collatedComparator, compileFilter, type Collation } from "./mingo";
import { plan, type Plan } from "./planner";
import { Session, SESSION_TIMEOUT_MS, Txn } from "./transactions";
import { validatorOf } from "./validation";
import { extractText, isTextKey, isTextScoreMeta, parseTextQuery } from "./text";
import { compareValues as compareTyped, keyOf, sortKey, toNumber, viewOf } from "./types";

/** Where committed batches go; a no-op in pure-memory mode. */
export interface Persistence {
  append(batch: JournalRecord[]): Promise<void>;
}

export const MEMORY_ONLY: Persistence = { append: () => Promise.resolve() };

export interface Row {
  id: string;
  doc: Document;
  view: Document;
  /** the $text score, for rows selected by a $text query */
  score?: number;
}

export interface SelectOptions {
  txn?: Txn;
  sort?: Document;
  skip?: number;
  limit?: number;
  hint?: unknown;
  /** evaluated `let` variables of the command */
  variables?: Document;
  /** a non-simple collation (see effectiveCollation) */
  collation?: Collation;
}

export class Engine implements Clock {
  seq = 0;
  readonly dbs = new Map<string, Map<string, Collection>>();
  readonly activeTxns = new Set<Txn>();
  readonly sessions = new Map<string, Session>();
  persistence: Persistence = MEMORY_ONLY;
  /** counts plans by stage; exposed via serverStatus so tests can prove an index was used */
  readonly planCounters = { IDHACK: 0, IXSCAN: 0, COLLSCAN: 0 };

  get hasActiveTxns(): boolean {
    return this.activeTxns.size > 0;
  }

  next(): number {
    return ++this.seq;
  }

  // ------------------------------------------------------------ namespaces

  coll(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection to write into, created when missing; a view refuses writes (166). */
  ensureColl(db: string, name: string, rec: JournalRecord[], options: Document = {}): Collection {
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    let c = colls.get(name);
    if (c && isView(c)) failOnView(c);
    if (!c) {
      validateCollName(db, name);
      c = new Collection(db, name, options, this);
      colls.set(name, c);
      rec.push({ op: "createCollection", db, coll: name, options });
    }
    return c;
  }

  dropColl(db: string, name: string, rec: JournalRecord[]): boolean {
    const colls = this.dbs.get(db);
    const c = colls?.get(name);
    if (!colls || !c) return false;
    if (c.locks.size > 0) throw writeConflict();
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
    rec.push({ op: "dropCollection", db, coll: name });
    return true;
  }

  dropDb(db: string, rec: JournalRecord[]): void {
    if (!this.dbs.has(db)) return;
    this.dbs.delete(db);
    rec.push({ op: "dropDatabase", db });
  }

  createIndex(c: Collection, raw: Document, rec: JournalRecord[]): "created" | "exists" {
    const spec = normalizeIndexSpec(raw);
    if (spec.name === "_id_" || (Object.keys(spec.key).length === 1 && "_id" in spec.key && !spec.unique)) {
      if (spec.name === "_id_" || keyOf(spec.key) === keyOf({ _id: 1 })) return "exists";
    }
    if (isTextKey(spec.key)) {
      // one text index per collection: they all share the key pattern {_fts: "text", _ftsx: 1}
      for (const idx of c.indexes.values()) {
        if (!idx.text) continue;
        if (idx.name === spec.name && keyOf(idx.spec.weights) === keyOf(spec.weights) && idx.spec.default_language === spec.default_language) return "exists";
        fail("IndexOptionsConflict", `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(idx.spec)}`);
      }
    }
    for (const idx of c.indexes.values()) {
      const sameKey = keyOf(idx.spec.key) === keyOf(spec.key);
      if (idx.name === spec.name) {
        if (sameKey && !!idx.spec.unique === !!spec.unique && !!idx.spec.sparse === !!spec.sparse) return "exists";
        if (sameKey) fail("IndexOptionsConflict", `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(idx.spec)}`);
        fail("IndexKeySpecsConflict", `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(idx.spec)}`);
      }
      if (sameKey && keyOf(idx.spec.partialFilterExpression) === keyOf(spec.partialFilterExpression)) {
        if (!!idx.spec.unique === !!spec.unique) return "exists";
        fail("IndexOptionsConflict", `Index already exists with a different name: ${idx.name}`);
      }
    }
    c.addIndex(spec);
    rec.push({ op: "createIndex", db: c.db, coll: c.name, spec });
    return "created";
  }

  // ------------------------------------------------------------ reads

  select(c: Collection | undefined, filter: Document | undefined, opts: SelectOptions = {}): { rows: Row[]; plan: Plan; sortedByIndex: boolean; examined: number } {
    const text = extractText(filter);
    if (text) return this.selectText(c, text.text, text.rest, opts);
    // compiled first so a bad filter is reported even when the collection does not exist
    const pred = compileFilter(filter, opts.variables || opts.collation ? opts : undefined);
    if (!c) return { rows: [], plan: { stage: "COLLSCAN" }, sortedByIndex: false, examined: 0 };
    const hasSort = !!opts.sort && Object.keys(opts.sort).length > 0;
    const p = plan(c, filter, opts.hint, opts.collation, hasSort ? opts.sort : undefined);
    this.planCounters[p.stage]++;
    const txn = opts.txn;
    const ov = txn?.overlay(c);
    const snap = txn ? txn.snapshot : Number.POSITIVE_INFINITY;
    const versioned = !!txn && c.lastWrite > txn.snapshot;
    // an index walk in sort order yields rows already sorted, unless a transaction's own writes or a
    // snapshot older than the index's contents mix in rows from elsewhere
    const sortedWalk = !!p.sorted && !(ov && ov.size > 0) && !versioned;
    const rows: Row[] = [];
    const stopAt = (!hasSort || sortedWalk) && opts.limit ? (opts.skip ?? 0) + opts.limit : Number.POSITIVE_INFINITY;
    const seen = ov ? new Set<string>() : null;

    let examined = 0;
    const consider = (id: string, v: Version | null | undefined): boolean => {
      examined++;
      if (seen) {
        if (seen.has(id)) return false;
        seen.add(id);
        if (ov!.has(id)) {
          const d = ov!.get(id);
          if (d) {
            const view = viewOf(d);
            if (pred(view)) rows.push({ id, doc: d, view });
          }
          return rows.length >= stopAt;
        }
      }
      if (v && v.doc && pred(v.view!)) rows.push({ id, doc: v.doc, view: v.view! });
      return rows.length >= stopAt;
    };

    if (p.ids && (!versioned || p.stage === "IDHACK")) {
      for (const id of p.ids) {
        const v = versioned ? c.visibleAt(id, snap) : c.docs.get(id);
        if (consider(id, v)) break;
      }
      if (ov && p.stage === "IDHACK") {
        for (const id of p.ids) if (!seen!.has(id)) consider(id, null);
      }
    } else if (versioned) {
      let stop = false;
      for (const [id, e] of c.docs) if ((stop = consider(id, Collection.resolve(e, snap)))) break;
      if (!stop) for (const [id, e] of c.tombs) if (consider(id, Collection.resolve(e, snap))) break;
    } else {
      for (const [id, e] of c.docs) if (consider(id, e)) break;
    }
    if (ov && rows.length < stopAt) {
      for (const id of ov.keys()) if (!seen!.has(id)) consider(id, null);
    }
    if (hasSort && !sortedWalk) sortRows(rows, opts.sort!, opts.collation);
    let out = rows;
    if (opts.skip) out = out.slice(opts.skip);
    if (opts.limit) out = out.slice(0, opts.limit);
    return { rows: out, plan: p, sortedByIndex: sortedWalk, examined };
  }

  /**
   * A $text query: candidates and scores from the collection's text index, then phrases, negations and the
   * rest of the filter. Inside a transaction whose snapshot or own writes differ from the index, every
   * visible document is scored instead.
   */
  private selectText(c: Collection | undefined, search: unknown, rest: Document, opts: SelectOptions): { rows: Row[]; plan: Plan; sortedByIndex: boolean; examined: number } {
    const pred = compileFilter(rest, opts.variables || opts.collation ? opts : undefined);
    if (!c) return { rows: [], plan: { stage: "COLLSCAN" }, sortedByIndex: false, examined: 0 };
    const idx = [...c.indexes.values()].find((i) => i.text);
    if (!idx?.text) fail("IndexNotFound", "text index required for $text query");
    const text = idx.text;
    const q = parseTextQuery(search, idx.spec.default_language);
    this.planCounters.IXSCAN++;
    const txn = opts.txn;
    let rows: Row[] = [];
    let examined = 0;
    if (txn && ((txn.overlay(c)?.size ?? 0) > 0 || c.lastWrite > txn.snapshot)) {
      for (const r of this.select(c, rest, { txn, variables: opts.variables, collation: opts.collation }).rows) {
        examined++;
        const score = text.scoreOf(r.doc, q);
        if (score !== null) rows.push({ ...r, score });
      }
    } else {
      for (const [id, score] of text.candidates(q)) {
        const e = c.docs.get(id);
        examined++;
        if (!e?.doc || !text.passes(e.doc, q) || !pred(e.view!)) continue;
        rows.push({ id, doc: e.doc, view: e.view!, score });
      }
    }
    if (opts.sort && Object.keys(opts.sort).length > 0) sortRows(rows, opts.sort, opts.collation);
    if (opts.skip) rows = rows.slice(opts.skip);
    if (opts.limit) rows = rows.slice(0, opts.limit);
    return { rows, plan: { stage: "IXSCAN", indexName: idx.name }, sortedByIndex: false, examined };
  }

  /** Committed-plus-own-writes view of a whole collection, for aggregation and $lookup. */
  allDocs(c: Collection | undefined, txn?: Txn): Row[] {
    return this.select(c, undefined, { txn }).rows;
  }

  // ------------------------------------------------------------ writes

  /** A promise to wait on when one of `ids` is locked by an open transaction (non-transactional writers wait, as in mongod). */
  lockWait(c: Collection, ids: Iterable<string>): Promise<void> | null {
    if (c.locks.size === 0) return null;
    for (const id of ids) {
      const holder = c.locks.get(id);
      if (holder && holder.state === "active") return holder.done;
    }
    return null;
  }

  /** Inserts one document (already validated); `doc._id` must be set. `bypass`: bypassDocumentValidation. */
  insert(c: Collection, doc: Document, txn: Txn | undefined, rec: JournalRecord[], bypass = false): void {
    const id = keyOf(doc._id);
    if (!bypass) validatorOf(c)?.check(doc, undefined);
    const view = viewOf(doc);
    if (txn) {
      const ov = txn.overlayFor(c);
      const visible = ov.has(id) ? ov.get(id) : c.visibleAt(id, txn.snapshot)?.doc;
      if (visible) throw dupId(c, doc._id);
      this.lockForTxn(c, id, txn);
      c.checkUnique(id, doc, view, ov);
      ov.set(id, doc);
      return;
    }
    c.checkUnique(id, doc, view, undefined, true);
    c.putNew(doc, this.next(), rec);
  }

  replace(c: Collection, id: string, doc: Document, txn: Txn | undefined, rec: JournalRecord[], bypass = false): void {
    const validator = bypass ? null : validatorOf(c);
    if (validator) {
      const ov = txn?.overlay(c);
      const before = ov?.has(id) ? ov.get(id) : txn ? c.visibleAt(id, txn.snapshot)?.doc : c.docs.get(id)?.doc;
      validator.check(doc, before ?? undefined);
    }
    if (txn) {
      const ov = txn.overlayFor(c);
      this.lockForTxn(c, id, txn);
      c.checkUnique(id, doc, viewOf(doc), ov);
      ov.set(id, doc);
      return;
    }
    c.checkUnique(id, doc, viewOf(doc), new Map([[id, doc]]));
    c.replace(id, doc, this.next(), rec);
  }

  remove(c: Collection, id: string, txn: Txn | undefined, rec: JournalRecord[]): void {
    if (txn) {
      this.lockForTxn(c, id, txn);
      txn.overlayFor(c).set(id, null);
      return;
    }
    c.remove(id, this.next(), rec);
  }

  private lockForTxn(c: Collection, id: string, txn: Txn): void {
    const holder = c.locks.get(id);
    if (holder && holder !== txn && holder.state === "active") throw writeConflict();
    const e = c.docs.get(id) ?? c.tombs.get(id);
    if (e && e.ver > txn.snapshot) throw writeConflict();
    c.locks.set(id, txn);
  }

  // ------------------------------------------------------------ transactions

  session(id: string): Session {
    let s = this.sessions.get(id);
    if (!s) this.sessions.set(id, (s = new Session(id)));
    s.lastUse = Date.now();
    return s;
  }

  beginTxn(s: Session, txnNumber: bigint): Txn {
    if (s.txn && s.txn.state === "active") this.abortTxn(s.txn);
    const t = new Txn(s, txnNumber, this.seq);
    s.txn = t;
    s.txnNumber = txnNumber;
    this.activeTxns.add(t);
    return t;
  }

  /** Applies the transaction's writes as one commit; a unique clash with writes committed since aborts it. */
  commitTxn(txn: Txn, rec: JournalRecord[]): void {
    try {
      for (const [c, ov] of txn.writes) {
        for (const [id, d] of ov) if (d) c.checkUnique(id, d, viewOf(d), ov);
      }
    } catch (e) {
      this.abortTxn(txn, e as MongoServerError);
      throw e;
    }
    const ver = this.next();
    for (const [c, ov] of txn.writes) {
      // collections dropped mid-transaction lose the transaction's writes, as their locks forbade the drop
      for (const [id, d] of ov) {
        if (!d) c.remove(id, ver, rec);
        else if (c.docs.has(id)) c.replace(id, d, ver, rec);
        else c.putNew(d, ver, rec);
      }
    }
    this.endTxn(txn, "committed");
  }

  abortTxn(txn: Txn, reason?: MongoServerError): void {
    if (txn.state !== "active") return;
    txn.abortReason = reason;
    this.endTxn(txn, "aborted");
  }

  private endTxn(txn: Txn, state: "committed" | "aborted"): void {
    txn.finish(state);
    this.activeTxns.delete(txn);
    if (this.activeTxns.size === 0) {
      for (const colls of this.dbs.values()) for (const c of colls.values()) c.pruneHistory();
    }
  }

  /**
   * Forgets sessions idle for longer than the session timeout, with their retryable-write records, as
   * mongod's session reaper does (a retry that late would execute again there too).
   */
  reapSessions(now: number, timeoutMs = SESSION_TIMEOUT_MS): void {
    for (const s of [...this.sessions.values()]) {
      if (now - s.lastUse > timeoutMs && !(s.txn && s.txn.state === "active")) this.sessions.delete(s.id);
    }
  }

  /** Aborts transactions older than `maxAgeMs` so a vanished client cannot hold locks forever. */
  reapTxns(maxAgeMs: number): void {
    const now = Date.now();
    for (const t of [...this.activeTxns]) if (now - t.started > maxAgeMs) this.abortTxn(t);
  }

  // ------------------------------------------------------------ TTL

  /** Deletes documents whose TTL-indexed date is older than expireAfterSeconds; returns the count. */
  expireTtl(now: number, rec: JournalRecord[]): number {
    let n = 0;
    for (const colls of this.dbs.values()) {
      for (const c of colls.values()) {
        for (const idx of c.indexes.values()) {
          if (idx.ttlSeconds === null || idx.fields.length !== 1) continue;
          const cutoff = new Date(now - idx.ttlSeconds * 1000);
          const expired: string[] = [];
          // dates sort after every non-date type, so the range starts at the earliest date
          for (const id of idx.ordered.range({ value: new Date(-8.64e15), inclusive: true }, { value: cutoff, inclusive: true })) {
            expired.push(id);
          }
          for (const id of new Set(expired)) {
            if (c.locks.has(id) || !c.docs.has(id)) continue;
            c.remove(id, this.next(), rec);
            n++;
          }
        }
      }
    }
    return n;
  }

  // ------------------------------------------------------------ persistence

  /** Rebuilds state from a recovered journal record. */
  apply(r: JournalRecord): void {
    const none: JournalRecord[] = [];
    switch (r.op) {
      case "put":
        this.ensureColl(r.db, r.coll, none).applyPut(r.doc);
        break;
      case "del": {
        const c = this.coll(r.db, r.coll);
        c?.remove(keyOf(r.id), this.next());
        break;
      }
      case "createCollection":
        this.ensureColl(r.db, r.coll, none, r.options ?? {});
        break;
      case "dropCollection":
        this.dropColl(r.db, r.coll, none);
        break;
      case "dropDatabase":
        this.dropDb(r.db, none);
        break;
      case "createIndex": {
        const c = this.ensureColl(r.db, r.coll, none);
        const name = (r.spec as IndexSpec).name;
        if (!c.indexes.has(name)) c.addIndex(r.spec as IndexSpec);
        break;
      }
      case "dropIndex":
        this.coll(r.db, r.coll)?.indexes.delete(r.name);
        break;
      case "collMod": {
        const c = this.coll(r.db, r.coll);
        if (c) c.options = r.options;
        break;
      }
      case "retryableWrite": {
        const at = r.at.getTime();
        if (Date.now() - at > SESSION_TIMEOUT_MS) break; // the session expired while the store was down
        const txnNumber = Long.isLong(r.txnNumber) ? r.txnNumber.toBigInt() : BigInt(r.txnNumber as number);
        const s = this.session(r.lsid);
        s.lastUse = at;
        if (txnNumber > s.txnNumber) s.txnNumber = txnNumber;
        s.lastWrite = { txnNumber, reply: r.reply };
        break;
      }
    }
  }

  /** The whole committed state as records, for journal compaction. */
  *dump(): Generator<JournalRecord> {
    for (const [db, colls] of this.dbs) {
      for (const [name, c] of colls) {
        yield { op: "createCollection", db, coll: name, options: c.options };
        for (const idx of c.indexes.values()) yield { op: "createIndex", db, coll: name, spec: idx.spec };
        for (const e of c.docs.values()) if (e.doc) yield { op: "put", db, coll: name, doc: e.doc };
      }
    }
    const now = Date.now();
    for (const s of this.sessions.values()) {
      const w = s.lastWrite;
      // a reply still in flight is journaled with its own batch, after this snapshot
      if (!w || w.reply instanceof Promise || now - s.lastUse > SESSION_TIMEOUT_MS) continue;
      yield retryableWriteRecord(s.id, w.txnNumber, w.reply, s.lastUse);
    }
  }

  newId(): ObjectId {
    return new ObjectId();
  }
}

export function retryableWriteRecord(lsid: string, txnNumber: bigint, reply: Document, at: number): JournalRecord {
  return { op: "retryableWrite", db: "config", lsid, txnNumber: Long.fromBigInt(txnNumber), reply, at: new Date(at) };
}

function dupId(c: Collection, idValue: unknown): MongoServerError {
  return duplicateKeyError(c.ns, "_id_", { _id: 1 }, ["_id"], [idValue]);
}

export function sortRows(rows: Row[], sort: Document, collation?: Collation): void {
  const strings = collation ? collatedComparator(collation) : undefined;
  // under a collation strings compare by the locale's rules; other values and mixed types as usual
  const compareValues = strings
    ? (a: unknown, b: unknown): number => (typeof a === "string" && typeof b === "string" ? strings(a, b) : compareTyped(a, b))
    : compareTyped;
  const keys = Object.entries(sort).map(([k, d]) => {
    // {$meta: "textScore"} sorts by the $text score, highest first
    const meta = isTextScoreMeta(d);
    const dir = meta ? -1 : typeof d === "object" && d !== null && "$meta" in (d as Document) ? 1 : toNumber(d) < 0 ? -1 : 1;
    return { segs: k.split("."), dir, meta };
  });
  if (keys.some((k) => k.meta)) {
    rows.sort((a, b) => {
      for (const { segs, dir, meta } of keys) {
        const c = meta ? (a.score ?? 0) - (b.score ?? 0) : compareValues(sortKey(a.doc, segs, dir), sortKey(b.doc, segs, dir));
        if (c !== 0) return c * dir;
      }
      return 0;
    });
    return;
  }
  if (keys.length === 1) {
    const { segs, dir } = keys[0];
    const decorated = rows.map((r) => ({ r, k: sortKey(r.doc, segs, dir) }));
    decorated.sort((a, b) => compareValues(a.k, b.k) * dir);
    for (let i = 0; i < rows.length; i++) rows[i] = decorated[i].r;
    return;
  }
  rows.sort((a, b) => {
    for (const { segs, dir } of keys) {
      const c = compareValues(sortKey(a.doc, segs, dir), sortKey(b.doc, segs, dir));
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}

/** A view: a collection entry whose options name the collection it reads from. */
export function isView(c: Collection | undefined): boolean {
  return !!c && typeof c.options.viewOn === "string";
}

export function failOnView(c: Collection): never {
  fail("CommandNotSupportedOnView", `Namespace ${c.ns} is a view, not a collection`);
}

function validateCollName(db: string, name: string): void {
  if (!name || name.includes("\0") || name.startsWith(".") || name.includes("$")) {
    fail("InvalidNamespace", `Invalid collection name: ${db}.${name}`);
  }
  if (!db || /[/\\. "$\0]/.test(db)) fail("InvalidNamespace", `Invalid database name: '${db}'`);
}
