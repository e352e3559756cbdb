/**
 * The single gateway to mingo. Everything that evaluates MongoDB query/aggregation language goes through
 * here so that (1) one options object — and therefore mingo's one shared operator context — is reused for
 * every call, (2) mingo's errors are translated into MongoDB-shaped server errors in one place, and
 * (3) the cheap cases (equality, $in/$nin of scalars and $or of them, comparisons with a date; plain
 * top-level inclusion projections; a `$group` of a literal `_id` pushing fields, a `$unionWith`) skip
 * mingo entirely. Over 400 lines for that reason: each shortcut sits beside the mingo call it stands
 * in for, with the MongoDB semantics it must keep, so the two cannot drift apart unseen.
 */
import { Aggregator, Query } from "mingo";
type Options = NonNullable<ConstructorParameters<typeof Query>[1]>;
import type { Document } from "bson";
import { fail, MongoServerError } from "./errors";
import { hasPrototypeSegment, PROTOTYPE_KEYS, setField } from "./fields";
import { TYPED_CONTEXT, withTypedSource } from "./typed-arithmetic";
import { usesTypeOperator } from "./type-query";
import { clone, isPlainObject, keyOf, toView, viewOf } from "./types";

export type Predicate = (view: Document) => boolean;

/** A collation as the commands accept it; only `locale` and `strength` change results here. */
export interface Collation {
  locale: string;
  strength?: number;
}

/** What a query may carry besides its filter: `let` variables (already evaluated) and a collation. */
export interface QueryOptions {
  variables?: Document;
  collation?: Collation;
}

/** A collation that differs from binary comparison, or undefined (absent or `{locale: "simple"}`). */
export function effectiveCollation(raw: unknown): Collation | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) fail("TypeMismatch", "collation must be an object");
  const c = raw as Document;
  if (typeof c.locale !== "string") fail("BadValue", "Missing expected field \"locale\"");
  if (c.locale === "simple") return undefined;
  try {
    Intl.getCanonicalLocales(c.locale.replace("_", "-"));
  } catch {
    fail("BadValue", `Field 'locale' is invalid in: { locale: ${JSON.stringify(c.locale)} }`);
  }
  const strength = c.strength === undefined ? 3 : Number(c.strength);
  // ICU strengths are 1 (primary) to 5 (identical); mongod rejects anything else with this code
  if (!(strength >= 1 && strength <= 5)) throw new MongoServerError([51024, "Location51024"], "unable to parse collation: strength must be 1-5");
  return { locale: c.locale, strength };
}

/**
 * The comparison key of a string under a collation. Strength 1 ignores case and diacritics, 2 ignores case,
 * 3 and above compare the string as is (equality under ICU tertiary strength is exact for ordinary text).
 */
export function foldString(s: string, c: Collation): string {
  const strength = c.strength ?? 3;
  if (strength >= 3) return s;
  const lower = s.toLocaleLowerCase(c.locale.replace("_", "-"));
  // NFD splits accented letters into base letter + combining mark (U+0300–U+036F), which primary strength ignores
  return strength === 1 ? lower.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : lower;
}

/** Folds every string value (not field names, not regex sources) of a document for collated matching. */
function foldDeep(v: unknown, c: Collation, key?: string): unknown {
  if (typeof v === "string") return key === "$regex" || key === "$options" ? v : foldString(v, c);
  if (Array.isArray(v)) return v.map((x) => foldDeep(x, c));
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) setField(out, k, foldDeep(v[k], c, k));
    return out;
  }
  return v;
}

/** A comparator of two values for sorting under a collation: strings by the locale's rules, the rest as usual. */
export function collatedComparator(c: Collation): (a: string, b: string) => number {
  const strength = c.strength ?? 3;
  const sensitivity = strength === 1 ? "base" : strength === 2 ? "accent" : "variant";
  return new Intl.Collator(c.locale.replace("_", "-"), { sensitivity }).compare;
}

