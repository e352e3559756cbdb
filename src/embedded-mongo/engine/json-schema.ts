/**
 * MongoDB's `$jsonSchema` (draft 4 plus `bsonType`, without `$ref`/`format`/`integer`): `schemaCheck`
 * validates a schema as mongod does when a validator is set (unknown keywords are FailedToParse), and
 * `schemaFailures` lists the rules a value does not satisfy in the shape of mongod's
 * `errInfo.details.schemaRulesNotSatisfied` (empty: the value matches).
 */
import type { Document } from "bson";
import { fail } from "./errors";
import { compareValues, isPlainObject, keyOf, numKind, toNumber, typeName } from "./types";

const KEYWORDS = new Set([
  "bsonType", "type", "enum", "required", "properties", "additionalProperties", "patternProperties", "minProperties",
  "maxProperties", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
  "pattern", "items", "additionalItems", "minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not",
  "dependencies", "title", "description",
]);
const BSON_TYPES = new Set([
  "double", "string", "object", "array", "binData", "undefined", "objectId", "bool", "date", "null", "regex", "dbPointer",
  "javascript", "symbol", "javascriptWithScope", "int", "timestamp", "long", "decimal", "minKey", "maxKey", "number",
]);
const JSON_TYPES = new Set(["object", "array", "number", "boolean", "string", "null"]);
const NUMERIC = new Set(["int", "long", "double", "decimal"]);

/** Throws FailedToParse for what mongod refuses in a $jsonSchema. */
export function schemaCheck(schema: unknown, path = "$jsonSchema"): void {
  if (!isPlainObject(schema)) fail("TypeMismatch", `${path} must be an object`);
  for (const [k, v] of Object.entries(schema)) {
    if (!KEYWORDS.has(k)) fail("FailedToParse", `Unknown $jsonSchema keyword: ${k}`);
    if (k === "bsonType" || k === "type") {
      const known = k === "bsonType" ? BSON_TYPES : JSON_TYPES;
      for (const t of Array.isArray(v) ? v : [v]) {
        if (typeof t !== "string" || !known.has(t)) fail("BadValue", `Unknown type name alias: ${String(t)}`);
      }
    }
    if (k === "required" && (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "string"))) {
      fail("FailedToParse", "$jsonSchema keyword 'required' must be a nonempty array of strings");
    }
    if ((k === "properties" || k === "patternProperties") && isPlainObject(v)) for (const [p, sub] of Object.entries(v)) schemaCheck(sub, `${path}.${k}.${p}`);
    if ((k === "additionalProperties" || k === "additionalItems") && isPlainObject(v)) schemaCheck(v, `${path}.${k}`);
    if (k === "items") for (const sub of Array.isArray(v) ? v : [v]) schemaCheck(sub, `${path}.items`);
    if (k === "allOf" || k === "anyOf" || k === "oneOf") {
      if (!Array.isArray(v) || v.length === 0) fail("FailedToParse", `$jsonSchema keyword '${k}' must be a nonempty array`);
      for (const sub of v) schemaCheck(sub, `${path}.${k}`);
    }
    if (k === "not") schemaCheck(v, `${path}.not`);
  }
}

function jsonType(v: unknown): string {
  const t = typeName(v);
  if (NUMERIC.has(t)) return "number";
  if (t === "bool") return "boolean";
  return t;
}

function typeMatches(v: unknown, wanted: unknown, json: boolean): boolean {
  const t = json ? jsonType(v) : typeName(v);
  return (Array.isArray(wanted) ? wanted : [wanted]).some((w) => w === t || (!json && w === "number" && NUMERIC.has(t)));
}

const typeFailure = (keyword: string, spec: unknown, v: unknown): Document => ({
  operatorName: keyword,
  specifiedAs: { [keyword]: spec },
  reason: "type did not match",
  consideredValue: v,
  consideredType: typeName(v),
});

