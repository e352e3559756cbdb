/**
 * BSON value model of the store.
 *
 * Documents are stored in a "canonical" form that mingo can evaluate directly in the common case and that
 * still re-serializes to the exact BSON types the client sent:
 *  - int32 and non-integral doubles become plain JS numbers (bson writes integral in-range numbers back as
 *    int32 and everything else as double, so the type survives);
 *  - an integral double in int32 range (1.0) stays a `Double` wrapper, an int64 stays a `Long`, a decimal a
 *    `Decimal128` — these are the only values whose type a JS number cannot carry.
 * Documents containing such wrappers get a separate "view" (wrappers unboxed to numbers) for mingo.
 */
import { BSON, Decimal128, Double, Long, ObjectId, type Document } from "bson";
import { ownField, setField } from "./fields";

/** Deserializes without promotion so integral doubles and int64 keep their identity; see `canonical`. */
const RAW_OPTS: BSON.DeserializeOptions = { promoteValues: false, bsonRegExp: false, validation: { utf8: false } };

export function deserializeCanonical(buf: Uint8Array): Document {
  return canonical(BSON.deserialize(buf, RAW_OPTS)) as Document;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function isInt32Range(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0);
}

/** Converts a promoteValues:false tree into canonical form, in place where possible. */
export function canonical(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt !== undefined) {
    if (bt === "Int32") return (v as { value: number }).value;
    if (bt === "Double") {
      const n = (v as Double).value;
      return isInt32Range(n) ? v : n;
    }
    return v;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = canonical(v[i]);
    return v;
  }
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return v;
  // own keys only, and assignment to an own data property (even `__proto__`) never touches the prototype;
  // for-in with an own check rather than Object.keys: no array per object on this per-document path
  const o = v as Record<string, unknown>;
  for (const k in o) if (Object.hasOwn(o, k)) o[k] = canonical(o[k]);
  return o;
}

/** Wraps a JS number result so it serializes as a double even when integral (e.g. 1.5 + 0.5). */
export function asDouble(n: number): number | Double {
  return isInt32Range(n) ? new Double(n) : n;
}

export type NumKind = "int" | "long" | "double" | "decimal";

export function numKind(v: unknown): NumKind | null {
  if (typeof v === "number") return isInt32Range(v) ? "int" : "double";
  if (v !== null && typeof v === "object") {
    const bt = (v as { _bsontype?: string })._bsontype;
    if (bt === "Double") return "double";
    if (bt === "Long") return "long";
    if (bt === "Decimal128") return "decimal";
    if (bt === "Int32") return "int";
  }
  return null;
}

export function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt === "Long") return (v as Long).toNumber();
  if (bt === "Decimal128") return Number.parseFloat((v as Decimal128).toString());
  return (v as Double).value;
}

/** True when the tree holds a value mingo cannot compare as a number, so a separate view is needed. */
export function needsView(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt !== undefined) return bt === "Double" || bt === "Long" || bt === "Decimal128" || bt === "Int32";
  if (Array.isArray(v)) {
    for (const x of v) if (needsView(x)) return true;
    return false;
  }
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return false;
  // a read-only scan: an inherited key could only make a view be built needlessly
  for (const k in v as Document) if (needsView((v as Document)[k])) return true;
  return false;
}

/** Copy of the tree with numeric wrappers unboxed; shares unchanged subtrees. */
export function toView(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt !== undefined) {
    if (bt === "Double" || bt === "Long" || bt === "Decimal128" || bt === "Int32") return toNumber(v);
    return v;
  }
  if (Array.isArray(v)) return v.map(toView);
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return v;
  const out: Document = {};
  for (const k in v as Document) if (Object.hasOwn(v, k)) setField(out, k, toView((v as Document)[k]));
  return out;
}

export function viewOf(doc: Document): Document {
  return needsView(doc) ? (toView(doc) as Document) : doc;
}

/** Deep copy that keeps BSON wrapper instances (they are immutable) and dates. */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if ((v as { _bsontype?: string })._bsontype !== undefined) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (v instanceof RegExp || ArrayBuffer.isView(v)) return v;
  const out: Document = {};
  for (const k in v as Document) if (Object.hasOwn(v, k)) setField(out, k, clone((v as Document)[k]));
  return out as T;
}