/** mongod's rule for user variable names: a lowercase letter (or non-ASCII) first, then letters, digits, `_`. */
function validateVariableName(name: string): void {
  if (name === "") throw new MongoServerError([16866, "Location16866"], "empty variable names are not allowed");
  if (!/^[a-z\u0080-\uffff]/.test(name)) {
    throw new MongoServerError([16867, "Location16867"], `'${name}' starts with an invalid character for a user variable name`);
  }
  const bad = /[^a-zA-Z0-9_\u0080-\uffff]/.exec(name);
  if (bad) throw new MongoServerError([16868, "Location16868"], `'${name}' contains an invalid character for a variable name: '${bad[0]}'`);
}

/** Evaluates a command's `let` document: each value is an expression ({$literal: …}, $$NOW, …). */
export function evaluateLet(raw: unknown): Document | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) fail("TypeMismatch", "BSON field 'let' is the wrong type, expected type 'object'");
  if (Object.keys(raw).length === 0) return undefined;
  for (const name of Object.keys(raw)) validateVariableName(name);
  assertNoPrototypePaths(Object.values(raw), "let");
  try {
    const [out] = new Aggregator([{ $replaceWith: toView(raw) as Document }], BASE_OPTS).run([{}]);
    return out as Document;
  } catch (e) {
    translate(e);
  }
}

/** Arguments that name a field with a plain string (no leading `$`), e.g. `$lookup`'s `as`. */
const PLAIN_PATH_ARGS = new Set(["as", "localField", "foreignField", "connectFromField", "connectToField", "depthField", "includeArrayIndex", "field", "$unset", "$count", "$getField"]);

function refusePrototypePath(path: string, where: string): never {
  fail("BadValue", `The field path '${path}' in ${where} names '__proto__', 'constructor' or 'prototype', which this store does not evaluate in projections, aggregation or let variables`);
}

/**
 * mingo writes computed fields with path walks (`$addFields`, `$project`, `$graphLookup`'s `as`, …) that
 * follow inherited properties: a path through `constructor.prototype` reaches Object.prototype or
 * Array.prototype, and mingo refuses only `__proto__`. So a projection, pipeline or `let` that names one of
 * those keys as a field (a key, a `$field.path` string or a plain path argument) is refused before mingo sees
 * it. `$match` is exempt: queries only read, through mingo's own-property lookups.
 */
export function assertNoPrototypePaths(spec: unknown, where: string, plainPath = false): void {
  if (typeof spec === "string") {
    if ((plainPath || spec.startsWith("$")) && hasPrototypeSegment(spec)) refusePrototypePath(spec, where);
    return;
  }
  if (Array.isArray(spec)) {
    for (const v of spec) assertNoPrototypePaths(v, where, plainPath);
    return;
  }
  if (!isPlainObject(spec)) return;
  for (const k of Object.keys(spec)) {
    if (hasPrototypeSegment(k)) refusePrototypePath(k, where);
    if (k === "$match") continue;
    assertNoPrototypePaths(spec[k], where, PLAIN_PATH_ARGS.has(k));
  }
}

/** Shared across all calls: mingo only builds a merged context when `context` is passed, so we never do. */
const BASE_OPTS: Options = Object.freeze({ idKey: "_id", scriptEnabled: false });

function translate(err: unknown): never {
  if (err instanceof MongoServerError) throw err;
  const msg = err instanceof Error ? err.message : String(err);
  let m = /unknown query operator (\$\w+)/.exec(msg);
  if (m) fail("BadValue", `unknown operator: ${m[1]}`);
  m = /unregistered pipeline operator (\$\w+)/.exec(msg);
  if (m) throw new MongoServerError("Location40324", `Unrecognized pipeline stage name: '${m[1]}'`);
  m = /(?:unknown|unregistered)[^$]*(\$\w+)/i.exec(msg);
  if (m) throw new MongoServerError([168, "InvalidPipelineOperator"], `Unrecognized expression '${m[1]}'`);
  fail("BadValue", msg);
}

