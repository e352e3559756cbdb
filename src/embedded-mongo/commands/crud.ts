/**
 * Document commands: insert, update, delete, find, getMore, killCursors, findAndModify, count, distinct.
 */
import type { Document } from "bson";
import type { Collection } from "../engine/collection";
import { failOnView, isView, type Row } from "../engine/engine";
import { fail, MongoServerError, toServerError } from "../engine/errors";
import { effectiveCollation, evaluateLet, foldString, project, type Collation, type QueryOptions } from "../engine/mingo";
import { applyUpdate, positionalIndex, upsertSeed, validateUpdate } from "../engine/update";
import { compareValues, isPlainObject, keyOf, numKind, pathValues, sameValue, toNumber, typeName } from "../engine/types";
import type { CommandContext, Handler } from "./context";
import { countOnView, distinctOnView, findOnView } from "./views";
import { hasTextMatch, isTextScoreMeta } from "../engine/text";
import { addArrayFields, splitArrayProjection } from "./projection";

export function collName(cmd: Document, key: string): string {
  const v = cmd[key];
  if (typeof v !== "string") fail("InvalidNamespace", `collection name has invalid type ${typeName(v)}`);
  if (v === "") fail("InvalidNamespace", `Invalid namespace specified '${v}'`);
  return v;
}

export function optNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (numKind(v) === null) fail("TypeMismatch", `Expected a number, got ${typeName(v)}`);
  return toNumber(v);
}

/** The command's collation, else the collection's default one; undefined means binary comparison. */
export function collationFor(raw: unknown, c: Collection | undefined): Collation | undefined {
  return effectiveCollation(raw ?? c?.options.collation);
}

function optDoc(v: unknown, what: string): Document | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) fail("TypeMismatch", `BSON field '${what}' is the wrong type '${typeName(v)}', expected type 'object'`);
  return v;
}

/** Write errors go into writeErrors; only a transaction-level failure aborts the whole command. */
function writeError(index: number, err: unknown, ctx: CommandContext): Document {
  const e = toServerError(err);
  if (ctx.txn && (e.code === 112 || e.code === 251)) throw e;
  const out: Document = { index, code: e.code, errmsg: e.message };
  if (e.extra.keyPattern) out.keyPattern = e.extra.keyPattern;
  if (e.extra.keyValue) out.keyValue = e.extra.keyValue;
  if (e.extra.errInfo) out.errInfo = e.extra.errInfo;
  return out;
}

function validateId(doc: Document): void {
  const id = doc._id;
  if (Array.isArray(id)) fail("InvalidIdField", "The '_id' value cannot be of type array");
  if (id instanceof RegExp) fail("InvalidIdField", "The '_id' value cannot be of type regex");
  if (isPlainObject(id)) {
    for (const k of Object.keys(id)) if (k.startsWith("$")) fail("DollarPrefixedFieldName", `_id fields may not contain '$'-prefixed fields: ${k} is not valid for storage.`);
  }
}

function withId(doc: Document, ctx: CommandContext): Document {
  if (doc._id !== undefined) {
    if (Object.keys(doc)[0] === "_id") return doc;
    const { _id, ...rest } = doc;
    return { _id, ...rest };
  }
  return { _id: ctx.engine.newId(), ...doc };
}

/** Waits out transaction locks on any of these rows; returns true when the caller must re-select. */
async function blocked(ctx: CommandContext, c: Collection, rows: Row[] | string[]): Promise<boolean> {
  if (ctx.txn || c.locks.size === 0) return false;
  const wait = ctx.engine.lockWait(c, rows.map((r) => (typeof r === "string" ? r : r.id)));
  if (!wait) return false;
  ctx.flush();
  await wait;
  return true;
}

// ------------------------------------------------------------------ insert

/** Type-checks one document to insert and puts its _id first (generating one when missing). */
function prepareInsert(raw: unknown, ctx: CommandContext): Document {
  if (!isPlainObject(raw)) fail("TypeMismatch", "document to insert must be an object");
  const doc = withId(raw, ctx);
  validateId(doc);
  return doc;
}

