/**
 * Update operators applied to canonical (type-preserving) documents. Written here rather than delegated to
 * mingo's updater because mongod's numeric promotion rules ($inc of int32 overflowing to int64, doubles
 * staying doubles) and its exact error codes are part of what the driver and mongoose observe.
 */
import { Decimal128, Long, Timestamp, type Document } from "bson";
import { fail } from "./errors";
import { ownField, setField } from "./fields";
import { compileFilter, aggregate } from "./mingo";
import {
  asDouble,
  canonical,
  clone,
  compareValues,
  formatValue,
  isInt32Range,
  isPlainObject,
  keyOf,
  numKind,
  toNumber,
  typeName,
  viewOf,
  type NumKind,
} from "./types";

export interface UpdateContext {
  /** true when the update runs as the insert half of an upsert ($setOnInsert applies) */
  isInsert: boolean;
  /** the matched array index for the positional `$`, computed from the query */
  positional?: number;
  arrayFilters?: Document[];
  /** the command's evaluated `let` variables, visible to pipeline updates as $$name */
  variables?: Document;
}

const KIND_RANK: Record<NumKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

function makeNumber(kind: NumKind, n: number): unknown {
  switch (kind) {
    case "int":
      return isInt32Range(n) ? n : Long.fromNumber(n);
    case "long":
      return Long.fromNumber(n);
    case "double":
      return asDouble(n);
    case "decimal":
      return Decimal128.fromString(String(n));
  }
}

function arith(a: unknown, b: unknown, op: "inc" | "mul"): unknown {
  const ka = numKind(a)!;
  const kb = numKind(b)!;
  const kind = KIND_RANK[ka] >= KIND_RANK[kb] ? ka : kb;
  if (kind === "long" && ka !== "double" && kb !== "double") {
    const la = ka === "long" ? (a as Long) : Long.fromNumber(toNumber(a));
    const lb = kb === "long" ? (b as Long) : Long.fromNumber(toNumber(b));
    return op === "inc" ? la.add(lb) : la.multiply(lb);
  }
  const r = op === "inc" ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b);
  return makeNumber(kind, r);
}

function idText(doc: Document): string {
  return `{_id: ${formatValue(doc._id)}}`;
}

// ---------------------------------------------------------------- path helpers

function isIndex(seg: string): boolean {
  return /^\d+$/.test(seg);
}

/** The child `seg` of a document or array node: own fields only, array elements only by index. */
function childOf(node: unknown, seg: string): unknown {
  if (node === null || typeof node !== "object") return undefined;
  if (Array.isArray(node)) return isIndex(seg) ? node[Number(seg)] : undefined;
  return ownField(node, seg);
}

function getAt(doc: unknown, segs: string[]): unknown {
  let cur = doc;
  for (const s of segs) {
    cur = childOf(cur, s);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Returns the container that should hold the last segment, creating intermediate objects as mongod does. */
function parentFor(doc: Document, segs: string[], create: boolean): Document | unknown[] | undefined {
  let cur: unknown = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i];
    const container = cur as Document;
    let next: unknown = childOf(container, s);
    if (Array.isArray(container) && !isIndex(s)) {
      fail("PathNotViable", `Cannot create field '${s}' in element {${segs[i - 1] ?? ""}: ${formatValue(container)}}`);
    }
    if (next === undefined || next === null) {
      if (!create) return undefined;
      if (next === null && !Array.isArray(container)) {
        fail("PathNotViable", `Cannot create field '${segs[i + 1]}' in element {${s}: null}`);
      }
      next = {};
      if (Array.isArray(container)) {
        const idx = Number(s);
        while (container.length < idx) container.push(null);
        container[idx] = next;
      } else setField(container, s, next);
    } else if (typeof next !== "object" || !(Array.isArray(next) || isPlainObject(next))) {
      if (!create) return undefined;
      fail("PathNotViable", `Cannot create field '${segs[i + 1]}' in element {${s}: ${formatValue(next)}}`);
    }
    cur = next;
  }
  return cur as Document | unknown[];
}