function isScalarForFastPath(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean") return true;
  if (t !== "object") return false;
  const bt = (v as { _bsontype?: string })._bsontype;
  return bt === "ObjectId" || v instanceof Date;
}

/** `{$in: [scalars]}` or `{$nin: [scalars]}` and nothing else: answerable with a hashed set. */
function scalarListOf(v: unknown): { op: "$in" | "$nin"; list: unknown[] } | null {
  if (!isPlainObject(v)) return null;
  const keys = Object.keys(v);
  if (keys.length !== 1 || (keys[0] !== "$in" && keys[0] !== "$nin")) return null;
  const list: unknown = v[keys[0]];
  return Array.isArray(list) && list.every(isScalarForFastPath) ? { op: keys[0], list } : null;
}

type DateBound = [(t: number, bound: number) => boolean, number];
const DATE_COMPARISONS: Record<string, DateBound[0]> = {
  $gt: (t, b) => t > b,
  $gte: (t, b) => t >= b,
  $lt: (t, b) => t < b,
  $lte: (t, b) => t <= b,
};

/** `{$gt | $gte | $lt | $lte: Date, ...}` and nothing else: answerable by comparing times. */
function dateRangeOf(v: unknown): DateBound[] | null {
  if (!isPlainObject(v)) return null;
  const keys = Object.keys(v);
  if (keys.length === 0) return null;
  const bounds: DateBound[] = [];
  for (const k of keys) {
    const cmp = DATE_COMPARISONS[k];
    const d: unknown = v[k];
    if (!cmp || !(d instanceof Date) || Number.isNaN(d.getTime())) return null;
    bounds.push([cmp, d.getTime()]);
  }
  return bounds;
}

/**
 * Top-level `field: scalar`, `field: {$in | $nin: [scalars]}`, `field: {$gt | $gte | $lt | $lte:
 * Date}` and `$or` of such filters are matched by hashed key or time comparison, the rest of the
 * filter by mingo (whose `$in` hashes its whole list again for every document it tests: a 150-id
 * `$in` over 150 rows was 22,000 hashes; and a story's `expires_at: {$gt: now}` cost a mingo query
 * per command and a mingo test per row). An array-valued field falls back to mingo for the whole
 * filter (MongoDB equality, `$in` and comparisons also match array elements); a missing field
 * matches no fast `$in`, equality or comparison and every `$nin` (no null is in a fast list); a
 * comparison with a Date matches only dates (BSON compares within a type: a Timestamp, a number or a
 * string is never greater than a Date).
 */
function fastConditions(filter: Document, mingo: (f: Document) => Predicate): Predicate | null {
  const equal: [string, string][] = [];
  const within: [string, Set<string>, boolean][] = [];
  const ranges: [string, DateBound[]][] = [];
  const anyOf: Predicate[][] = [];
  const others: Document = {};
  for (const k of Object.keys(filter)) {
    // such a path is mingo's to refuse or match, with the filter whole, as before
    if (hasPrototypeSegment(k)) return null;
    const v = filter[k];
    const list = scalarListOf(v);
    const range = list ? null : dateRangeOf(v);
    if (k === "$or" && Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) {
      anyOf.push(v.map((branch: Document) => (Object.keys(branch).length === 0 ? MATCH_ALL : (fastConditions(branch, mingo) ?? mingo(branch)))));
    } else if (k.startsWith("$") || k.includes(".")) setField(others, k, v);
    else if (isScalarForFastPath(v)) equal.push([k, keyOf(v)]);
    else if (list) within.push([k, new Set(list.list.map(keyOf)), list.op === "$in"]);
    else if (range) ranges.push([k, range]);
    else setField(others, k, v);
  }
  if (equal.length + within.length + ranges.length + anyOf.length === 0) return null;
  const rest = Object.keys(others).length > 0 ? mingo(others) : MATCH_ALL;
  let whole: Predicate | undefined;
  return (doc) => {
    for (const [k, want] of equal) {
      const v = doc[k];
      if (Array.isArray(v)) return (whole ??= mingo(filter))(doc);
      if (v === undefined || keyOf(v) !== want) return false;
    }
    for (const [k, set, isIn] of within) {
      const v = doc[k];
      if (Array.isArray(v)) return (whole ??= mingo(filter))(doc);
      if ((v !== undefined && set.has(keyOf(v))) !== isIn) return false;
    }
    for (const [k, bounds] of ranges) {
      const v = doc[k];
      if (Array.isArray(v)) return (whole ??= mingo(filter))(doc);
      if (!(v instanceof Date)) return false;
      const t = v.getTime();
      if (Number.isNaN(t)) return (whole ??= mingo(filter))(doc);
      for (const [cmp, bound] of bounds) if (!cmp(t, bound)) return false;
    }
    for (const branches of anyOf) if (!branches.some((p) => p(doc))) return false;
    return rest(doc);
  };
}

