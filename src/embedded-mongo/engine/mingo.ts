/**
 * The single gateway to mingo. Everything that evaluates MongoDB query/aggregation language goes through
 * here so that (1) one options object — and therefore mingo's one shared operator context — is reused for
 * every call, (2) mingo's errors are translated into MongoDB-shaped server errors in one place, and
 * (3) the cheap cases (plain equality filters) skip mingo entirely.
 */
import { Aggregator, Query } from "mingo";
type Options = NonNullable<ConstructorParameters<typeof Query>[1]>;
import type { Document } from "bson";
import { fail, MongoServerError } from "./errors";
import { keyOf, toView } from "./types";

export type Predicate = (view: Document) => boolean;

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

/**
 * Filters made only of `field: scalar` pairs on top-level fields are matched by hashed key comparison; an
 * array-valued field falls back to mingo (MongoDB equality also matches array elements).
 */
function simpleEquality(filter: Document): Predicate | null {
  const keys = Object.keys(filter);
  if (keys.length > 4) return null;
  const wants: [string, string][] = [];
  for (const k of keys) {
    if (k.startsWith("$") || k.includes(".")) return null;
    const v = filter[k];
    if (!isScalarForFastPath(v)) return null;
    wants.push([k, keyOf(v)]);
  }
  return (doc) => {
    for (const [k, want] of wants) {
      const v = doc[k];
      if (Array.isArray(v)) return slowTest(filter, doc);
      if (v === undefined || keyOf(v) !== want) return false;
    }
    return true;
  };
}

function slowTest(filter: Document, doc: Document): boolean {
  try {
    return new Query(filter, BASE_OPTS).test(doc);
  } catch (e) {
    translate(e);
  }
}

const MATCH_ALL: Predicate = () => true;

export function compileFilter(filter: Document | undefined | null): Predicate {
  if (!filter || Object.keys(filter).length === 0) return MATCH_ALL;
  filter = toView(filter) as Document;
  const fast = simpleEquality(filter);
  if (fast) return fast;
  let q: Query;
  try {
    q = new Query(filter, BASE_OPTS);
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
  try {
    return new Query({}, BASE_OPTS).find<Document>(docs, projection).all();
  } catch (e) {
    translate(e);
  }
}

export function aggregate(
  pipeline: Document[],
  docs: Document[],
  resolver: (coll: string) => Document[],
  variables?: Document,
): Document[] {
  try {
    const opts: Options = { ...BASE_OPTS, collectionResolver: resolver, variables };
    return new Aggregator(pipeline, opts).run(docs);
  } catch (e) {
    translate(e);
  }
}