export function isPlainObject(v: unknown): v is Document {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  if ((v as { _bsontype?: string })._bsontype !== undefined) return false;
  return !(v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v));
}

/** MongoDB's canonical BSON comparison order; numbers of different types compare by value. */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case "number":
    case "bigint":
      return 3;
    case "string":
      return 4;
    case "boolean":
      return 9;
  }
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt !== undefined) {
    switch (bt) {
      case "MinKey":
        return 1;
      case "MaxKey":
        return 13;
      case "Int32":
      case "Double":
      case "Long":
      case "Decimal128":
        return 3;
      case "BSONSymbol":
        return 4;
      case "Binary":
        return 7;
      case "ObjectId":
        return 8;
      case "Timestamp":
        return 11;
      case "BSONRegExp":
        return 12;
      default:
        return 5;
    }
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  if (ArrayBuffer.isView(v)) return 7;
  return 5;
}

export function typeName(v: unknown): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  const k = numKind(v);
  if (k) return k;
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "date";
  if (v instanceof RegExp) return "regex";
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt === "ObjectId") return "objectId";
  if (bt === "Binary") return "binData";
  if (bt === "Timestamp") return "timestamp";
  return "object";
}

function cmpPrim(a: number | string | boolean, b: number | string | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumbers(a: unknown, b: unknown): number {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka === "long" && kb === "long") return (a as Long).compare(b as Long);
  const x = toNumber(a);
  const y = toNumber(b);
  // NaN sorts before every other number in MongoDB
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return cmpPrim(x, y);
}

function bytesOf(v: unknown): Uint8Array {
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt === "Binary") return (v as BSON.Binary).buffer;
  return v as Uint8Array;
}

/** Total order over BSON values (no array descent — used for sorting keys and index ordering). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
      return cmpPrim(String(a), String(b));
    case 9:
      return cmpPrim(a as boolean, b as boolean);
    case 10:
      return cmpPrim((a as Date).getTime(), (b as Date).getTime());
    case 8:
      return Buffer.compare((a as ObjectId).id, (b as ObjectId).id);
    case 7: {
      const x = bytesOf(a);
      const y = bytesOf(b);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      return Buffer.compare(x, y);
    }
    case 11: {
      return (a as Long).compare(b as Long);
    }
    case 12:
      return cmpPrim(String(a), String(b));
    case 6: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      const n = Math.min(xa.length, xb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xa[i], xb[i]);
        if (c !== 0) return c;
      }
      return cmpPrim(xa.length, xb.length);
    }
    default: {
      const ka = Object.keys(a as Document);
      const kb = Object.keys(b as Document);
      const n = Math.min(ka.length, kb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues((a as Document)[ka[i]], (b as Document)[kb[i]]);
        if (c !== 0) return c;
        const kc = cmpPrim(ka[i], kb[i]);
        if (kc !== 0) return kc;
      }
      return cmpPrim(ka.length, kb.length);
    }
  }
}

/**
 * Hash key for equality lookups: equal BSON values (including 1, 1.0 and Long(1)) map to the same string.
 * Missing and null share a key because MongoDB indexes a missing field as null.
 */