function setAt(doc: Document, segs: string[], value: unknown): void {
  const parent = parentFor(doc, segs, true)!;
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    if (!isIndex(last)) fail("PathNotViable", `Cannot create field '${last}' in element {${formatValue(parent)}}`);
    const idx = Number(last);
    while (parent.length < idx) parent.push(null);
    parent[idx] = value;
  } else setField(parent, last, value);
}

function unsetAt(doc: Document, segs: string[]): void {
  const parent = parentFor(doc, segs, false);
  if (!parent) return;
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    // mongod nulls out array slots rather than shifting elements
    if (isIndex(last) && Number(last) < parent.length) parent[Number(last)] = null;
  } else if (Object.hasOwn(parent, last)) delete parent[last];
}

function elementMatcher(cond: unknown): (el: unknown) => boolean {
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    const operatorOnly = keys.length > 0 && keys.every((k) => k.startsWith("$") && k !== "$and" && k !== "$or" && k !== "$nor");
    if (operatorOnly) {
      const p = compileFilter({ v: cond });
      return (el) => p(viewOf({ v: el }));
    }
    const p = compileFilter(cond);
    return (el) => isPlainObject(el) && p(viewOf(el));
  }
  const want = keyOf(cond);
  return (el) => keyOf(el) === want;
}

/** mongod's rule for arrayFilters identifiers (so `__proto__` or `constructor` can never name one) */
const ARRAY_FILTER_ID = /^[a-z][a-zA-Z0-9]*$/;

/** arrayFilters compiled per identifier: `{ "x.qty": {$gt: 1} }` → identifier x tests element.qty */
function compileArrayFilters(filters: Document[] | undefined): Map<string, (el: unknown) => boolean> {
  const out = new Map<string, (el: unknown) => boolean>();
  for (const f of filters ?? []) {
    const byId = new Map<string, Document>();
    for (const [k, v] of Object.entries(f)) {
      const dot = k.indexOf(".");
      const id = dot < 0 ? k : k.slice(0, dot);
      const rest = dot < 0 ? "" : k.slice(dot + 1);
      if (!ARRAY_FILTER_ID.test(id)) {
        fail("BadValue", `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`);
      }
      const d = byId.get(id) ?? {};
      setField(d, rest, v);
      byId.set(id, d);
    }
    if (byId.size !== 1) fail("FailedToParse", "Error parsing array filter :: caused by :: Expected a single top-level field name");
    for (const [id, conds] of byId) {
      if (out.has(id)) fail("FailedToParse", `Found multiple array filters with the same top-level field name ${id}`);
      if (Object.hasOwn(conds, "")) {
        const m = elementMatcher(conds[""]);
        out.set(id, m);
      } else {
        const p = compileFilter(conds);
        out.set(id, (el) => isPlainObject(el) && p(viewOf(el)));
      }
    }
  }
  return out;
}

function expandPaths(
  doc: Document,
  segs: string[],
  ctx: UpdateContext,
  filters: Map<string, (el: unknown) => boolean>,
  path: string,
): string[][] {
  const out: string[][] = [];
  const walk = (node: unknown, i: number, prefix: string[]): void => {
    if (i === segs.length) {
      out.push(prefix);
      return;
    }
    const s = segs[i];
    if (s === "$") {
      if (ctx.positional === undefined) {
        if (ctx.isInsert) fail("BadValue", "The positional operator did not find the match needed from the query.");
        fail("BadValue", "The positional operator did not find the match needed from the query.");
      }
      walk((node as unknown[] | undefined)?.[ctx.positional], i + 1, [...prefix, String(ctx.positional)]);
      return;
    }
    if (s.startsWith("$[")) {
      const id = s.slice(2, -1);
      let test: ((el: unknown) => boolean) | undefined;
      if (id !== "") {
        test = filters.get(id);
        if (!test) fail("BadValue", `No array filter found for identifier '${id}' in path '${path}'`);
      }
      if (node === undefined) {
        if (ctx.isInsert) return;
        fail("BadValue", `The path '${prefix.join(".")}' must exist in the document in order to apply array updates.`);
      }
      if (!Array.isArray(node)) fail("BadValue", `Cannot apply array updates to non-array element ${prefix[prefix.length - 1]}: ${formatValue(node)}`);
      node.forEach((el, idx) => {
        if (!test || test(el)) walk(el, i + 1, [...prefix, String(idx)]);
      });
      return;
    }
    walk(childOf(node, s), i + 1, [...prefix, s]);
  };
  walk(doc, 0, []);
  return out;
}

