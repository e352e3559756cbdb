/**
 * aggregate: mingo runs the pipeline on document views; a leading $match is answered by the planner so it
 * can use indexes, pass-through documents are returned in their type-exact stored form, and $out/$merge
 * write through the engine so they are journaled like any other write.
 */
import { createHash } from "node:crypto";
import { Binary, Long, UUID, type Document } from "bson";
import type { Collection } from "../engine/collection";
import { fail, MongoServerError } from "../engine/errors";
import { hasTextMatch, isTextScoreMeta } from "../engine/text";
import { aggregate as runPipeline, evaluateLet, type Collation } from "../engine/mingo";
import { canonical, clone, formatValue, isPlainObject, keyOf } from "../engine/types";
import type { CommandContext, Handler } from "./context";
import { collationFor, explainPlan, optNumber } from "./crud";
import { resolveView } from "./views";

function docsFor(
  ctx: CommandContext,
  c: Collection | undefined,
  filter?: Document,
  collation?: Collation,
  hint?: unknown,
  order?: { sort?: Document; limit?: number },
): { views: Document[]; raw: Map<Document, Document> } {
  const { rows } = ctx.engine.select(c, filter, { txn: ctx.txn, collation, hint, sort: order?.sort, limit: order?.limit });
  const raw = new Map<Document, Document>();
  const views = rows.map((r) => {
    if (r.score !== undefined) {
      // a $text match: the score rides along in a hidden field that {$meta: "textScore"} was rewritten to
      const v = { ...r.view, [TEXT_SCORE_FIELD]: r.score };
      raw.set(v, r.doc);
      return v;
    }
    if (r.view !== r.doc) raw.set(r.view, r.doc);
    return r.view;
  });
  return { views, raw };
}

/** where a $text match's score travels through the pipeline */
const TEXT_SCORE_FIELD = "__limelight_textScore";

/** {$meta: "textScore"} becomes a reference to the hidden score field; a $sort on it sorts by it, highest first. */
function rewriteTextScore(stages: Document[]): Document[] {
  const expr = (v: unknown): unknown => {
    if (isTextScoreMeta(v)) return `$${TEXT_SCORE_FIELD}`;
    if (Array.isArray(v)) return v.map(expr);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expr(x)]));
    return v;
  };
  return stages.map((st) => {
    const [name, arg] = Object.entries(st)[0]!;
    if (name === "$sort" && isPlainObject(arg)) {
      return { $sort: Object.fromEntries(Object.entries(arg).map(([k, d]) => (isTextScoreMeta(d) ? [TEXT_SCORE_FIELD, -1] : [k, d]))) };
    }
    return { [name]: expr(arg) };
  });
}

/**
 * A `$sort` on plain fields (1 / -1) right after the leading `$match`, and a `$limit` right after
 * it: the planner's sort (an index walk when one fits, else the engine's sort, mongod's order) and
 * limit answer them with the match, instead of mingo sorting every matched document.
 */
function leadingOrder(stages: Document[]): { sort?: Document; limit?: number; rest: Document[] } {
  const first = stages[0];
  if (!first || !isPlainObject(first.$sort)) return { rest: stages };
  const sort = first.$sort as Document;
  if (Object.keys(sort).length === 0 || !Object.values(sort).every((d) => d === 1 || d === -1)) return { rest: stages };
  const next = stages[1];
  const limit = next && typeof next.$limit === "number" && Number.isInteger(next.$limit) && next.$limit > 0 ? next.$limit : undefined;
  return { sort, limit, rest: stages.slice(limit === undefined ? 1 : 2) };
}

/** A plain $match (no $expr, no $text) the planner can answer with an index. */
function plainMatch(stage: unknown): Document | undefined {
  if (!isPlainObject(stage) || Object.keys(stage).length !== 1 || !isPlainObject(stage.$match)) return undefined;
  const m = stage.$match as Document;
  return "$expr" in m || "$text" in m ? undefined : m;
}

/** The views of another collection's documents, their stored documents added to `raw`: a union or lookup reads exact types too. */
function viewsOf(found: { views: Document[]; raw: Map<Document, Document> }, raw: Map<Document, Document>): Document[] {
  for (const [v, d] of found.raw) raw.set(v, d);
  return found.views;
}

/**
 * A sub-pipeline that opens with a plain $match — `$unionWith`, or a `$lookup` with a pipeline and
 * no `let`/`localField` (uncorrelated: the same documents for every input) — reads its collection
 * through the planner like a leading $match does, so it uses indexes instead of handing mingo every
 * document of that collection. The stage is pointed at the pre-filtered documents under a private
 * name that `resolve` answers; anything else keeps reading the whole collection.
 */