function insertReply(ctx: CommandContext, n: number, writeErrors: Document[]): Document {
  const reply: Document = { n, ok: 1 };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  ctx.flush(reply);
  return reply;
}

const insert: Handler = (cmd, ctx) => {
  const name = collName(cmd, "insert");
  const docs = cmd.documents;
  if (!Array.isArray(docs)) fail("TypeMismatch", "BSON field 'insert.documents' is missing or not an array");
  const ordered = cmd.ordered !== false;
  const c = ctx.engine.ensureColl(ctx.db, name, ctx.rec);
  // only another transaction's lock can make an insert wait, and none can be taken while this loop runs
  // without awaiting: without locks the whole batch runs synchronously, with no promise per command
  const bypass = cmd.bypassDocumentValidation === true;
  if (!ctx.txn && c.locks.size > 0) return insertWaitingForLocks(ctx, c, docs, ordered, bypass);
  const writeErrors: Document[] = [];
  let n = 0;
  for (let i = 0; i < docs.length; i++) {
    try {
      ctx.engine.insert(c, prepareInsert(docs[i], ctx), ctx.txn, ctx.rec, bypass);
      n++;
    } catch (e) {
      writeErrors.push(writeError(i, e, ctx));
      if (ordered) break;
    }
  }
  return insertReply(ctx, n, writeErrors);
};

async function insertWaitingForLocks(ctx: CommandContext, c: Collection, docs: unknown[], ordered: boolean, bypass: boolean): Promise<Document> {
  const writeErrors: Document[] = [];
  let n = 0;
  for (let i = 0; i < docs.length; i++) {
    try {
      const doc = prepareInsert(docs[i], ctx);
      const id = keyOf(doc._id);
      while (await blocked(ctx, c, [id])) {
        /* a transaction held this _id; re-check after it settles */
      }
      ctx.engine.insert(c, doc, ctx.txn, ctx.rec, bypass);
      n++;
    } catch (e) {
      writeErrors.push(writeError(i, e, ctx));
      if (ordered) break;
    }
  }
  return insertReply(ctx, n, writeErrors);
}

// ------------------------------------------------------------------ update

interface UpdateOutcome {
  n: number;
  nModified: number;
  upsertedId?: unknown;
  /** documents before/after, for findAndModify */
  before?: Document;
  after?: Document;
}

/**
 * One update statement. Selection and mutation happen without an intervening await, so the statement sees and
 * changes one consistent state; waiting for a transaction's lock restarts the selection.
 */
