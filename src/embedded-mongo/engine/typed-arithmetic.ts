/**
 * MongoDB's numeric typing for aggregation arithmetic, which mingo (working on plain JS numbers) cannot know:
 * int32 + int32 is int32 unless it overflows (then int64), anything with an int64 is int64 (exact, via
 * BigInt) unless that overflows (then double), doubles stay double, decimals stay decimal; `$type` reports
 * "int", "long", "double" or "decimal".
 *
 * mingo evaluates pipelines on document views whose wrappers are unboxed to numbers. These operators read a
 * field path from the stored (typed) document behind a view when there is one, so `$sum: "$qty"` over int64
 * fields yields an int64. They return a Long/Decimal128 only when an input had that type or an int32 result
 * overflowed; otherwise plain numbers, as mingo would. `aggregate` in mingo.ts re-views the documents
 * after each stage that computes values, so later stages compare such results as numbers.
 */
import { Decimal128, Long, type Document } from "bson";
import { Context } from "mingo";
import { $typeQuery } from "./type-query";
import { asDouble, getPath, isInt32Range, numKind, toNumber, typeName, type NumKind } from "./types";

type Options = object;
type ExpressionOp = (obj: unknown, expr: unknown, options: Options) => unknown;

// mingo's subpath exports carry no types under this repo's node10 module resolution; these are their signatures
/* eslint-disable @typescript-eslint/no-require-imports */
const { evalExpr } = require("mingo/core") as { evalExpr: ExpressionOp };
const { $add: mingoAdd, $multiply: mingoMultiply, $subtract: mingoSubtract } = require("mingo/operators/expression") as Record<"$add" | "$multiply" | "$subtract", ExpressionOp>;
const { $push: mingoPush } = require("mingo/operators/accumulator") as { $push: (coll: unknown[], expr: unknown, options: Options) => unknown[] };
/* eslint-enable @typescript-eslint/no-require-imports */

/** The typed document behind a view, set by `withTypedSource` for the duration of one synchronous run. */
let typedOf: ((view: object) => Document | undefined) | undefined;

export function withTypedSource<T>(lookup: ((view: object) => Document | undefined) | undefined, run: () => T): T {
  const saved = typedOf;
  typedOf = lookup;
  try {
    return run();
  } finally {
    typedOf = saved;
  }
}

/** A plain field path read from the typed stored document behind `obj`, or undefined when there is none. */
function typedField(obj: unknown, expr: unknown): unknown {
  if (typeof expr !== "string" || !expr.startsWith("$") || expr.startsWith("$$") || !typedOf || obj === null || typeof obj !== "object") return undefined;
  const typed = typedOf(obj);
  return typed ? getPath(typed, expr.slice(1)) : undefined;
}

/** Evaluates `expr` on `obj`, reading a plain field path from the typed stored document when available. */
function typedValue(obj: unknown, expr: unknown, options: Options): unknown {
  return typedField(obj, expr) ?? evalExpr(obj, expr, options);
}

const RANK: Record<NumKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function widest(values: unknown[]): NumKind {
  let kind: NumKind = "int";
  for (const v of values) {
    const k = numKind(v);
    if (k && RANK[k] > RANK[kind]) kind = k;
  }
  return kind;
}

function toBig(v: unknown): bigint {
  return numKind(v) === "long" ? (v as Long).toBigInt() : BigInt(Math.trunc(toNumber(v)));
}

/** Folds numbers with `op` under MongoDB's result-type rules; `big` is the exact int64 version of `op`. */
function combine(values: unknown[], op: (a: number, b: number) => number, big: (a: bigint, b: bigint) => bigint, start: number): unknown {
  const nums = values.filter((v) => numKind(v) !== null);
  const kind = widest(nums);
  if (kind === "decimal") {
    // decimals are computed in binary floating point: exact decimal arithmetic is beyond this store's scope
    return Decimal128.fromString(String(nums.reduce<number>((a, v) => op(a, toNumber(v)), start)));
  }
  // an integral double result keeps its type (a plain integral number would be written back as an int32)
  if (kind === "double") return asDouble(nums.reduce<number>((a, v) => op(a, toNumber(v)), start));
  const exact = nums.reduce<bigint>((a, v) => big(a, toBig(v)), BigInt(start));
  if (kind === "int") {
    const n = Number(exact);
    if (isInt32Range(n)) return n;
  }
  if (exact >= INT64_MIN && exact <= INT64_MAX) return Long.fromBigInt(exact);
  return Number(exact);
}