function prefilterSubPipelines(
  ctx: CommandContext,
  stages: Document[],
  collation: Collation | undefined,
  raw: Map<Document, Document>,
): { stages: Document[]; resolve: (name: string) => Document[] | undefined } {
  const filtered = new Map<string, Document[]>();
  const out = stages.map((st, i) => {
    const [name, arg] = Object.entries(st)[0]!;
    if (!isPlainObject(arg) || !Array.isArray(arg.pipeline)) return st;
    const from = name === "$unionWith" ? arg.coll : name === "$lookup" && arg.let === undefined && arg.localField === undefined ? arg.from : undefined;
    const match = typeof from === "string" ? plainMatch(arg.pipeline[0]) : undefined;
    if (match === undefined) return st;
    const key = `\u0000prefiltered:${i}`;
    filtered.set(key, viewsOf(docsFor(ctx, ctx.engine.coll(ctx.db, from as string), match, collation), raw));
    return { [name]: { ...arg, [name === "$unionWith" ? "coll" : "from"]: key, pipeline: arg.pipeline.slice(1) } };
  });
  return { stages: out, resolve: (name) => filtered.get(name) };
}

/**
 * Stages mingo evaluates without writing into its input documents. `$unionWith` only appends another
 * collection's documents after the input (mingo's concat): a pipeline of these runs on the stored
 * documents themselves, so an aggregate whose leading `$match` selects 150 stories does not first
 * deep-copy 150 stories.
 */
const NON_MUTATING = new Set(["$match", "$sort", "$limit", "$skip", "$count", "$group", "$project", "$sortByCount", "$facet", "$bucket", "$bucketAuto", "$sample", "$unionWith"]);

/** Whether a stage here or in a sub-pipeline ($facet's, $unionWith's, $lookup's) may write into its input. */
function mayMutate(stages: unknown): boolean {
  if (!Array.isArray(stages)) return false;
  return stages.some((st) => {
    if (!isPlainObject(st)) return false;
    const [name, arg] = Object.entries(st)[0] ?? [];
    if (name === undefined || !NON_MUTATING.has(name)) return true;
    if (name === "$facet") return isPlainObject(arg) && Object.values(arg).some(mayMutate);
    return name === "$unionWith" && isPlainObject(arg) && mayMutate(arg.pipeline);
  });
}

/** Copies of `docs` for a pipeline that writes into its input; each copy reads its stored document's exact types. */
function copiesOf(docs: Document[], raw: Map<Document, Document>): Document[] {
  return docs.map((v) => {
    const c = clone(v);
    if (raw.has(v)) raw.set(c, raw.get(v)!);
    return c;
  });
}

async function writeOut(ctx: CommandContext, stage: Document, results: Document[]): Promise<void> {
  const [op, arg] = Object.entries(stage)[0];
  let db = ctx.db;
  let coll: string;
  if (typeof arg === "string") coll = arg;
  else if (isPlainObject(arg)) {
    const target = op === "$merge" ? arg.into : arg;
    if (typeof target === "string") coll = target;
    else if (isPlainObject(target)) {
      db = typeof target.db === "string" ? target.db : db;
      coll = String(target.coll);
    } else fail("FailedToParse", `${op} requires a target collection`);
  } else fail("FailedToParse", `${op} requires a target collection`);
  const docs = results.map((d) => canonical(clone(d)) as Document);
  if (op === "$out") {
    ctx.engine.dropColl(db, coll, ctx.rec);
    const c = ctx.engine.ensureColl(db, coll, ctx.rec);
    for (const d of docs) {
      if (d._id === undefined) d._id = ctx.engine.newId();
      ctx.engine.insert(c, d, undefined, ctx.rec);
    }
    return;
  }
  const spec = isPlainObject(arg) ? arg : {};
  const whenMatched = spec.whenMatched ?? "merge";
  const whenNotMatched = spec.whenNotMatched ?? "insert";
  const c = ctx.engine.ensureColl(db, coll, ctx.rec);
  for (const d of docs) {
    if (d._id === undefined) d._id = ctx.engine.newId();
    const id = keyOf(d._id);
    const cur = c.docs.get(id);
    if (cur?.doc) {
      // mongod reports the clash on the _id index like any duplicate-key write error
      if (whenMatched === "fail") fail("DuplicateKey", `E11000 duplicate key error collection: ${c.ns} index: _id_ dup key: { _id: ${formatValue(d._id)} }`, { keyPattern: { _id: 1 }, keyValue: { _id: d._id } });
      if (whenMatched === "keepExisting") continue;
      const next = whenMatched === "replace" ? d : { ...cur.doc, ...d };
      ctx.engine.replace(c, id, next, ctx.txn, ctx.rec);
    } else {
      if (whenNotMatched === "discard") continue;
      if (whenNotMatched === "fail") fail("BadValue", "$merge could not find a matching document in the target collection");
      ctx.engine.insert(c, d, ctx.txn, ctx.rec);
    }
  }
}

/** Without authentication every session belongs to the same user, whose uid is the SHA-256 of the empty name. */
const NO_USER_UID = new Binary(createHash("sha256").update("").digest());