// ---------------------------------------------------------------- operators

type OpFn = (doc: Document, segs: string[], arg: unknown, ctx: UpdateContext, field: string) => void;

function requireNumeric(op: string, field: string, arg: unknown): void {
  if (numKind(arg) === null) {
    const verb = op === "$inc" ? "increment" : "multiply";
    fail("TypeMismatch", `Cannot ${verb} with non-numeric argument: {${field}: ${formatValue(arg)}}`);
  }
}

function arithOp(op: "$inc" | "$mul"): OpFn {
  return (doc, segs, arg, _ctx, field) => {
    requireNumeric(op, field, arg);
    const cur = getAt(doc, segs);
    if (cur === undefined) {
      setAt(doc, segs, op === "$inc" ? arg : arith(0, arg, "mul"));
      return;
    }
    if (numKind(cur) === null) {
      fail(
        "TypeMismatch",
        `Cannot apply ${op} to a value of non-numeric type. ${idText(doc)} has the field '${segs[segs.length - 1]}' of non-numeric type ${typeName(cur)}`,
      );
    }
    setAt(doc, segs, arith(cur, arg, op === "$inc" ? "inc" : "mul"));
  };
}

function minMax(dir: 1 | -1): OpFn {
  return (doc, segs, arg) => {
    const cur = getAt(doc, segs);
    if (cur === undefined || compareValues(arg, cur) * dir > 0) setAt(doc, segs, clone(arg));
  };
}

function arrayAt(doc: Document, segs: string[], make: boolean, err: (cur: unknown) => never): unknown[] | undefined {
  const cur = getAt(doc, segs);
  if (cur === undefined) {
    if (!make) return undefined;
    const arr: unknown[] = [];
    setAt(doc, segs, arr);
    return arr;
  }
  if (!Array.isArray(cur)) err(cur);
  return cur;
}

function sortArray(arr: unknown[], spec: unknown): void {
  if (isPlainObject(spec)) {
    const keys = Object.entries(spec);
    arr.sort((a, b) => {
      for (const [k, d] of keys) {
        const c = compareValues(getAt(a, k.split(".")), getAt(b, k.split(".")));
        if (c !== 0) return c * (toNumber(d) < 0 ? -1 : 1);
      }
      return 0;
    });
  } else {
    const d = toNumber(spec) < 0 ? -1 : 1;
    arr.sort((a, b) => compareValues(a, b) * d);
  }
}

const push: OpFn = (doc, segs, arg, _ctx, field) => {
  const arr = arrayAt(doc, segs, true, (cur) =>
    fail("BadValue", `The field '${field}' must be an array but is of type ${typeName(cur)} in document ${idText(doc)}`),
  )!;
  const isModifier = isPlainObject(arg) && "$each" in arg;
  if (!isModifier) {
    arr.push(clone(arg));
    return;
  }
  const spec = arg as Document;
  for (const k of Object.keys(spec)) {
    if (!["$each", "$slice", "$sort", "$position"].includes(k)) fail("BadValue", `Unrecognized clause in $push: ${k}`);
  }
  if (!Array.isArray(spec.$each)) fail("BadValue", `The argument to $each in $push must be an array but it was of type: ${typeName(spec.$each)}`);
  const items = (spec.$each as unknown[]).map(clone);
  if (spec.$position !== undefined) {
    let pos = toNumber(spec.$position);
    if (pos < 0) pos = Math.max(0, arr.length + pos);
    arr.splice(Math.min(pos, arr.length), 0, ...items);
  } else arr.push(...items);
  if (spec.$sort !== undefined) sortArray(arr, spec.$sort);
  if (spec.$slice !== undefined) {
    const n = toNumber(spec.$slice);
    const kept = n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n));
    arr.length = 0;
    arr.push(...kept);
  }
};