const MATCH_ALL: Predicate = () => true;

export function compileFilter(filter: Document | undefined | null, qo?: QueryOptions): Predicate {
  if (!filter || Object.keys(filter).length === 0) return MATCH_ALL;
  filter = toView(filter) as Document;
  const collation = qo?.collation && (qo.collation.strength ?? 3) < 3 ? qo.collation : undefined;
  if (collation) {
    const folded = compileFilter(foldDeep(filter, collation) as Document, { variables: qo?.variables });
    return (doc) => folded(foldDeep(doc, collation) as Document);
  }
  const opts = qo?.variables ? { ...BASE_OPTS, variables: qo.variables } : BASE_OPTS;
  return fastConditions(filter, (f) => mingoFilter(f, opts)) ?? mingoFilter(filter, opts);
}

function mingoFilter(filter: Document, opts: typeof BASE_OPTS): Predicate {
  let q: Query;
  try {
    // $type needs exact BSON types: the typed context's operator reads them from the stored document
    q = usesTypeOperator(filter) ? new TypedQuery(filter, { ...opts, context: TYPED_CONTEXT }) : new Query(filter, opts);
    // mingo compiles lazily for some operators; probing an empty doc surfaces unknown-operator errors now
    q.test({});
  } catch (e) {
    translate(e);
  }
  return (doc) => {
    try {
      return q.test(doc);
    } catch (e) {
      translate(e);
    }
  };
}

export function project(docs: Document[], projection: Document): Document[] {
  assertNoPrototypePaths(projection, "a projection");
  const fields = topLevelInclusion(projection);
  if (fields) return docs.map((d) => pick(d, fields));
  try {
    return restoreProtoFields(new Query({}, BASE_OPTS).find<Document>(docs, projection).all(), new Set(docs));
  } catch (e) {
    translate(e);
  }
}

/**
 * `{a: 1, b: true}` (top-level fields only, `_id` kept unless `_id: 0`): the fields to keep, or
 * null for any other projection. Such a projection is the common case (a list reading a few
 * fields) and is answered by copying those fields, in the document's order as mongod does,
 * instead of through mingo's general projection.
 */
function topLevelInclusion(projection: Document): Set<string> | null {
  const keep = new Set<string>(["_id"]);
  for (const [k, v] of Object.entries(projection)) {
    if (k === "_id" && (v === 0 || v === false)) keep.delete("_id");
    else if (k.startsWith("$") || k.includes(".") || PROTOTYPE_KEYS.has(k) || (v !== 1 && v !== true)) return null;
    else keep.add(k);
  }
  return keep.size > (keep.has("_id") ? 1 : 0) ? keep : null;
}

function pick(doc: Document, fields: ReadonlySet<string>): Document {
  const out: Document = {};
  for (const k of Object.keys(doc)) if (fields.has(k)) out[k] = doc[k];
  return out;
}

/**
 * mingo copies fields by assignment (`Object.assign`, `acc[k] = v`), so a document's own `__proto__` field
 * becomes the copy's prototype instead of a field. Outputs get it back as the own field it was. Documents
 * passed through unchanged (`unchanged`) are the store's own and need no look. A primitive `__proto__`
 * value is ignored by such an assignment and cannot be recovered (see the README's "Hostile keys").
 */