/** The rules of `schema` that `v` does not satisfy (mongod's schemaRulesNotSatisfied), empty when it matches. */
export function schemaFailures(schema: Document, v: unknown): Document[] {
  const out: Document[] = [];
  const s = schema;
  if (s.bsonType !== undefined && !typeMatches(v, s.bsonType, false)) out.push(typeFailure("bsonType", s.bsonType, v));
  if (s.type !== undefined && !typeMatches(v, s.type, true)) out.push(typeFailure("type", s.type, v));
  if (Array.isArray(s.enum) && !s.enum.some((e) => keyOf(e) === keyOf(v) || compareValues(e, v) === 0)) {
    out.push({ operatorName: "enum", specifiedAs: { enum: s.enum }, reason: "value was not found in enum", consideredValue: v });
  }
  if (numKind(v)) numberRules(s, toNumber(v), v, out);
  if (typeof v === "string") stringRules(s, v, out);
  if (Array.isArray(v)) arrayRules(s, v, out);
  if (isPlainObject(v)) objectRules(s, v, out);
  for (const k of ["allOf", "anyOf", "oneOf"] as const) {
    if (!Array.isArray(s[k])) continue;
    const results = (s[k] as Document[]).map((sub) => schemaFailures(sub, v));
    const passing = results.filter((r) => r.length === 0).length;
    const ok = k === "allOf" ? passing === results.length : k === "anyOf" ? passing > 0 : passing === 1;
    if (!ok) {
      const failed = results.map((details, index) => ({ index, details })).filter((r) => r.details.length > 0);
      out.push(k === "oneOf" && passing > 1 ? { operatorName: k, specifiedAs: { [k]: s[k] }, reason: "more than one subschema matched", matchingSchemaIndexes: results.map((r, i) => (r.length === 0 ? i : -1)).filter((i) => i >= 0) } : { operatorName: k, schemasNotSatisfied: failed });
    }
  }
  if (isPlainObject(s.not) && schemaFailures(s.not, v).length === 0) out.push({ operatorName: "not", specifiedAs: { not: s.not }, reason: "child expression matched" });
  return out;
}

function numberRules(s: Document, n: number, v: unknown, out: Document[]): void {
  const cmp = (keyword: string, bad: boolean) => bad && out.push({ operatorName: keyword, specifiedAs: { [keyword]: s[keyword] }, reason: "comparison failed", consideredValue: v });
  if (s.minimum !== undefined) {
    const m = toNumber(s.minimum);
    cmp("minimum", s.exclusiveMinimum === true ? n <= m : n < m);
  }
  if (s.maximum !== undefined) {
    const m = toNumber(s.maximum);
    cmp("maximum", s.exclusiveMaximum === true ? n >= m : n > m);
  }
  if (s.multipleOf !== undefined) {
    const m = toNumber(s.multipleOf);
    if (m !== 0 && n % m !== 0) out.push({ operatorName: "multipleOf", specifiedAs: { multipleOf: s.multipleOf }, reason: "considered value is not a multiple of the specified value", consideredValue: v });
  }
}

function stringRules(s: Document, v: string, out: Document[]): void {
  const len = [...v].length;
  if (s.minLength !== undefined && len < toNumber(s.minLength)) out.push({ operatorName: "minLength", specifiedAs: { minLength: s.minLength }, reason: "specified string length was not satisfied", consideredValue: v });
  if (s.maxLength !== undefined && len > toNumber(s.maxLength)) out.push({ operatorName: "maxLength", specifiedAs: { maxLength: s.maxLength }, reason: "specified string length was not satisfied", consideredValue: v });
  if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(v)) out.push({ operatorName: "pattern", specifiedAs: { pattern: s.pattern }, reason: "regular expression did not match", consideredValue: v });
}