const addToSet: OpFn = (doc, segs, arg, _ctx, field) => {
  const arr = arrayAt(doc, segs, true, (cur) =>
    fail("BadValue", `Cannot apply $addToSet to non-array field. Field named '${field}' has non-array type ${typeName(cur)}`),
  )!;
  const items = isPlainObject(arg) && "$each" in arg ? ((arg as Document).$each as unknown[]) : [arg];
  if (!Array.isArray(items)) fail("TypeMismatch", "The argument to $each in $addToSet must be an array");
  const have = new Set(arr.map(keyOf));
  for (const it of items) {
    const k = keyOf(it);
    if (!have.has(k)) {
      have.add(k);
      arr.push(clone(it));
    }
  }
};

const pop: OpFn = (doc, segs, arg) => {
  const arr = arrayAt(doc, segs, false, (cur) =>
    fail("TypeMismatch", `Path '${segs.join(".")}' contains an element of non-array type '${typeName(cur)}'`),
  );
  if (!arr || arr.length === 0) return;
  if (toNumber(arg) < 0) arr.shift();
  else arr.pop();
};

function pullWith(matcher: (el: unknown) => boolean): (doc: Document, segs: string[]) => void {
  return (doc, segs) => {
    const arr = arrayAt(doc, segs, false, () => fail("BadValue", "Cannot apply $pull to a non-array value"));
    if (!arr) return;
    const kept = arr.filter((el) => !matcher(el));
    arr.length = 0;
    arr.push(...kept);
  };
}

const pull: OpFn = (doc, segs, arg) => pullWith(elementMatcher(arg))(doc, segs);

const pullAll: OpFn = (doc, segs, arg, _ctx, field) => {
  if (!Array.isArray(arg)) fail("BadValue", `$pullAll requires an array argument but was given a ${typeName(arg)}`);
  const drop = new Set((arg as unknown[]).map(keyOf));
  void field;
  pullWith((el) => drop.has(keyOf(el)))(doc, segs);
};

const rename: OpFn = (doc, segs, arg) => {
  if (typeof arg !== "string") fail("BadValue", `The 'to' field for $rename must be a string: ${segs.join(".")}: ${formatValue(arg)}`);
  const from = getAt(doc, segs);
  if (from === undefined) return;
  unsetAt(doc, segs);
  setAt(doc, arg.split("."), from);
};

const currentDate: OpFn = (doc, segs, arg) => {
  const wantTs = isPlainObject(arg) && arg.$type === "timestamp";
  const now = Date.now();
  setAt(doc, segs, wantTs ? new Timestamp({ t: Math.floor(now / 1000), i: 1 }) : new Date(now));
};

const bit: OpFn = (doc, segs, arg, _ctx, field) => {
  if (!isPlainObject(arg)) fail("BadValue", `The $bit modifier is not compatible with a ${typeName(arg)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`);
  let cur = getAt(doc, segs) ?? 0;
  if (numKind(cur) !== "int" && numKind(cur) !== "long") {
    fail("BadValue", `Cannot apply $bit to a value of non-integral type.${idText(doc)} has the field ${field} of non-integer type ${typeName(cur)}`);
  }
  for (const [op, v] of Object.entries(arg)) {
    const a = Long.fromValue(numKind(cur) === "long" ? (cur as Long) : toNumber(cur));
    const b = Long.fromValue(numKind(v) === "long" ? (v as Long) : toNumber(v));
    const r = op === "and" ? a.and(b) : op === "or" ? a.or(b) : op === "xor" ? a.xor(b) : fail("BadValue", `The $bit modifier only supports 'and', 'or', and 'xor', not '${op}'`);
    const keepLong = numKind(cur) === "long" || numKind(v) === "long";
    cur = keepLong ? r : r.toInt();
  }
  setAt(doc, segs, cur);
};

