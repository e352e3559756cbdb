/**
 * Collection validators (`validator`, `validationLevel`, `validationAction` of create/collMod): a query
 * filter, a `$jsonSchema`, or both. A failing write gets DocumentValidationFailure (121) with mongod's
 * `errInfo: {failingDocumentId, details: {operatorName, ...}}`; "moderate" leaves updates of documents
 * that were already invalid alone; "warn" lets everything through.
 */
import type { Document } from "bson";
import type { Collection } from "./collection";
import { fail, MongoServerError } from "./errors";
import { schemaCheck, schemaFailures } from "./json-schema";
import { compileFilter, type Predicate } from "./mingo";
import { isPlainObject, typeName, viewOf } from "./types";

export type ValidationLevel = "off" | "strict" | "moderate";
export type ValidationAction = "error" | "warn";

const LEVELS = new Set(["off", "strict", "moderate"]);
const ACTIONS = new Set(["error", "warn", "errorAndLog"]);

/** Checks the validation options of create/collMod as mongod does. */
export function checkValidationOptions(o: Document): void {
  if (o.validationLevel !== undefined && !LEVELS.has(o.validationLevel)) {
    fail("BadValue", `Enumeration value '${String(o.validationLevel)}' for field 'validationLevel' is not a valid value.`);
  }
  if (o.validationAction !== undefined && !ACTIONS.has(o.validationAction)) {
    fail("BadValue", `Enumeration value '${String(o.validationAction)}' for field 'validationAction' is not a valid value.`);
  }
  if (o.validator !== undefined) {
    if (!isPlainObject(o.validator)) fail("TypeMismatch", "'validator' option must be an object");
    compileValidator(o.validator);
  }
}

interface Compiled {
  schema?: Document;
  query?: Document;
  predicate: Predicate;
}

function compileValidator(validator: Document): Compiled {
  const { $jsonSchema, ...query } = validator;
  for (const k of ["$where", "$near", "$nearSphere", "$text"]) {
    if (k in query) fail("InvalidOptions", `${k} is not allowed in collection validators`);
  }
  if ($jsonSchema !== undefined) schemaCheck($jsonSchema);
  const hasQuery = Object.keys(query).length > 0;
  return { schema: $jsonSchema as Document | undefined, query: hasQuery ? query : undefined, predicate: compileFilter(hasQuery ? query : {}) };
}

export class Validator {
  private readonly compiled: Compiled;

  constructor(
    readonly validator: Document,
    readonly level: ValidationLevel,
    readonly action: ValidationAction,
  ) {
    this.compiled = compileValidator(validator);
  }

  matches(doc: Document): boolean {
    const { schema, predicate } = this.compiled;
    if (schema && schemaFailures(schema, doc).length > 0) return false;
    return predicate(viewOf(doc));
  }

  /**
   * Throws 121 when `doc` (the result of a write) fails, unless the level or action lets it through.
   * `before` is the document an update replaces (undefined for an insert).
   */
  check(doc: Document, before: Document | undefined): void {
    if (this.level === "off" || this.action === "warn") return;
    if (this.matches(doc)) return;
    if (before && this.level === "moderate" && !this.matches(before)) return;
    throw new MongoServerError([121, "DocumentValidationFailure"], "Document failed validation", {
      errInfo: { failingDocumentId: doc._id, details: this.explain(doc) },
    });
  }

  /** mongod's errInfo.details for a failing document. */
  private explain(doc: Document): Document {
    const { schema, query } = this.compiled;
    const parts: Document[] = [];
    if (schema) {
      const rules = schemaFailures(schema, doc);
      if (rules.length) parts.push({ operatorName: "$jsonSchema", ...(schema.title ? { title: schema.title } : {}), schemaRulesNotSatisfied: rules });
    }
    if (query) {
      const clauses = Object.entries(query).map(([k, v]) => ({ [k]: v }));
      const failing = clauses.map((c, index) => ({ index, c })).filter(({ c }) => !compileFilter(c)(viewOf(doc)));
      if (failing.length === 1 && !schema && clauses.length === 1) return explainClause(failing[0]!.c, doc);
      parts.push(...failing.map(({ c }) => explainClause(c, doc)));
    }
    if (parts.length === 1) return parts[0]!;
    return { operatorName: "$and", clausesNotSatisfied: parts.map((details, index) => ({ index, details })) };
  }
}

const REASONS: Record<string, string> = {
  $type: "type did not match",
  $in: "no matching value found in array",
  $nin: "matching value found in array",
  $exists: "path does not exist",
  $regex: "regular expression did not match",
  $size: "array length was not equal to given size",
  $all: "array did not contain all specified values",
  $elemMatch: "array did not satisfy the child predicate",
  $not: "child expression matched",
  $mod: "considered value was not a multiple of the given divisor",
};

/** One top-level clause of a query validator, explained the way mongod does (operatorName, specifiedAs, reason, consideredValue). */
function explainClause(clause: Document, doc: Document): Document {
  const [k, v] = Object.entries(clause)[0]!;
  if (k === "$and" || k === "$or" || k === "$nor") {
    const subs = Array.isArray(v) ? (v as Document[]) : [];
    const failing = subs.map((s, index) => ({ index, s })).filter(({ s }) => (k === "$nor" ? compileFilter(s)(viewOf(doc)) : !compileFilter(s)(viewOf(doc))));
    return { operatorName: k, clausesNotSatisfied: failing.map(({ index, s }) => ({ index, details: explainClause(s, doc) })) };
  }
  if (k === "$expr") return { operatorName: "$expr", specifiedAs: clause, reason: "expression did not match", expressionResult: false };
  if (k.startsWith("$")) return { operatorName: k, specifiedAs: clause };
  const value = pathValue(doc, k);
  const ops = isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((o) => o.startsWith("$")) ? Object.entries(v) : [["$eq", v] as [string, unknown]];
  const failing = ops.filter(([op, arg]) => !compileFilter({ [k]: op === "$eq" && ops.length === 1 && !isPlainObject(v) ? v : { [op]: arg } })(viewOf(doc)));
  const one = (op: string, arg: unknown): Document => {
    const specifiedAs = { [k]: op === "$eq" && !isPlainObject(v) ? arg : { [op]: arg } };
    if (value === undefined && op !== "$exists") return { operatorName: op, specifiedAs, reason: "field was missing" };
    const out: Document = { operatorName: op, specifiedAs, reason: REASONS[op] ?? "comparison failed", consideredValue: value };
    if (op === "$type") out.consideredType = typeName(value);
    return out;
  };
  if (failing.length === 1) return one(failing[0]![0], failing[0]![1]);
  return { operatorName: "$and", clausesNotSatisfied: failing.map(([op, arg], index) => ({ index, details: one(op, arg) })) };
}

function pathValue(doc: Document, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split(".")) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** keyed by the options object: collMod replaces a collection's options with a new one */
const compiledFor = new WeakMap<Document, Validator | null>();

/** The collection's validator, or null; recompiled when its options change (collMod). */
export function validatorOf(c: Collection): Validator | null {
  const o = c.options;
  if (o.validator === undefined) return null;
  const cached = compiledFor.get(o);
  if (cached !== undefined) return cached;
  const v = isPlainObject(o.validator) && Object.keys(o.validator).length > 0
    ? new Validator(o.validator, (o.validationLevel ?? "strict") as ValidationLevel, (o.validationAction === "warn" ? "warn" : "error") as ValidationAction)
    : null;
  compiledFor.set(o, v);
  return v;
}