export function keyOf(v: unknown): string {
  if (v === undefined || v === null) return "z";
  switch (typeof v) {
    case "string":
      return "s" + v;
    case "number":
      return "n" + (Object.is(v, -0) ? 0 : v);
    case "boolean":
      return v ? "b1" : "b0";
  }
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt !== undefined) {
    switch (bt) {
      case "ObjectId":
        return "o" + (v as ObjectId).toHexString();
      case "Long": {
        const l = v as Long;
        const n = l.toNumber();
        // beyond 2^53 a double cannot equal this long, so keep the exact digits
        return Number.isSafeInteger(n) ? "n" + n : "n" + l.toString();
      }
      case "Double":
      case "Int32":
      case "Decimal128":
        return "n" + toNumber(v);
      case "Binary":
        return "x" + (v as BSON.Binary).sub_type + ":" + Buffer.from((v as BSON.Binary).buffer).toString("base64");
      case "UUID":
        return "x4:" + Buffer.from((v as BSON.Binary).buffer).toString("base64");
      case "Timestamp":
        return "t" + (v as Long).toString();
      case "MinKey":
        return "-";
      case "MaxKey":
        return "+";
      default:
        return "?" + bt + JSON.stringify(v);
    }
  }
  if (v instanceof Date) return "d" + v.getTime();
  if (v instanceof RegExp) return "r/" + v.source + "/" + v.flags;
  if (Array.isArray(v)) return "[" + v.map(keyOf).join(",") + "]";
  if (ArrayBuffer.isView(v)) return "x0:" + Buffer.from(v as Uint8Array).toString("base64");
  let s = "{";
  for (const k in v as Document) if (Object.hasOwn(v, k)) s += JSON.stringify(k) + ":" + keyOf((v as Document)[k]) + ",";
  return s + "}";
}

/** Renders a value the way mongod prints it in error messages, e.g. `{ name: "x" }`. */
export function formatValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt === "ObjectId") return `ObjectId('${(v as ObjectId).toHexString()}')`;
  if (bt === "Long") return `${(v as Long).toString()}`;
  if (bt === "Double" || bt === "Int32") return String(toNumber(v));
  if (bt === "Decimal128") return `${(v as Decimal128).toString()}`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
  if (Array.isArray(v)) return "[ " + v.map(formatValue).join(", ") + " ]";
  if (bt !== undefined) return String(v);
  const parts = Object.keys(v as Document).map((k) => `${k}: ${formatValue((v as Document)[k])}`);
  return parts.length ? "{ " + parts.join(", ") + " }" : "{}";
}

/** Reads a dotted path without array traversal (numeric segments index arrays). */
export function getPath(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const seg of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = Array.isArray(cur) ? (/^\d+$/.test(seg) ? cur[Number(seg)] : undefined) : ownField(cur, seg);
  }
  return cur;
}

/**
 * All values a dotted path reaches, descending into arrays the way MongoDB's index key generator does:
 * an array at the leaf contributes each element (and [] contributes undefined-as-empty).
 */
export function pathValues(doc: unknown, segs: string[], i = 0, out: unknown[] = []): unknown[] {
  if (i === segs.length) {
    if (Array.isArray(doc)) {
      if (doc.length === 0) out.push(undefined);
      else for (const x of doc) out.push(x);
    } else out.push(doc);
    return out;
  }
  if (doc === null || typeof doc !== "object") {
    out.push(undefined);
    return out;
  }
  if (Array.isArray(doc)) {
    const seg = segs[i];
    if (/^\d+$/.test(seg)) return pathValues(doc[Number(seg)], segs, i + 1, out);
    if (doc.length === 0) out.push(undefined);
    for (const el of doc) pathValues(el, segs, i, out);
    return out;
  }
  return pathValues(ownField(doc, segs[i]), segs, i + 1, out);
}

export { Long, ObjectId, Double, Decimal128 };

/** Type-exact deep equality (1 and 1.0 differ), used to decide whether an update modified a document. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== "number" || Object.is(a, b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ta = (a as { _bsontype?: string })._bsontype;
  const tb = (b as { _bsontype?: string })._bsontype;
  if (ta !== tb) return false;
  if (ta !== undefined) return keyOf(a) === keyOf(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof RegExp || b instanceof RegExp || ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) return keyOf(a) === keyOf(b);
  const ka = Object.keys(a as Document);
  const kb = Object.keys(b as Document);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameValue((a as Document)[ka[i]], (b as Document)[kb[i]])) return false;
  }
  return true;
}

/** Sort key of a field for one direction: arrays sort by their smallest (asc) or largest (desc) element. */
export function sortKey(doc: Document, segs: string[], dir: number): unknown {
  const vals = pathValues(doc, segs);
  if (vals.length === 1) return vals[0];
  let best = vals[0];
  for (let i = 1; i < vals.length; i++) {
    const c = compareValues(vals[i], best);
    if ((dir > 0 && c < 0) || (dir < 0 && c > 0)) best = vals[i];
  }
  return best;
}