async function runUpdate(
  ctx: CommandContext,
  c: Collection,
  spec: { q?: Document; u: Document | Document[]; multi?: boolean; upsert?: boolean; arrayFilters?: Document[]; sort?: Document; hint?: unknown; bypass?: boolean } & QueryOptions,
): Promise<UpdateOutcome> {
  validateUpdate(spec.u);
  if (spec.multi && !Array.isArray(spec.u) && !Object.keys(spec.u)[0]?.startsWith("$") && Object.keys(spec.u).length > 0) {
    fail("FailedToParse", "multi update is not supported for replacement-style update");
  }
  const usesPositional = !Array.isArray(spec.u) && Object.values(spec.u).some((f) => isPlainObject(f) && Object.keys(f).some((k) => k === "$" || k.includes(".$.") || k.endsWith(".$")));
  for (;;) {
    const { rows } = ctx.engine.select(c, spec.q, { txn: ctx.txn, limit: spec.multi ? undefined : 1, sort: spec.sort, hint: spec.hint, variables: spec.variables, collation: spec.collation });
    if (await blocked(ctx, c, rows)) continue;
    if (rows.length === 0) {
      if (!spec.upsert) return { n: 0, nModified: 0 };
      if (!ctx.txn && c.locks.size > 0) {
        // an uncommitted transactional insert may be the match we are about to duplicate
        const seedId = spec.q && spec.q._id !== undefined && !isPlainObject(spec.q._id) ? keyOf(spec.q._id) : null;
        if (seedId && (await blocked(ctx, c, [seedId]))) continue;
      }
      const seed = Array.isArray(spec.u) || Object.keys(spec.u)[0]?.startsWith("$") ? upsertSeed(spec.q) : {};
      if (!Array.isArray(spec.u) && !Object.keys(spec.u)[0]?.startsWith("$") && spec.q?._id !== undefined && !isPlainObject(spec.q._id)) {
        seed._id = spec.q._id;
      }
      let doc = applyUpdate(seed, spec.u, { isInsert: true, arrayFilters: spec.arrayFilters, variables: spec.variables });
      if (doc._id === undefined && seed._id !== undefined) doc = { _id: seed._id, ...doc };
      doc = withId(doc, ctx);
      validateId(doc);
      ctx.engine.insert(c, doc, ctx.txn, ctx.rec, spec.bypass);
      return { n: 1, nModified: 0, upsertedId: doc._id, after: doc };
    }
    let nModified = 0;
    let before: Document | undefined;
    let after: Document | undefined;
    for (const row of rows) {
      // the positional match costs a per-element query evaluation, so only pay it when `$` is used
      const positional = usesPositional ? positionalIndex(spec.q, row.view) : undefined;
      const next = applyUpdate(row.doc, spec.u, { isInsert: false, positional, arrayFilters: spec.arrayFilters, variables: spec.variables });
      before ??= row.doc;
      if (!sameValue(next, row.doc)) {
        validateId(next);
        ctx.engine.replace(c, row.id, next, ctx.txn, ctx.rec, spec.bypass);
        nModified++;
        after ??= next;
      } else {
        after ??= row.doc;
      }
    }
    return { n: rows.length, nModified, before, after };
  }
}

const update: Handler = async (cmd, ctx) => {
  const name = collName(cmd, "update");
  const updates = cmd.updates;
  if (!Array.isArray(updates)) fail("TypeMismatch", "BSON field 'update.updates' is missing or not an array");
  const ordered = cmd.ordered !== false;
  // MongoDB 7.0 has no `sort` for update statements (it arrived in 8.0): the command fails to parse
  for (const s of updates) {
    if (isPlainObject(s) && s.sort !== undefined) throw new MongoServerError([40415, "Location40415"], "BSON field 'update.updates.sort' is an unknown field.");
  }
  const c = ctx.engine.ensureColl(ctx.db, name, ctx.rec);
  const variables = evaluateLet(cmd.let);
  const writeErrors: Document[] = [];
  const upserted: Document[] = [];
  let n = 0;
  let nModified = 0;
  for (let i = 0; i < updates.length; i++) {
    try {
      const s = updates[i] as Document;
      if (!isPlainObject(s)) fail("TypeMismatch", "update statement must be an object");
      if (s.u === undefined || (!isPlainObject(s.u) && !Array.isArray(s.u))) fail("FailedToParse", "BSON field 'update.updates.u' is missing or has the wrong type");
      const out = await runUpdate(ctx, c, {
        q: optDoc(s.q, "q") ?? {},
        u: s.u as Document,
        multi: !!s.multi,
        upsert: !!s.upsert,
        arrayFilters: s.arrayFilters as Document[] | undefined,
        hint: s.hint,
        variables,
        collation: collationFor(s.collation, c),
        bypass: cmd.bypassDocumentValidation === true,
      });
      n += out.n;
      nModified += out.nModified;
      if (out.upsertedId !== undefined) upserted.push({ index: i, _id: out.upsertedId });
    } catch (e) {
      writeErrors.push(writeError(i, e, ctx));
      if (ordered) break;
    }
  }
  const reply: Document = { n, nModified, ok: 1 };
  if (upserted.length) reply.upserted = upserted;
  if (writeErrors.length) reply.writeErrors = writeErrors;
  ctx.flush(reply);
  return reply;
};

// ------------------------------------------------------------------ delete