const OPERATOR_LIST: Record<string, OpFn> = {
  $set: (doc, segs, arg) => setAt(doc, segs, clone(arg)),
  $setOnInsert: (doc, segs, arg, ctx) => {
    if (ctx.isInsert) setAt(doc, segs, clone(arg));
  },
  $unset: (doc, segs) => unsetAt(doc, segs),
  $inc: arithOp("$inc"),
  $mul: arithOp("$mul"),
  $min: minMax(-1),
  $max: minMax(1),
  $push: push,
  $addToSet: addToSet,
  $pop: pop,
  $pull: pull,
  $pullAll: pullAll,
  $rename: rename,
  $currentDate: currentDate,
  $bit: bit,
};
/** null prototype: an operator name from the client can only find the operators listed here */
const OPERATORS: Record<string, OpFn> = Object.assign(Object.create(null) as Record<string, OpFn>, OPERATOR_LIST);

export function isOperatorUpdate(update: Document): boolean {
  const keys = Object.keys(update);
  return keys.length > 0 && keys[0].startsWith("$");
}

/** Field paths an operator update touches (positional parts stripped), checked for overlaps like mongod does. */
function checkConflicts(update: Document): void {
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    for (const f of Object.keys(fields as Document)) {
      const clean = f.split(".").filter((s) => s !== "$" && !s.startsWith("$[")).join(".");
      paths.push(clean);
      if (op === "$rename") paths.push(String((fields as Document)[f]));
    }
  }
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a === b || b.startsWith(a + ".")) {
      fail("ConflictingUpdateOperators", `Updating the path '${b}' would create a conflict at '${a}'`);
    }
  }
}

export function validateUpdate(update: unknown): void {
  if (Array.isArray(update)) return;
  if (!isPlainObject(update)) fail("FailedToParse", "Update argument must be either an object or an array");
  if (!isOperatorUpdate(update)) {
    for (const k of Object.keys(update)) {
      if (k.startsWith("$")) fail("DollarPrefixedFieldName", `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`);
    }
    return;
  }
  for (const [op, fields] of Object.entries(update)) {
    if (!op.startsWith("$")) fail("FailedToParse", `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!OPERATORS[op]) fail("FailedToParse", `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!isPlainObject(fields)) fail("FailedToParse", `Modifiers operate on fields but we found type ${typeName(fields)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${formatValue(fields)}}`);
    for (const [field, arg] of Object.entries(fields)) {
      // $rename reports `$` in either path itself ("may not be dynamic"), so only empty names are checked here
      validateUpdatePath(field, op !== "$rename");
      if (op === "$rename" && typeof arg === "string") validateUpdatePath(arg, false);
    }
  }
  checkConflicts(update);
}

/**
 * A field path of an operator update, as mongod checks it: no empty path or segment (EmptyFieldName), and no
 * `$`-prefixed segment besides the positional `$`, `$[]` and `$[id]` (DollarPrefixedFieldName). Names such as
 * `__proto__` or `constructor` are ordinary fields and pass.
 */
function validateUpdatePath(path: string, checkDollar: boolean): void {
  if (path === "") fail("EmptyFieldName", "An empty update path is not valid.");
  const segs = path.split(".");
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg === "") fail("EmptyFieldName", `The update path '${path}' contains an empty field name, which is not allowed.`);
    if (!checkDollar || !seg.startsWith("$")) continue;
    const positional = seg === "$" || (seg.startsWith("$[") && seg.endsWith("]"));
    if (positional && i === 0) fail("BadValue", `Cannot have positional (i.e. '$') element in the first position in path '${path}'`);
    if (!positional) {
      fail("DollarPrefixedFieldName", `The dollar ($) prefixed field '${seg}' in '${path}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`);
    }
  }
}