function restoreProtoFields(out: Document[], unchanged: ReadonlySet<Document>): Document[] {
  const fix = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) fix(x);
      return;
    }
    if (!isPlainObject(v)) return;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && !Object.hasOwn(v, "__proto__")) {
      Object.setPrototypeOf(v, Object.prototype);
      setField(v, "__proto__", proto);
    }
    for (const k of Object.keys(v)) fix(v[k]);
  };
  for (const d of out) if (!unchanged.has(d)) fix(d);
  return out;
}

/** mingo's base Aggregator and Query: they take TYPED_CONTEXT as is (the root ones would let their defaults win). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TypedAggregator = (require("mingo/aggregator") as { Aggregator: typeof Aggregator }).Aggregator;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TypedQuery = (require("mingo/query") as { Query: typeof Query }).Query;

/** Stages that compute new values (which typed-arithmetic may return as Long/Decimal128 wrappers). */
const COMPUTING = new Set(["$group", "$project", "$addFields", "$set", "$replaceRoot", "$replaceWith", "$facet", "$bucket", "$bucketAuto", "$setWindowFields"]);

/** A value `$group` takes as is: not an expression (no `$` string, no object or array). */
function isGroupLiteral(v: unknown): boolean {
  return v === null || typeof v === "number" || typeof v === "boolean" || (typeof v === "string" && !v.startsWith("$"));
}

/** `"$name"`: a top-level field, not a variable, a dotted path or a prototype key. */
function topLevelFieldOf(e: unknown): string | undefined {
  if (typeof e !== "string" || !e.startsWith("$") || e.startsWith("$$") || e.includes(".")) return undefined;
  const name = e.slice(1);
  return name.length > 0 && !PROTOTYPE_KEYS.has(name) ? name : undefined;
}

/** A stage the store runs itself: its input views (and their stored documents) to its output. */
type NativeStage = (docs: Document[], typed: ((view: object) => Document | undefined) | undefined) => Document[];

/**
 * `{$group: {_id: <literal>, <name>: {$push: "$field" | "$$ROOT" | {$ifNull: ["$field", <literal>]}}, ...}}`
 * run without mingo, whose per-value expression evaluation was a sixth of the store's time on a feed
 * page (150 candidates pushed into two arrays). MongoDB's semantics: one group, none for no input; a
 * missing field is not pushed (mingo pushes null there); values come from the type-exact document.
 * Anything else (another accumulator, an expression `_id`, a dotted path) returns null: mingo runs it.
 */
function simpleGroup(spec: unknown): NativeStage | null {
  if (!isPlainObject(spec) || !Object.hasOwn(spec, "_id") || !isGroupLiteral(spec._id)) return null;
  // field undefined: `$$ROOT`, the whole document
  const fields: { name: string; field?: string; ifNull?: { value: unknown } }[] = [];
  for (const name of Object.keys(spec)) {
    if (name === "_id") continue;
    const acc: unknown = spec[name];
    if (name.startsWith("$") || name.includes(".") || PROTOTYPE_KEYS.has(name) || !isPlainObject(acc) || Object.keys(acc).length !== 1) return null;
    const e: unknown = acc.$push;
    const field = topLevelFieldOf(e);
    if (e === "$$ROOT" || field !== undefined) {
      fields.push({ name, field });
      continue;
    }
    const args: unknown = isPlainObject(e) && Object.keys(e).length === 1 ? e.$ifNull : undefined;
    const inner = Array.isArray(args) && args.length === 2 && isGroupLiteral(args[1]) ? topLevelFieldOf(args[0]) : undefined;
    if (inner === undefined) return null;
    fields.push({ name, field: inner, ifNull: { value: (args as unknown[])[1] } });
  }
  return (docs, typed) => {
    if (docs.length === 0) return [];
    const group: Document = { _id: spec._id };
    const lists = fields.map((f) => (group[f.name] = [] as unknown[]));
    for (const view of docs) {
      const doc = typed?.(view) ?? view;
      for (let i = 0; i < fields.length; i++) {
        const { field, ifNull } = fields[i]!;
        const v: unknown = field === undefined ? doc : Object.hasOwn(doc, field) ? doc[field] : undefined;
        if (ifNull && (v === undefined || v === null)) lists[i]!.push(ifNull.value);
        // a stored document's own objects are not handed out: a later stage may write into the result
        else if (v !== undefined) lists[i]!.push(Array.isArray(v) || isPlainObject(v) ? clone(v) : v);
      }
    }
    return [group];
  };
}