/** `$listLocalSessions`: the sessions this server has seen, as {_id: {id, uid}, lastUse}. */
function localSessions(ctx: CommandContext): Document[] {
  // session keys are the lsid UUID's hex; a client that sent another id type has no UUID to show
  return [...ctx.engine.sessions.values()].filter((s) => UUID.isValid(s.id)).map((s) => ({ _id: { id: new UUID(s.id), uid: NO_USER_UID }, lastUse: new Date(s.lastUse) }));
}

const aggregate: Handler = async (cmd, ctx) => {
  const pipeline = cmd.pipeline;
  if (!Array.isArray(pipeline)) fail("TypeMismatch", "'pipeline' option must be specified as an array");
  if (!isPlainObject(cmd.cursor) && !cmd.explain) fail("FailedToParse", "The 'cursor' option is required, except for aggregate with the explain argument");
  const target = cmd.aggregate;
  const collectionless = target === 1 || (typeof target === "number" && target === 1);
  if (!collectionless && typeof target !== "string") fail("InvalidNamespace", "aggregate target must be a collection name or 1");
  const ns = collectionless ? `${ctx.db}.$cmd.aggregate` : `${ctx.db}.${target}`;
  let c = collectionless ? undefined : ctx.engine.coll(ctx.db, target as string);

  let stages = pipeline as Document[];
  const view = resolveView(ctx.engine, ctx.db, c);
  if (view) {
    // a view: its source, through the view's pipeline first (its leading $match can then use indexes)
    c = view.source;
    stages = [...view.pipeline, ...stages];
  }
  for (const s of stages) if (!isPlainObject(s) || Object.keys(s).length !== 1) fail("Location40323", "A pipeline stage specification object must contain exactly one field.");
  const last = stages[stages.length - 1];
  const outStage = last && ("$out" in last || "$merge" in last) ? last : undefined;
  if (outStage) stages = stages.slice(0, -1);
  if (outStage && ctx.txn) fail("OperationNotSupportedInTransaction", `${Object.keys(outStage)[0]} cannot be used in a transaction`);
  const readConcern = isPlainObject(cmd.readConcern) ? cmd.readConcern.level : undefined;
  if (outStage && readConcern === "linearizable") fail("InvalidOptions", `readConcern level 'linearizable' is not allowed with ${Object.keys(outStage)[0]}`);

  let leadingMatch: Document | undefined;
  if (stages[0] && "$match" in stages[0] && isPlainObject(stages[0].$match) && !("$expr" in stages[0].$match)) {
    leadingMatch = stages[0].$match as Document;
    stages = stages.slice(1);
  }
  if (cmd.explain) {
    const { plan } = ctx.engine.select(c, leadingMatch, { txn: ctx.txn, limit: 1 });
    return explainPlan(ns, plan.stage, plan.indexName, c, leadingMatch);
  }
  const collation = collationFor(cmd.collation, c);
  // a $text match keeps mingo's sort (its score may be a sort key)
  const order = collectionless || hasTextMatch(leadingMatch) ? { rest: stages } : leadingOrder(stages);
  stages = order.rest;
  let { views, raw } = collectionless ? { views: [] as Document[], raw: new Map<Document, Document>() } : docsFor(ctx, c, leadingMatch, collation, cmd.hint, order);
  if (collectionless && stages[0] && "$listLocalSessions" in stages[0]) {
    views = localSessions(ctx);
    stages = stages.slice(1);
  }
  const sub = prefilterSubPipelines(ctx, stages, collation, raw);
  stages = sub.stages;
  // stored documents are shared with the store; stages that write into their input get copies, of
  // the other collections' documents too (a union's, a lookup's)
  const mutating = mayMutate(stages);
  const resolver = (name: string): Document[] => {
    const docs = sub.resolve(name) ?? viewsOf(docsFor(ctx, ctx.engine.coll(ctx.db, name)), raw);
    return mutating ? copiesOf(docs, raw) : docs;
  };
  const input = mutating ? copiesOf(views, raw) : views;
  const scored = leadingMatch !== undefined && views.length > 0 && TEXT_SCORE_FIELD in views[0]!;
  for (const st of stages) {
    if (isPlainObject(st.$match) && "$text" in st.$match) throw new MongoServerError([17313, "Location17313"], "$match with $text is only allowed as the first pipeline stage");
  }
  if (scored) stages = rewriteTextScore(stages);
  let results = stages.length ? runPipeline(stages, input, resolver, evaluateLet(cmd.let), collation, (v) => raw.get(v as Document)) : input;
  results = results.map((d) => raw.get(d) ?? d);
  if (scored) for (const d of results) if (TEXT_SCORE_FIELD in d) delete d[TEXT_SCORE_FIELD];
  if (outStage) {
    await writeOut(ctx, outStage, results);
    ctx.flush();
    return { cursor: { firstBatch: [], id: Long.ZERO, ns }, ok: 1 };
  }
  const cursor = cmd.cursor as Document;
  return { cursor: ctx.cursors.first(ns, results, optNumber(cursor.batchSize)), ok: 1 };
};

export const aggregateCommands: Record<string, Handler> = { aggregate };