const del: Handler = async (cmd, ctx) => {
  const name = collName(cmd, "delete");
  const deletes = cmd.deletes;
  if (!Array.isArray(deletes)) fail("TypeMismatch", "BSON field 'delete.deletes' is missing or not an array");
  const ordered = cmd.ordered !== false;
  const c = ctx.engine.coll(ctx.db, name);
  if (isView(c)) failOnView(c!);
  const variables = evaluateLet(cmd.let);
  const writeErrors: Document[] = [];
  let n = 0;
  for (let i = 0; i < deletes.length; i++) {
    try {
      const s = deletes[i] as Document;
      const limit = optNumber(s.limit) ?? 0;
      if (limit !== 0 && limit !== 1) fail("FailedToParse", "The limit field in delete objects must be 0 or 1. Got " + limit);
      if (!c) continue;
      for (;;) {
        const { rows } = ctx.engine.select(c, optDoc(s.q, "q") ?? {}, { txn: ctx.txn, limit: limit || undefined, hint: s.hint, variables, collation: collationFor(s.collation, c) });
        if (await blocked(ctx, c, rows)) continue;
        for (const r of rows) ctx.engine.remove(c, r.id, ctx.txn, ctx.rec);
        n += rows.length;
        break;
      }
    } catch (e) {
      writeErrors.push(writeError(i, e, ctx));
      if (ordered) break;
    }
  }
  const reply: Document = { n, ok: 1 };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  ctx.flush(reply);
  return reply;
};

// ------------------------------------------------------------------ find

function applyProjection(docs: Document[], projection: Document | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  return project(docs, projection);
}

/** How a query's sort was served: by walking an index in `direction`, or in memory (no direction: a SORT stage). */
export interface ExplainSort {
  pattern: Document;
  direction?: "forward" | "backward";
}

export function explainPlan(ns: string, stage: string, indexName: string | undefined, c: Collection | undefined, filter: Document | undefined, stats?: { examined: number; returned: number }, sort?: ExplainSort): Document {
  const inputStage = indexName ? { stage: "FETCH", indexName, keyPattern: c?.indexes.get(indexName)?.keyPattern } : undefined;
  let winningPlan: Document = { stage, filter: filter ?? {} };
  if (indexName) {
    winningPlan.indexName = indexName;
    winningPlan.keyPattern = c?.indexes.get(indexName)?.keyPattern;
    winningPlan.direction = sort?.direction ?? "forward";
    winningPlan.inputStage = inputStage;
  }
  if (sort && !sort.direction) winningPlan = { stage: "SORT", sortPattern: sort.pattern, memLimit: 104857600, type: "simple", inputStage: winningPlan };
  const out: Document = {
    queryPlanner: { namespace: ns, parsedQuery: filter ?? {}, winningPlan, rejectedPlans: [] },
    serverInfo: { host: "localhost", port: 0, version: "7.0.0" },
    ok: 1,
  };
  if (stats) out.executionStats = { nReturned: stats.returned, totalDocsExamined: stats.examined, executionSuccess: true };
  return out;
}

function findRows(ctx: CommandContext, c: Collection | undefined, cmd: Document): { rows: Row[]; stage: string; indexName?: string; examined: number; sort?: ExplainSort } {
  const limitRaw = optNumber(cmd.limit);
  const limit = limitRaw === undefined ? undefined : Math.abs(limitRaw) || undefined;
  const skip = optNumber(cmd.skip);
  if (skip !== undefined && skip < 0) fail("BadValue", "BSON field 'skip' value must be >= 0, actual value '" + skip + "'");
  const sort = optDoc(cmd.sort, "sort");
  const { rows, plan, sortedByIndex, examined } = ctx.engine.select(c, optDoc(cmd.filter, "filter"), {
    txn: ctx.txn,
    sort,
    skip,
    limit,
    hint: cmd.hint,
    variables: evaluateLet(cmd.let),
    collation: collationFor(cmd.collation, c),
  });
  const sorting = sort && Object.keys(sort).length > 0 ? { pattern: sort, direction: sortedByIndex ? plan.sorted?.direction : undefined } : undefined;
  return { rows, stage: plan.stage, indexName: plan.indexName, examined, sort: sorting };
}