/**
 * `{$unionWith: {coll, pipeline}}` (or `"coll"`): the input, then the other collection's documents
 * through its pipeline, run by `aggregate` itself, so a sub-pipeline's `$group` takes the native path
 * too (in mingo, a sub-pipeline is mingo's all through). `null` for a form this does not take.
 */
function simpleUnion(spec: unknown, run: (pipeline: Document[], coll: string) => Document[]): NativeStage | null {
  const coll = typeof spec === "string" ? spec : isPlainObject(spec) ? spec.coll : undefined;
  const pipeline = isPlainObject(spec) ? (spec.pipeline ?? []) : [];
  if (typeof coll !== "string" || !Array.isArray(pipeline) || (isPlainObject(spec) && Object.keys(spec).some((k) => k !== "coll" && k !== "pipeline"))) return null;
  if (!pipeline.every((st) => isPlainObject(st) && Object.keys(st).length === 1)) return null;
  return (docs) => docs.concat(run(pipeline as Document[], coll));
}

/**
 * Runs a pipeline on document views. `typed` maps an input view to its stored, type-exact document (for
 * typed arithmetic). The pipeline runs in segments ending at computing stages: between segments, results
 * holding Long/Decimal128 wrappers are viewed again, so every stage compares plain numbers. The returned
 * documents are type-exact: a document passed through unchanged comes back as `typed` gave it.
 */
export function aggregate(
  pipeline: Document[],
  docs: Document[],
  resolver: (coll: string) => Document[],
  variables?: Document,
  collation?: Collation,
  typed?: (view: object) => Document | undefined,
): Document[] {
  assertNoPrototypePaths(pipeline, "a pipeline");
  if (pipeline.length === 0) return docs.map((d) => typed?.(d) ?? d);
  try {
    const opts: Options = { ...BASE_OPTS, collectionResolver: resolver, variables, context: TYPED_CONTEXT };
    // ICU locale ids use "_" (en_US); Intl wants BCP 47 ("en-US")
    if (collation) (opts as { collation?: Document }).collation = { locale: collation.locale.replace("_", "-"), strength: collation.strength };
    let input = docs;
    const unchanged = new Set(docs);
    let lookup = typed;
    let start = 0;
    // stages run without mingo, each as its own segment
    const natives = pipeline.map((st): NativeStage | null =>
      "$group" in st ? simpleGroup(st.$group) : "$unionWith" in st ? simpleUnion(st.$unionWith, (sub, coll) => aggregate(sub, resolver(coll), resolver, variables, collation, typed)) : null,
    );
    for (;;) {
      let end = start;
      if (!natives[start]) while (end < pipeline.length - 1 && !COMPUTING.has(Object.keys(pipeline[end])[0]) && !natives[end + 1]) end++;
      const native = natives[start];
      const out = native ? native(input, lookup) : withTypedSource(lookup, () => new TypedAggregator(pipeline.slice(start, end + 1), opts).run(input));
      // restored per segment: the views built for the next one copy own fields only
      const exact = restoreProtoFields(out.map((d) => lookup?.(d) ?? d), unchanged);
      if (end >= pipeline.length - 1) return exact;
      const views = new Map<object, Document>();
      input = exact.map((d) => {
        const v = viewOf(d);
        if (v !== d) views.set(v, d);
        return v;
      });
      lookup = views.size ? (v) => views.get(v) : undefined;
      start = end + 1;
    }
  } catch (e) {
    translate(e);
  }
}