function arrayRules(s: Document, v: unknown[], out: Document[]): void {
  if (s.minItems !== undefined && v.length < toNumber(s.minItems)) out.push({ operatorName: "minItems", specifiedAs: { minItems: s.minItems }, reason: "array did not match specified length", consideredValue: v });
  if (s.maxItems !== undefined && v.length > toNumber(s.maxItems)) out.push({ operatorName: "maxItems", specifiedAs: { maxItems: s.maxItems }, reason: "array did not match specified length", consideredValue: v });
  if (s.uniqueItems === true && new Set(v.map(keyOf)).size !== v.length) out.push({ operatorName: "uniqueItems", specifiedAs: { uniqueItems: true }, reason: "found a duplicate item", consideredValue: v });
  if (isPlainObject(s.items)) {
    for (let i = 0; i < v.length; i++) {
      const details = schemaFailures(s.items, v[i]);
      if (details.length) {
        out.push({ operatorName: "items", reason: "At least one item did not match the sub-schema", itemIndex: i, details });
        break;
      }
    }
  } else if (Array.isArray(s.items)) {
    const schemas = s.items as Document[];
    for (let i = 0; i < Math.min(v.length, schemas.length); i++) {
      const details = schemaFailures(schemas[i]!, v[i]);
      if (details.length) out.push({ operatorName: "items", reason: "At least one item did not match the sub-schema", itemIndex: i, details });
    }
    if (v.length > schemas.length && s.additionalItems !== undefined) {
      const extra = v.slice(schemas.length);
      const bad = s.additionalItems === false || (isPlainObject(s.additionalItems) && extra.some((x) => schemaFailures(s.additionalItems as Document, x).length > 0));
      if (bad) out.push({ operatorName: "additionalItems", specifiedAs: { additionalItems: s.additionalItems }, reason: "found additional items", additionalItems: extra });
    }
  }
}

/** A field's own value: never one inherited from Object.prototype ("constructor", "__proto__") */
function own(o: Document, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

function objectRules(s: Document, v: Document, out: Document[]): void {
  const keys = Object.keys(v);
  if (Array.isArray(s.required)) {
    const missing = (s.required as string[]).filter((k) => own(v, k) === undefined);
    if (missing.length) out.push({ operatorName: "required", specifiedAs: { required: s.required }, missingProperties: missing });
  }
  if (s.minProperties !== undefined && keys.length < toNumber(s.minProperties)) out.push({ operatorName: "minProperties", specifiedAs: { minProperties: s.minProperties }, reason: "specified number of properties was not satisfied", numberOfProperties: keys.length });
  if (s.maxProperties !== undefined && keys.length > toNumber(s.maxProperties)) out.push({ operatorName: "maxProperties", specifiedAs: { maxProperties: s.maxProperties }, reason: "specified number of properties was not satisfied", numberOfProperties: keys.length });
  const props = isPlainObject(s.properties) ? s.properties : {};
  const notSatisfied: Document[] = [];
  for (const [name, sub] of Object.entries(props)) {
    if (own(v, name) === undefined || !isPlainObject(sub)) continue;
    const details = schemaFailures(sub, own(v, name));
    if (details.length) notSatisfied.push({ propertyName: name, details });
  }
  if (notSatisfied.length) out.push({ operatorName: "properties", propertiesNotSatisfied: notSatisfied });
  const patterns = isPlainObject(s.patternProperties) ? Object.entries(s.patternProperties).map(([p, sub]) => [new RegExp(p, "u"), sub as Document] as const) : [];
  const patternFailures: Document[] = [];
  for (const k of keys) {
    for (const [re, sub] of patterns) {
      if (!re.test(k)) continue;
      const details = schemaFailures(sub, v[k]);
      if (details.length) patternFailures.push({ propertyName: k, regexMatched: re.source, details });
    }
  }
  if (patternFailures.length) out.push({ operatorName: "patternProperties", details: patternFailures });
  if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
    const extra = keys.filter((k) => !Object.hasOwn(props, k) && !patterns.some(([re]) => re.test(k)));
    const bad = s.additionalProperties === false ? extra : extra.filter((k) => schemaFailures(s.additionalProperties as Document, v[k]).length > 0);
    if (bad.length) out.push({ operatorName: "additionalProperties", specifiedAs: { additionalProperties: s.additionalProperties }, additionalProperties: bad });
  }
  if (isPlainObject(s.dependencies)) {
    for (const [k, dep] of Object.entries(s.dependencies)) {
      if (own(v, k) === undefined) continue;
      const bad = Array.isArray(dep) ? dep.some((d) => own(v, String(d)) === undefined) : isPlainObject(dep) && schemaFailures(dep, v).length > 0;
      if (bad) out.push({ operatorName: "dependencies", specifiedAs: { dependencies: s.dependencies }, reason: "dependency not satisfied", dependency: k });
    }
  }
}