/** A projection's {$meta: "textScore"} fields, and the projection without them. */
function splitTextScore(projection: Document | undefined): { fields: string[]; rest: Document | undefined } {
  if (!projection) return { fields: [], rest: projection };
  const fields = Object.keys(projection).filter((k) => isTextScoreMeta(projection[k]));
  if (fields.length === 0) return { fields, rest: projection };
  const rest: Document = {};
  for (const [k, v] of Object.entries(projection)) if (!fields.includes(k)) rest[k] = v;
  return { fields, rest };
}

function noTextScore(): never {
  throw new MongoServerError([40218, "Location40218"], "query requires text score metadata, but it is not available");
}

export const find: Handler = (cmd, ctx) => {
  const name = collName(cmd, "find");
  const c = ctx.engine.coll(ctx.db, name);
  if (isView(c)) return findOnView(cmd, ctx, name);
  const { fields: scoreFields, rest: projection } = splitTextScore(optDoc(cmd.projection, "projection"));
  const sort = optDoc(cmd.sort, "sort");
  const hasText = hasTextMatch(cmd.filter);
  if (!hasText && (scoreFields.length > 0 || (sort && Object.values(sort).some(isTextScoreMeta)))) noTextScore();
  const { rows } = findRows(ctx, c, cmd);
  const arrayFields = splitArrayProjection(projection, optDoc(cmd.filter, "filter"));
  let docs = applyProjection(
    rows.map((r) => r.doc),
    arrayFields ? arrayFields.rest : projection,
  );
  if (arrayFields) docs = docs.map((d, i) => addArrayFields(d, rows[i]!.doc, rows[i]!.view, arrayFields.arrays));
  if (scoreFields.length) {
    docs = docs.map((d, i) => {
      const out: Document = { ...d };
      for (const f of scoreFields) out[f] = rows[i]!.score ?? 0;
      return out;
    });
  }
  const limit = optNumber(cmd.limit);
  const single = !!cmd.singleBatch || (limit !== undefined && limit < 0);
  return { cursor: ctx.cursors.first(`${ctx.db}.${name}`, docs, optNumber(cmd.batchSize), single), ok: 1 };
};

export function explainFind(cmd: Document, ctx: CommandContext, verbosity: string): Document {
  const name = collName(cmd, "find");
  const c = ctx.engine.coll(ctx.db, name);
  const { rows, stage, indexName, examined, sort } = findRows(ctx, c, cmd);
  return explainPlan(`${ctx.db}.${name}`, stage, indexName, c, cmd.filter as Document, verbosity === "queryPlanner" ? undefined : { examined, returned: rows.length }, sort);
}

const getMore: Handler = (cmd, ctx) => {
  const collection = typeof cmd.collection === "string" ? cmd.collection : "";
  return { cursor: ctx.cursors.more(cmd.getMore, collection, ctx.db, optNumber(cmd.batchSize)), ok: 1 };
};

