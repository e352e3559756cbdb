/**
 * Secondary indexes: a hash map from the full key tuple to document ids (equality, uniqueness) plus an
 * ordered structure on the leading field (ranges, $in, prefix equality on compound indexes).
 */
import type { Document } from "bson";
import { compileFilter, type Predicate } from "./mingo";
import { OrderedIndex } from "./ordered";
import { formatValue, keyOf, pathValues } from "./types";
import { fail, MongoServerError } from "./errors";
import { setField } from "./fields";

export interface IndexSpec extends Document {
  v?: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

export interface IndexKeys {
  /** encoded key tuples (one per multikey combination), deduplicated */
  tuples: string[];
  /** the leading field's distinct values, for the ordered structure */
  leading: unknown[];
  /** key values per tuple, for duplicate-key error messages */
  values: unknown[][];
}

const TUPLE_SEP = "\u0001";

/** Bounds combinatorial explosion of multikey compound keys (mongod forbids parallel arrays outright). */
const MAX_KEYS_PER_DOC = 10_000;

export class Index {
  readonly name: string;
  readonly fields: string[];
  private readonly segs: string[][];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partial: Predicate | null;
  readonly ttlSeconds: number | null;
  /** text/2dsphere/hashed indexes are accepted for listIndexes but not used for planning or uniqueness */
  readonly special: boolean;
  readonly hash = new Map<string, Set<string>>();
  readonly ordered = new OrderedIndex();
  multikey = false;

  constructor(
    readonly spec: IndexSpec,
    private readonly ns: string,
  ) {
    this.name = spec.name;
    this.fields = Object.keys(spec.key);
    this.segs = this.fields.map((f) => f.split("."));
    this.special = Object.values(spec.key).some((v) => typeof v === "string");
    this.unique = !!spec.unique && !this.special;
    this.sparse = !!spec.sparse;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : null;
    this.ttlSeconds = typeof spec.expireAfterSeconds === "number" ? spec.expireAfterSeconds : null;
  }

  get keyPattern(): Document {
    return this.spec.key;
  }

  /** null when the document is not in this index (sparse with all fields missing, or outside the partial filter) */
  keysFor(doc: Document, view: Document): IndexKeys | null {
    if (this.partial && !this.partial(view)) return null;
    const perField: unknown[][] = [];
    let allMissing = true;
    for (const segs of this.segs) {
      const vals = pathValues(doc, segs);
      const seen = new Set<string>();
      const uniq: unknown[] = [];
      for (const v of vals) {
        if (v !== undefined) allMissing = false;
        const k = keyOf(v);
        if (!seen.has(k)) {
          seen.add(k);
          uniq.push(v === undefined ? null : v);
        }
      }
      if (uniq.length > 1 || vals.length > 1) this.multikey = true;
      perField.push(uniq);
    }
    if (this.sparse && allMissing) return null;
    let combos: unknown[][] = [[]];
    for (const vals of perField) {
      const next: unknown[][] = [];
      for (const c of combos) for (const v of vals) next.push([...c, v]);
      combos = next;
      if (combos.length > MAX_KEYS_PER_DOC) fail("CannotCreateIndex", `too many index keys for document in index ${this.name}`);
    }
    return {
      tuples: combos.map((c) => c.map(keyOf).join(TUPLE_SEP)),
      leading: perField[0],
      values: combos,
    };
  }

  static tupleKey(values: unknown[]): string {
    return values.map(keyOf).join(TUPLE_SEP);
  }

  add(id: string, keys: IndexKeys): void {
    for (const t of keys.tuples) {
      let set = this.hash.get(t);
      if (!set) this.hash.set(t, (set = new Set()));
      set.add(id);
    }
    if (!this.special) for (const v of keys.leading) this.ordered.insert(v, id);
  }

  remove(id: string, keys: IndexKeys): void {
    for (const t of keys.tuples) {
      const set = this.hash.get(t);
      if (set) {
        set.delete(id);
        if (set.size === 0) this.hash.delete(t);
      }
    }
    if (!this.special) for (const v of keys.leading) this.ordered.remove(v, id);
  }

  clear(): void {
    this.hash.clear();
    this.ordered.clear();
  }

  /** The id of another document holding one of these keys, if any; `ignore` lists ids being replaced. */
  findClash(id: string, keys: IndexKeys, ignore?: (otherId: string) => boolean): { other: string; values: unknown[] } | null {
    if (!this.unique) return null;
    for (let i = 0; i < keys.tuples.length; i++) {
      const set = this.hash.get(keys.tuples[i]);
      if (!set) continue;
      for (const other of set) {
        if (other !== id && !(ignore && ignore(other))) return { other, values: keys.values[i] };
      }
    }
    return null;
  }

  duplicateError(values: unknown[]): MongoServerError {
    return duplicateKeyError(this.ns, this.name, this.spec.key, this.fields, values);
  }
}

export function duplicateKeyError(ns: string, indexName: string, keyPattern: Document, fields: string[], values: unknown[]): MongoServerError {
  const keyValue: Document = {};
  fields.forEach((f, i) => setField(keyValue, f, values[i]));
  const shown = fields.map((f, i) => `${f}: ${formatValue(values[i])}`).join(", ");
  return new MongoServerError(
    "DuplicateKey",
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`,
    { keyPattern, keyValue },
  );
}

export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${v}`)
    .join("_");
}

/** Validates a createIndexes spec the way mongod does for the options we understand. */
export function normalizeIndexSpec(raw: Document): IndexSpec {
  const key = raw.key;
  if (!key || typeof key !== "object" || Array.isArray(key) || Object.keys(key).length === 0) {
    fail("CannotCreateIndex", "Index keys cannot be an empty object.");
  }
  for (const [f, v] of Object.entries(key as Document)) {
    const ok = typeof v === "number" || typeof v === "string" || (v && typeof v === "object" && "_bsontype" in (v as object));
    if (!ok || f === "") fail("CannotCreateIndex", `Values in the index key pattern can only be numbers or strings: ${f}`);
  }
  const name = typeof raw.name === "string" && raw.name ? raw.name : defaultIndexName(key as Document);
  const spec: IndexSpec = { v: 2, ...raw, key: key as Document, name };
  if (spec.expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(spec.expireAfterSeconds);
  return spec;
}
