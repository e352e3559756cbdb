/**
 * The `$type` query operator with MongoDB's BSON types. mingo's own sees document views, whose numeric
 * wrappers are unboxed to JS numbers (so int, long and double look alike) and does not know ObjectId,
 * binData or timestamp; this one reads the field from the type-exact stored document behind the view.
 */
import type { Document } from "bson";
import { fail } from "./errors";
import { exactOf, typeName } from "./types";

/** BSON type numbers by alias, as $type accepts them */
const TYPE_CODES: Record<string, number> = {
  double: 1, string: 2, object: 3, array: 4, binData: 5, undefined: 6, objectId: 7, bool: 8, date: 9, null: 10,
  regex: 11, dbPointer: 12, javascript: 13, symbol: 14, javascriptWithScope: 15, int: 16, timestamp: 17, long: 18,
  decimal: 19, minKey: -1, maxKey: 127,
};
const VALID_CODES = new Set(Object.values(TYPE_CODES));
/** the "number" alias: every numeric type */
const NUMBER = 0;
const NUMERIC = new Set([1, 16, 18, 19]);

/** The type codes a `$type` argument names; unknown aliases and codes fail as mongod does (BadValue). */
export function typeCodes(spec: unknown): Set<number> {
  const out = new Set<number>();
  const list = Array.isArray(spec) ? spec : [spec];
  if (list.length === 0) fail("FailedToParse", "$type must match at least one type");
  for (const t of list) {
    if (typeof t === "string") {
      if (t === "number") out.add(NUMBER);
      else if (t in TYPE_CODES && Object.hasOwn(TYPE_CODES, t)) out.add(TYPE_CODES[t]!);
      else fail("BadValue", `Unknown type name alias: ${t}`);
    } else if (typeof t === "number" || (t !== null && typeof t === "object" && "valueOf" in (t as object))) {
      const n = Number(t);
      if (!Number.isInteger(n)) fail("BadValue", `Invalid numerical type code: ${n}`);
      if (!VALID_CODES.has(n)) fail("BadValue", `Invalid numerical type code: ${n}`);
      out.add(n);
    } else {
      fail("TypeMismatch", "type must be represented as a number or a string");
    }
  }
  return out;
}

function codeOf(v: unknown): number {
  return TYPE_CODES[typeName(v)] ?? 3;
}

function scalarMatches(v: unknown, codes: Set<number>): boolean {
  const code = codeOf(v);
  return codes.has(code) || (codes.has(NUMBER) && NUMERIC.has(code));
}

/** Whether a field value matches: an array matches "array" or by any of its elements. */
export function valueMatchesType(v: unknown, codes: Set<number>): boolean {
  if (v === undefined) return false;
  if (Array.isArray(v)) return codes.has(4) || v.some((e) => e !== undefined && scalarMatches(e, codes));
  return scalarMatches(v, codes);
}

type Resolve = (obj: unknown, selector: string, opts: { unwrapArray: boolean }) => unknown;
// mingo's subpath exports carry no types under this repo's node10 module resolution
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { resolve } = require("mingo/util") as { resolve: Resolve };

/** mingo query-operator signature: compiled once per (field, argument), then called per document. */
export function $typeQuery(selector: string, value: unknown): (obj: Document) => boolean {
  const codes = typeCodes(value);
  return (obj) => {
    const root = obj !== null && typeof obj === "object" ? exactOf(obj) : obj;
    return valueMatchesType(resolve(root, selector, { unwrapArray: true }), codes);
  };
}

/** Whether a filter uses `$type` anywhere (it then needs the query context with this operator). */
export function usesTypeOperator(filter: unknown): boolean {
  if (Array.isArray(filter)) return filter.some(usesTypeOperator);
  if (filter === null || typeof filter !== "object" || (filter as { _bsontype?: string })._bsontype !== undefined) return false;
  for (const k of Object.keys(filter)) {
    if (k === "$type") return true;
    if (usesTypeOperator((filter as Document)[k])) return true;
  }
  return false;
}