const killCursors: Handler = (cmd, ctx) => {
  const ids = Array.isArray(cmd.cursors) ? cmd.cursors : [];
  const { killed, notFound } = ctx.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

// ------------------------------------------------------------------ findAndModify

const findAndModify: Handler = async (cmd, ctx) => {
  const name = collName(cmd, Object.keys(cmd)[0]);
  const remove = !!cmd.remove;
  const upd = cmd.update as Document | Document[] | undefined;
  if (remove && upd !== undefined) fail("FailedToParse", "Cannot specify both an update and remove=true");
  if (!remove && upd === undefined) fail("FailedToParse", "Either an update or remove=true must be specified");
  if (remove && cmd.upsert) fail("FailedToParse", "Cannot specify both upsert=true and remove=true");
  if (remove && cmd.new) fail("FailedToParse", "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
  const query = optDoc(cmd.query, "query") ?? {};
  const sort = optDoc(cmd.sort, "sort");
  const fields = optDoc(cmd.fields, "fields");
  const shape = (d: Document | undefined): Document | null => (d ? applyProjection([d], fields)[0] : null);
  const variables = evaluateLet(cmd.let);

  if (remove) {
    const c = ctx.engine.coll(ctx.db, name);
    if (isView(c)) failOnView(c!);
    if (!c) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    for (;;) {
      const { rows } = ctx.engine.select(c, query, { txn: ctx.txn, sort, limit: 1, hint: cmd.hint, variables, collation: collationFor(cmd.collation, c) });
      if (await blocked(ctx, c, rows)) continue;
      if (rows.length === 0) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
      ctx.engine.remove(c, rows[0].id, ctx.txn, ctx.rec);
      const reply = { lastErrorObject: { n: 1 }, value: shape(rows[0].doc), ok: 1 };
      ctx.flush(reply);
      return reply;
    }
  }
  const c = ctx.engine.ensureColl(ctx.db, name, ctx.rec);
  const out = await runUpdate(ctx, c, {
    q: query,
    u: upd!,
    upsert: !!cmd.upsert,
    arrayFilters: cmd.arrayFilters as Document[] | undefined,
    sort,
    hint: cmd.hint,
    variables,
    collation: collationFor(cmd.collation, c),
    bypass: cmd.bypassDocumentValidation === true,
  });
  const lastErrorObject: Document = { n: out.n, updatedExisting: out.n > 0 && out.upsertedId === undefined };
  if (out.upsertedId !== undefined) lastErrorObject.upserted = out.upsertedId;
  const value = cmd.new ? shape(out.after) : out.upsertedId !== undefined ? null : shape(out.before);
  const reply = { lastErrorObject, value, ok: 1 };
  ctx.flush(reply);
  return reply;
};

// ------------------------------------------------------------------ count / distinct

const count: Handler = (cmd, ctx) => {
  const name = collName(cmd, "count");
  const c = ctx.engine.coll(ctx.db, name);
  if (isView(c)) return countOnView(cmd, ctx, name);
  const skip = optNumber(cmd.skip) ?? 0;
  const limit = Math.abs(optNumber(cmd.limit) ?? 0);
  const query = optDoc(cmd.query, "query");
  const collation = collationFor(cmd.collation, c);
  if ((!query || Object.keys(query).length === 0) && !ctx.txn && c) {
    const total = Math.max(0, c.docs.size - skip);
    return { n: limit ? Math.min(limit, total) : total, ok: 1 };
  }
  const { rows } = ctx.engine.select(c, query, { txn: ctx.txn, skip, limit: limit || undefined, hint: cmd.hint, collation });
  return { n: rows.length, ok: 1 };
};

const distinct: Handler = (cmd, ctx) => {
  const name = collName(cmd, "distinct");
  if (typeof cmd.key !== "string") fail("TypeMismatch", "BSON field 'distinct.key' is missing or not a string");
  const c = ctx.engine.coll(ctx.db, name);
  if (isView(c)) return distinctOnView(cmd, ctx, name);
  const collation = collationFor(cmd.collation, c);
  const { rows } = ctx.engine.select(c, optDoc(cmd.query, "query"), { txn: ctx.txn, collation });
  const segs = cmd.key.split(".");
  const seen = new Map<string, unknown>();
  for (const r of rows) {
    for (const v of pathValues(r.doc, segs)) {
      if (v === undefined) continue;
      // values equal under the collation count once; the first one met is returned, as mongod does
      const k = collation && typeof v === "string" ? keyOf(foldString(v, collation)) : keyOf(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  const values = [...seen.values()].sort(compareValues);
  return { values, ok: 1 };
};

export const crudCommands: Record<string, Handler> = {
  insert,
  update,
  delete: del,
  find,
  getMore,
  killCursors,
  findAndModify,
  findandmodify: findAndModify,
  count,
  distinct,
};