function assertIdUnchanged(before: Document, after: Document): void {
  if (before._id === undefined) return;
  if (after._id === undefined || keyOf(after._id) !== keyOf(before._id)) {
    fail("ImmutableField", `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
}

/** Puts _id first as mongod stores it. */
function idFirst(doc: Document): Document {
  if (!("_id" in doc) || Object.keys(doc)[0] === "_id") return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/**
 * Applies `update` to a copy of `doc` and returns the new document. Replacement documents keep the old _id;
 * pipelines are run through mingo on the document's view.
 */
export function applyUpdate(doc: Document, update: Document | Document[], ctx: UpdateContext): Document {
  if (Array.isArray(update)) {
    const view = viewOf(doc);
    const [out] = aggregate(update, [view], () => [], ctx.variables, undefined, (v) => (v === view ? doc : undefined));
    if (!out) fail("BadValue", "pipeline update produced no document");
    const next = canonical(clone(out)) as Document;
    if (doc._id !== undefined && next._id === undefined) next._id = doc._id;
    assertIdUnchanged(doc, next);
    return idFirst(next);
  }
  if (!isOperatorUpdate(update)) {
    const next = clone(update);
    if (doc._id !== undefined) {
      if (next._id !== undefined && keyOf(next._id) !== keyOf(doc._id)) {
        fail("ImmutableField", `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(next._id)}`);
      }
      return { _id: doc._id, ...next };
    }
    return idFirst(next);
  }
  const next = clone(doc);
  const filters = compileArrayFilters(ctx.arrayFilters);
  for (const [op, fields] of Object.entries(update)) {
    const fn = OPERATORS[op];
    for (const [field, arg] of Object.entries(fields as Document)) {
      if (op === "$rename" && (field.includes("$") || String(arg).includes("$"))) fail("BadValue", "The source field for $rename may not be dynamic");
      const targets = field.includes("$") ? expandPaths(next, field.split("."), ctx, filters, field) : [field.split(".")];
      for (const segs of targets) fn(next, segs, arg, ctx, field);
    }
  }
  assertIdUnchanged(doc, next);
  return idFirst(next);
}

/** Index of the first array element matched by the query, for the positional `$` operator. */
export function positionalIndex(filter: Document | undefined, view: Document): number | undefined {
  if (!filter) return undefined;
  const conjuncts: [string, unknown][] = [];
  const collect = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === "$and" && Array.isArray(v)) v.forEach((x) => isPlainObject(x) && collect(x));
      else if (!k.startsWith("$")) conjuncts.push([k, v]);
    }
  };
  collect(filter);
  for (const [path, cond] of conjuncts) {
    const segs = path.split(".");
    let node: unknown = view;
    for (let i = 0; i < segs.length; i++) {
      if (Array.isArray(node)) {
        const rest = segs.slice(i).join(".");
        const p = compileFilter({ [rest]: cond });
        const idx = node.findIndex((el) => p(isPlainObject(el) ? el : { [rest]: el }));
        if (idx >= 0) return idx;
        break;
      }
      if (node === null || typeof node !== "object") break;
      node = ownField(node, segs[i]);
    }
    if (Array.isArray(node)) {
      const match = elementMatcher(isPlainObject(cond) && "$elemMatch" in cond ? (cond as Document).$elemMatch : cond);
      const idx = node.findIndex((el) => match(el));
      if (idx >= 0) return idx;
    }
  }
  return undefined;
}

/** Seed document for an upsert: the query's equality conditions, with dotted paths expanded. */
export function upsertSeed(filter: Document | undefined): Document {
  const seed: Document = {};
  const collect = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === "$and" && Array.isArray(v)) {
        v.forEach((x) => isPlainObject(x) && collect(x));
        continue;
      }
      if (k.startsWith("$")) continue;
      let val: unknown = v;
      if (isPlainObject(v)) {
        const keys = Object.keys(v);
        if (keys.length > 0 && keys[0].startsWith("$")) {
          if (keys.length === 1 && "$eq" in v) val = v.$eq;
          else continue;
        }
      }
      try {
        setAt(seed, k.split("."), clone(val));
      } catch {
        // conflicting equality paths ("a" and "a.b") — mongod rejects too, but the update below decides
      }
    }
  };
  if (filter) collect(filter);
  return seed;
}
