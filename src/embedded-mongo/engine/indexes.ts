/**
 * Secondary indexes: a hash map from the full key tuple to document ids (equality, uniqueness) plus an
 * ordered structure of the key tuples (ranges, $in, prefix equality on compound indexes, sorted walks).
 */
import type { Document } from "bson";
import { compileFilter, type Predicate } from "./mingo";
import { OrderedIndex } from "./ordered";
import { isTextKey, normalizeTextSpec, TextIndex } from "./text";
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
  /** a text index's input: the document itself */
  doc?: Document;
  /** encoded key tuples (one per multikey combination), deduplicated */
  tuples: string[];
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
  /** the term postings of a text index */
  readonly text: TextIndex | null;
  readonly hash = new Map<string, Set<string>>();
  /** every key tuple, ordered in the index's directions (per field: 1 or -1) */
  readonly ordered: OrderedIndex;
  /** per field: 1 ascending, -1 descending */
  readonly dirs: number[];
  multikey = false;

  constructor(
    readonly spec: IndexSpec,
    private readonly ns: string,
  ) {
    this.name = spec.name;
    this.fields = Object.keys(spec.key);
    this.segs = this.fields.map((f) => f.split("."));
    this.special = Object.values(spec.key).some((v) => typeof v === "string");
    this.text = isTextKey(spec.key) ? new TextIndex(spec) : null;
    this.unique = !!spec.unique && !this.special;
    this.sparse = !!spec.sparse;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : null;
    this.ttlSeconds = typeof spec.expireAfterSeconds === "number" ? spec.expireAfterSeconds : null;
    this.dirs = Object.values(spec.key).map((v) => (Number(v) < 0 ? -1 : 1));
    this.ordered = new OrderedIndex(this.dirs);
  }

  get keyPattern(): Document {
    return this.spec.key;
  }

  /** null when the document is not in this index (sparse with all fields missing, or outside the partial filter) */
  keysFor(doc: Document, view: Document): IndexKeys | null {
    if (this.partial && !this.partial(view)) return null;
    if (this.text) return { doc, tuples: [], values: [] };
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
      values: combos,
    };
  }

  static tupleKey(values: unknown[]): string {
    return values.map(keyOf).join(TUPLE_SEP);
  }

  add(id: string, keys: IndexKeys): void {
    if (this.text) return this.text.add(id, keys.doc!);
    for (const t of keys.tuples) {
      let set = this.hash.get(t);
      if (!set) this.hash.set(t, (set = new Set()));
      set.add(id);
    }
    if (!this.special) for (const t of keys.values) this.ordered.insert(t, id);
  }

  remove(id: string, keys: IndexKeys): void {
    if (this.text) return this.text.remove(id);
    for (const t of keys.tuples) {
      const set = this.hash.get(t);
      if (set) {
        set.delete(id);
        if (set.size === 0) this.hash.delete(t);
      }
    }
    if (!this.special) for (const t of keys.values) this.ordered.remove(t, id);
  }

  clear(): void {
    this.hash.clear();
    this.ordered.clear();
    this.text?.clear();
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
  let spec: IndexSpec = { v: 2, ...raw, key: key as Document, name };
  if (isTextKey(spec.key)) spec = normalizeTextSpec(spec) as IndexSpec;
  if (spec.expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(spec.expireAfterSeconds);
  return spec;
}
