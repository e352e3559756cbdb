/**
 * The unified test format's "Evaluating Matches" rules: root documents may carry extra fields,
 * nested ones may not; numbers compare by value across int/long/double; `$$` operators.
 * A mismatch throws a MatchError naming the path, so a failure report points at the field.
 */
import { Binary, Decimal128, EJSON, Long, ObjectId, type Document } from "bson";

export class MatchError extends Error {}

export interface MatchContext {
  entities: Map<string, unknown>;
}

export function assertMatches(expected: unknown, actual: unknown, ctx: MatchContext, root = true, path = "$"): void {
  // the driver keeps some command fields (sort, hint) as a Map until serialization
  if (actual instanceof Map) actual = Object.fromEntries(actual);
  if (isPlainDoc(expected)) {
    const keys = Object.keys(expected);
    if (keys.length === 1 && keys[0]!.startsWith("$$")) return specialOperator(keys[0]!, expected[keys[0]!], actual, ctx, root, path);
    if (!isDocLike(actual)) fail(path, `expected a document, got ${show(actual)}`);
    const act = actual as Document;
    for (const key of keys) {
      const want = expected[key];
      const here = `${path}.${key}`;
      if (isPlainDoc(want)) {
        const [op] = Object.keys(want);
        if (Object.keys(want).length === 1 && op === "$$exists") {
          const present = act[key] !== undefined;
          if (present !== Boolean(want.$$exists)) fail(here, want.$$exists ? "expected the field to exist" : `expected no field, got ${show(act[key])}`);
          continue;
        }
        if (Object.keys(want).length === 1 && op === "$$unsetOrMatches") {
          if (act[key] === undefined) continue;
          assertMatches(want.$$unsetOrMatches, act[key], ctx, false, here);
          continue;
        }
      }
      if (act[key] === undefined && !(isPlainDoc(want) && Object.keys(want)[0] === "$$type")) fail(here, `missing (expected ${show(want)})`);
      assertMatches(want, act[key], ctx, false, here);
    }
    if (!root) {
      const extra = Object.keys(act).filter((k) => !(k in expected) && act[k] !== undefined);
      if (extra.length > 0) fail(path, `unexpected field(s) ${extra.join(", ")} in nested document ${show(act)}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) fail(path, `expected an array, got ${show(actual)}`);
    if (actual.length !== expected.length) fail(path, `expected ${expected.length} element(s), got ${actual.length}: ${show(actual)}`);
    expected.forEach((want, i) => assertMatches(want, actual[i], ctx, false, `${path}[${i}]`));
    return;
  }
  if (!scalarEquals(expected, actual)) fail(path, `expected ${show(expected)}, got ${show(actual)}`);
}

/** Cursor results (find, aggregate, listIndexes…) are arrays whose elements are each root documents. */
export function assertMatchesRootArray(expected: unknown, actual: unknown, ctx: MatchContext): void {
  if (!Array.isArray(expected)) return assertMatches(expected, actual, ctx, true);
  if (!Array.isArray(actual)) fail("$", `expected an array, got ${show(actual)}`);
  if (actual.length !== expected.length) fail("$", `expected ${expected.length} document(s), got ${actual.length}: ${show(actual)}`);
  expected.forEach((want, i) => assertMatches(want, actual[i], ctx, true, `$[${i}]`));
}

function specialOperator(op: string, arg: unknown, actual: unknown, ctx: MatchContext, root: boolean, path: string): void {
  switch (op) {
    case "$$type": {
      const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
      if (actual === undefined) fail(path, `expected a value of type ${types.join("|")}, field is missing`);
      if (!types.some((t) => hasType(actual, t))) fail(path, `expected type ${types.join("|")}, got ${show(actual)}`);
      return;
    }
    case "$$exists":
      if ((actual !== undefined) !== Boolean(arg)) fail(path, `$$exists ${String(arg)} but got ${show(actual)}`);
      return;
    case "$$unsetOrMatches":
      if (actual === undefined) return;
      return assertMatches(arg, actual, ctx, root, path);
    case "$$matchesEntity": {
      if (!ctx.entities.has(arg as string)) throw new Error(`$$matchesEntity: no entity ${String(arg)}`);
      return assertMatches(ctx.entities.get(arg as string), actual, ctx, root, path);
    }
    case "$$matchesHexBytes": {
      const hex = Buffer.isBuffer(actual) || actual instanceof Uint8Array ? Buffer.from(actual).toString("hex") : actual instanceof Binary ? Buffer.from(actual.buffer).toString("hex") : undefined;
      if (hex?.toLowerCase() !== String(arg).toLowerCase()) fail(path, `expected bytes ${String(arg)}, got ${show(actual)}`);
      return;
    }
    case "$$sessionLsid": {
      const session = ctx.entities.get(arg as string) as { id?: Document } | undefined;
      if (!session?.id) throw new Error(`$$sessionLsid: no session entity ${String(arg)}`);
      return assertMatches(session.id, actual, ctx, false, path);
    }
    case "$$lte":
      if (typeof toNumber(actual) !== "number" || toNumber(actual)! > toNumber(arg)!) fail(path, `expected ≤ ${show(arg)}, got ${show(actual)}`);
      return;
    case "$$matchAsDocument": {
      if (typeof actual !== "string") fail(path, `$$matchAsDocument needs a JSON string, got ${show(actual)}`);
      return assertMatches(arg, EJSON.parse(actual), ctx, false, path);
    }
    case "$$matchAsRoot":
      return assertMatches(arg, actual, ctx, true, path);
    default:
      throw new Error(`unsupported match operator ${op}`);
  }
}

const TYPE_OF: Record<string, (v: unknown) => boolean> = {
  // the driver decodes 1.0 to the JS number 1, so any JS number may have been a double on the wire
  double: (v) => typeof v === "number" || bsontype(v) === "Double",
  string: (v) => typeof v === "string",
  object: (v) => isDocLike(v),
  array: (v) => Array.isArray(v),
  binData: (v) => v instanceof Binary || Buffer.isBuffer(v) || v instanceof Uint8Array,
  objectId: (v) => v instanceof ObjectId,
  bool: (v) => typeof v === "boolean",
  date: (v) => v instanceof Date,
  null: (v) => v === null,
  regex: (v) => v instanceof RegExp || bsontype(v) === "BSONRegExp",
  javascript: (v) => bsontype(v) === "Code",
  // a driver-decoded int arrives as a JS number: an integer counts as int (or long, below)
  int: (v) => (typeof v === "number" && isInt32(v)) || bsontype(v) === "Int32",
  timestamp: (v) => bsontype(v) === "Timestamp",
  long: (v) => v instanceof Long || typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v)),
  decimal: (v) => v instanceof Decimal128,
  minKey: (v) => bsontype(v) === "MinKey",
  maxKey: (v) => bsontype(v) === "MaxKey",
};
TYPE_OF.number = (v) => TYPE_OF.int!(v) || TYPE_OF.long!(v) || TYPE_OF.double!(v) || TYPE_OF.decimal!(v);

function hasType(v: unknown, type: string): boolean {
  const test = TYPE_OF[type];
  if (!test) throw new Error(`$$type: unknown type ${type}`);
  return test(v);
}

function scalarEquals(expected: unknown, actual: unknown): boolean {
  const e = toNumber(expected);
  const a = toNumber(actual);
  if (e !== undefined || a !== undefined) return e !== undefined && a !== undefined && e === a;
  if (expected === null || expected === undefined) return actual === null || (expected === undefined && actual === undefined);
  if (typeof expected !== "object") return expected === actual;
  return canonical(expected) === canonical(actual);
}

/** int32 / int64 / double compare by value; Decimal128 does not (the spec excludes it). */
function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Long) return v.toNumber();
  const t = bsontype(v);
  if (t === "Int32" || t === "Double") return (v as { valueOf(): number }).valueOf();
  return undefined;
}

function canonical(v: unknown): string {
  try {
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return EJSON.stringify({ v: new Binary(v) }, { relaxed: false });
    return EJSON.stringify({ v }, { relaxed: false });
  } catch {
    return String(v);
  }
}

function bsontype(v: unknown): string | undefined {
  return v !== null && typeof v === "object" ? (v as { _bsontype?: string })._bsontype : undefined;
}

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

export function isPlainDoc(v: unknown): v is Document {
  return v !== null && typeof v === "object" && !Array.isArray(v) && bsontype(v) === undefined && !(v instanceof Date) && !(v instanceof RegExp) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array);
}

function isDocLike(v: unknown): boolean {
  return isPlainDoc(v) || (v !== null && typeof v === "object" && (v as object).constructor?.name === "Object");
}

function fail(path: string, message: string): never {
  throw new MatchError(`${path}: ${message}`);
}

export function show(v: unknown): string {
  if (v === undefined) return "undefined";
  try {
    const s = EJSON.stringify(v as Document, { relaxed: true });
    return s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch {
    return String(v);
  }
}