const plus = (a: number, b: number) => a + b;
const plusBig = (a: bigint, b: bigint) => a + b;

/** Only arrays of numbers whose type a plain JS number cannot carry need this module's help. */
function needsTyping(values: unknown[]): boolean {
  return values.some((v) => {
    const k = numKind(v);
    return k === "long" || k === "decimal" || (k === "int" && typeof v === "number");
  });
}

const $sumAccumulator = (coll: unknown[], expr: unknown, options: Options): unknown => {
  if (typeof expr === "number") expr = { $literal: expr };
  // $push evaluates the expression per document with that document as $$ROOT, as every accumulator must
  const values = mingoPush(coll, expr, options);
  return combine(coll.map((o, i) => typedField(o, expr) ?? values[i]), plus, plusBig, 0);
};

const $sumExpression = (obj: unknown, expr: unknown, options: Options): unknown => {
  // mingo resolves `$sum` as an expression first, also inside $group, where `obj` is the group's documents
  if (Array.isArray(obj)) return $sumAccumulator(obj, expr, options);
  const args = Array.isArray(expr) ? expr.map((e) => typedValue(obj, e, options)) : typedValue(obj, expr, options);
  // {$sum: [a, b]} sums the operands, {$sum: "$array"} the array's elements, {$sum: x} just x
  const values = Array.isArray(args) ? args : [args];
  return combine(values, plus, plusBig, 0);
};

/** $add/$multiply/$subtract: typed when all operands are numbers; dates and the rest go to mingo's own. */
function arithmetic(fallback: ExpressionOp, fold: (values: unknown[]) => unknown): ExpressionOp {
  return (obj, expr, options) => {
    if (!Array.isArray(expr)) return fallback(obj, expr, options);
    const values = expr.map((e) => typedValue(obj, e, options));
    if (values.some((v) => v === null || v === undefined)) return null;
    if (!values.every((v) => numKind(v) !== null) || !needsTyping(values)) return fallback(obj, expr, options);
    return fold(values);
  };
}

const $add = arithmetic(mingoAdd, (vs) => combine(vs, plus, plusBig, 0));
const $multiply = arithmetic(mingoMultiply, (vs) => combine(vs, (a, b) => a * b, (a, b) => a * b, 1));
const typedSubtract = arithmetic(mingoSubtract, (vs) => {
  const [a, b] = vs;
  // a - b as a + (-b) keeps the combine rules; negate b in its own type
  const neg = numKind(b) === "long" ? (b as Long).negate() : numKind(b) === "decimal" ? Decimal128.fromString(String(-toNumber(b))) : -toNumber(b);
  return combine([a, neg], plus, plusBig, 0);
});
const $subtract = (obj: unknown, expr: unknown, options: Options): unknown =>
  Array.isArray(expr) && expr.length === 2 ? typedSubtract(obj, expr, options) : mingoSubtract(obj, expr, options);

const $type = (obj: unknown, expr: unknown, options: Options): string => {
  const v = typedValue(obj, Array.isArray(expr) && expr.length === 1 ? expr[0] : expr, options);
  const name = typeName(v);
  if (name !== "object") return name;
  return v !== null && typeof v === "object" && (v as { _bsontype?: string })._bsontype === "Decimal128" ? "decimal" : name;
};

/* eslint-disable @typescript-eslint/no-require-imports */
const operators = (kind: string) => require(`mingo/operators/${kind}`) as never;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * All of mingo's operators with the ones above in place of its own. Built once: mingo's root Aggregator
 * merges a passed context *under* its defaults (first added wins), so this is used with its base Aggregator.
 */
export const TYPED_CONTEXT = Context.init({
  accumulator: { $sum: $sumAccumulator as never },
  query: { $type: $typeQuery as never },
  expression: { $sum: $sumExpression as never, $add: $add as never, $multiply: $multiply as never, $subtract: $subtract as never, $type: $type as never },
})
  .addAccumulatorOps(operators("accumulator"))
  .addExpressionOps(operators("expression"))
  .addPipelineOps(operators("pipeline"))
  .addProjectionOps(operators("projection"))
  .addQueryOps(operators("query"))
  .addWindowOps(operators("window"));
