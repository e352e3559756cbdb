/** Namespace and index commands. */
import { UUID, type Document } from "bson";
import { fail } from "../engine/errors";
import { compileFilter } from "../engine/mingo";
import { isPlainObject, keyOf, viewOf } from "../engine/types";
import { failOnView, isView } from "../engine/engine";
import { checkValidationOptions } from "../engine/validation";
import { checkViewDefinition } from "./views";
import type { Collection } from "../engine/collection";
import type { CommandContext, Handler } from "./context";
import { collName } from "./crud";

/** Stable per-collection UUIDs for listCollections.info (drivers and tools display them). */
const uuids = new WeakMap<Collection, UUID>();
function uuidOf(c: Collection): UUID {
  let u = uuids.get(c);
  if (!u) uuids.set(c, (u = new UUID()));
  return u;
}

function noTxn(ctx: CommandContext, name: string): void {
  if (ctx.txn) fail("OperationNotSupportedInTransaction", `Cannot run '${name}' in a multi-document transaction.`);
}

/** Fields any command may carry that are not its own arguments. */
const GENERIC_FIELDS = new Set([
  "create", "$db", "lsid", "txnNumber", "autocommit", "startTransaction", "writeConcern", "readConcern", "$clusterTime",
  "$readPreference", "comment", "maxTimeMS", "apiVersion", "apiStrict", "apiDeprecationErrors",
]);

const create: Handler = (cmd, ctx) => {
  const name = collName(cmd, "create");
  const options: Document = {};
  // the collection's options: everything but the generic command fields (session, concerns, read preference, API version)
  for (const [k, v] of Object.entries(cmd)) if (!GENERIC_FIELDS.has(k)) options[k] = v;
  const existing = ctx.engine.coll(ctx.db, name);
  if (existing) {
    if (keyOf(existing.options) === keyOf(options)) return { ok: 1 };
    fail("NamespaceExists", `Collection ${ctx.db}.${name} already exists.`);
  }
  if (options.viewOn !== undefined || options.pipeline !== undefined) {
    checkViewDefinition(options.viewOn, options.pipeline);
    if (options.validator !== undefined) fail("InvalidOptions", "Cannot specify a validator on a view");
    noTxn(ctx, "create");
    options.pipeline ??= [];
  }
  checkValidationOptions(options);
  ctx.engine.ensureColl(ctx.db, name, ctx.rec, options);
  return { ok: 1 };
};

const drop: Handler = (cmd, ctx) => {
  noTxn(ctx, "drop");
  const name = collName(cmd, "drop");
  const c = ctx.engine.coll(ctx.db, name);
  const nIndexesWas = c ? c.indexes.size + 1 : 0;
  ctx.engine.dropColl(ctx.db, name, ctx.rec);
  return c ? { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 } : { ok: 1 };
};

const dropDatabase: Handler = (_cmd, ctx) => {
  noTxn(ctx, "dropDatabase");
  ctx.engine.dropDb(ctx.db, ctx.rec);
  return { dropped: ctx.db, ok: 1 };
};

const listCollections: Handler = (cmd, ctx) => {
  const colls = ctx.engine.dbs.get(ctx.db);
  let entries: Document[] = [...(colls?.values() ?? [])].map((c) =>
    isView(c)
      ? { name: c.name, type: "view", options: c.options, info: { readOnly: true } }
      : { name: c.name, type: "collection", options: c.options, info: { readOnly: false, uuid: uuidOf(c) }, idIndex: { v: 2, key: { _id: 1 }, name: "_id_" } },
  );
  if (isPlainObject(cmd.filter) && Object.keys(cmd.filter).length) {
    const p = compileFilter(cmd.filter);
    entries = entries.filter((e) => p(viewOf(e)));
  }
  if (cmd.nameOnly) entries = entries.map((e) => ({ name: e.name, type: e.type }));
  const batchSize = isPlainObject(cmd.cursor) && typeof cmd.cursor.batchSize === "number" ? cmd.cursor.batchSize : undefined;
  return { cursor: ctx.cursors.first(`${ctx.db}.$cmd.listCollections`, entries, batchSize), ok: 1 };
};

const createIndexes: Handler = (cmd, ctx) => {
  const name = collName(cmd, "createIndexes");
  const specs = cmd.indexes;
  if (!Array.isArray(specs) || specs.length === 0) fail("BadValue", "Must specify at least one index to create");
  if (ctx.txn && ctx.engine.coll(ctx.db, name)) fail("OperationNotSupportedInTransaction", "Cannot create new indexes on existing collection in a multi-document transaction.");
  const existed = !!ctx.engine.coll(ctx.db, name);
  const c = ctx.engine.ensureColl(ctx.db, name, ctx.rec);
  if (isView(c)) failOnView(c);
  const before = c.indexes.size + 1;
  let created = 0;
  for (const s of specs) {
    if (!isPlainObject(s)) fail("TypeMismatch", "index specification must be an object");
    if (ctx.engine.createIndex(c, s, ctx.rec) === "created") created++;
  }
  const reply: Document = {
    numIndexesBefore: before,
    numIndexesAfter: c.indexes.size + 1,
    createdCollectionAutomatically: !existed,
    ok: 1,
  };
  if (created === 0) reply.note = "all indexes already exist";
  return reply;
};

const listIndexes: Handler = (cmd, ctx) => {
  const name = collName(cmd, "listIndexes");
  const c = ctx.engine.coll(ctx.db, name);
  if (!c) fail("NamespaceNotFound", `ns does not exist: ${ctx.db}.${name}`);
  if (isView(c)) failOnView(c);
  const batchSize = isPlainObject(cmd.cursor) && typeof cmd.cursor.batchSize === "number" ? cmd.cursor.batchSize : undefined;
  return { cursor: ctx.cursors.first(`${ctx.db}.$cmd.listIndexes.${name}`, c.indexSpecs(), batchSize), ok: 1 };
};

const dropIndexes: Handler = (cmd, ctx) => {
  noTxn(ctx, "dropIndexes");
  const name = collName(cmd, Object.keys(cmd)[0]);
  const c = ctx.engine.coll(ctx.db, name);
  if (!c) fail("NamespaceNotFound", `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = c.indexes.size + 1;
  const which = cmd.index;
  let names: string[];
  if (which === "*") names = [...c.indexes.keys()];
  else if (typeof which === "string") names = [which];
  else if (Array.isArray(which)) names = which.map(String);
  else if (isPlainObject(which)) {
    const found = [...c.indexes.values()].find((i) => keyOf(i.keyPattern) === keyOf(which));
    if (!found) {
      if (keyOf(which) === keyOf({ _id: 1 })) fail("InvalidOptions", "cannot drop _id index");
      fail("IndexNotFound", `can't find index with key: ${JSON.stringify(which)}`);
    }
    names = [found.name];
  } else fail("TypeMismatch", "index must be a string, array or object");
  for (const n of names) {
    if (n === "_id_") fail("InvalidOptions", "cannot drop _id index");
    if (!c.indexes.has(n)) fail("IndexNotFound", `index not found with name [${n}]`);
  }
  for (const n of names) {
    c.indexes.delete(n);
    ctx.rec.push({ op: "dropIndex", db: ctx.db, coll: name, name: n });
  }
  return { nIndexesWas, ok: 1 };
};

const dbStats: Handler = (_cmd, ctx) => {
  const colls = ctx.engine.dbs.get(ctx.db);
  let objects = 0;
  let indexes = 0;
  let views = 0;
  for (const c of colls?.values() ?? []) {
    if (isView(c)) {
      views++;
      continue;
    }
    objects += c.docs.size;
    indexes += c.indexes.size + 1;
  }
  return { db: ctx.db, collections: (colls?.size ?? 0) - views, views, objects, indexes, dataSize: 0, storageSize: 0, indexSize: 0, ok: 1 };
};

const collStats: Handler = (cmd, ctx) => {
  const name = collName(cmd, "collStats");
  const c = ctx.engine.coll(ctx.db, name);
  if (!c) fail("NamespaceNotFound", `Collection [${ctx.db}.${name}] not found.`);
  return { ns: c.ns, count: c.docs.size, size: 0, storageSize: 0, nindexes: c.indexes.size + 1, totalIndexSize: 0, indexSizes: {}, ok: 1 };
};

/** Options collMod may change besides `index`, by kind of namespace. */
const COLLECTION_MODS = new Set(["validator", "validationLevel", "validationAction"]);
const VIEW_MODS = new Set(["viewOn", "pipeline"]);
const IGNORED_FIELDS = new Set([...GENERIC_FIELDS, "collMod"]);

/** collMod: validators and validation settings, a view's definition, an index's TTL or `hidden`. */
const collMod: Handler = (cmd, ctx) => {
  noTxn(ctx, "collMod");
  const name = collName(cmd, "collMod");
  const c = ctx.engine.coll(ctx.db, name);
  if (!c) fail("NamespaceNotFound", `ns does not exist: ${ctx.db}.${name}`);
  const view = isView(c);
  const next: Document = { ...c.options };
  for (const [k, v] of Object.entries(cmd)) {
    if (IGNORED_FIELDS.has(k) || k === "index") continue;
    if (view ? !VIEW_MODS.has(k) : !COLLECTION_MODS.has(k)) {
      if (view && COLLECTION_MODS.has(k)) fail("InvalidOptions", `option not supported on a view: ${k}`);
      if (!view && VIEW_MODS.has(k)) fail("InvalidOptions", `option only supported on a view: ${k}`);
      fail("InvalidOptions", `unknown option to collMod: ${k}`);
    }
    next[k] = v;
  }
  const reply: Document = {};
  if (cmd.index !== undefined) {
    if (view) fail("InvalidOptions", "option not supported on a view: index");
    Object.assign(reply, modifyIndex(ctx, c, cmd.index));
  }
  if (view) checkViewDefinition(next.viewOn, next.pipeline);
  else checkValidationOptions(next);
  if (keyOf(next) !== keyOf(c.options)) {
    c.options = next;
    ctx.rec.push({ op: "collMod", db: ctx.db, coll: name, options: next });
  }
  return { ...reply, ok: 1 };
};

/** collMod's `index: {keyPattern | name, expireAfterSeconds?, hidden?}`; the index is rebuilt with the new spec. */
function modifyIndex(ctx: CommandContext, c: Collection, raw: unknown): Document {
  if (!isPlainObject(raw)) fail("TypeMismatch", "'index' option must be a document");
  const byName = typeof raw.name === "string" ? raw.name : undefined;
  const byKey = isPlainObject(raw.keyPattern) ? raw.keyPattern : undefined;
  if ((byName === undefined) === (byKey === undefined)) fail("InvalidOptions", "must specify either index name or key pattern");
  const idx = byName !== undefined ? c.indexes.get(byName) : [...c.indexes.values()].find((i) => keyOf(i.keyPattern) === keyOf(byKey));
  if (!idx) fail("IndexNotFound", `cannot find index ${byName ?? JSON.stringify(byKey)} for ns ${c.ns}`);
  for (const k of Object.keys(raw)) {
    if (!["name", "keyPattern", "expireAfterSeconds", "hidden"].includes(k)) fail("InvalidOptions", `unknown index option to collMod: ${k}`);
  }
  const spec: Document = { ...idx.spec };
  const out: Document = {};
  if (raw.expireAfterSeconds !== undefined) {
    const secs = Number(raw.expireAfterSeconds);
    if (!Number.isFinite(secs) || secs < 0) fail("InvalidOptions", "expireAfterSeconds must be a non-negative number");
    if (idx.ttlSeconds === null) fail("InvalidOptions", "no expireAfterSeconds field to update");
    out.expireAfterSeconds_old = idx.ttlSeconds;
    out.expireAfterSeconds_new = secs;
    spec.expireAfterSeconds = secs;
  }
  if (raw.hidden !== undefined) {
    if (typeof raw.hidden !== "boolean") fail("TypeMismatch", "'hidden' must be a boolean");
    if (idx.name === "_id_") fail("BadValue", "can't hide _id index");
    out.hidden_old = idx.spec.hidden === true;
    out.hidden_new = raw.hidden;
    if (raw.hidden) spec.hidden = true;
    else delete spec.hidden;
  }
  if (keyOf(spec) !== keyOf(idx.spec)) {
    c.indexes.delete(idx.name);
    ctx.rec.push({ op: "dropIndex", db: c.db, coll: c.name, name: idx.name });
    ctx.engine.createIndex(c, spec, ctx.rec);
  }
  return out;
}

const renameCollection: Handler = (cmd, ctx) => {
  noTxn(ctx, "renameCollection");
  const from = String(cmd.renameCollection);
  const to = String(cmd.to);
  const [fdb, ...fr] = from.split(".");
  const [tdb, ...tr] = to.split(".");
  const src = ctx.engine.coll(fdb, fr.join("."));
  if (!src) fail("NamespaceNotFound", `Source collection ${from} does not exist`);
  if (ctx.engine.coll(tdb, tr.join("."))) {
    if (!cmd.dropTarget) fail("NamespaceExists", `target namespace exists`);
    ctx.engine.dropColl(tdb, tr.join("."), ctx.rec);
  }
  const dst = ctx.engine.ensureColl(tdb, tr.join("."), ctx.rec, src.options);
  for (const idx of src.indexes.values()) ctx.engine.createIndex(dst, idx.spec, ctx.rec);
  for (const e of src.docs.values()) if (e.doc) ctx.engine.insert(dst, e.doc, undefined, ctx.rec);
  ctx.engine.dropColl(fdb, fr.join("."), ctx.rec);
  return { ok: 1 };
};

export const ddlCommands: Record<string, Handler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  dbStats,
  dbstats: dbStats,
  collStats,
  renameCollection,
  collMod,
  validate: (cmd, ctx) => ({ ns: `${ctx.db}.${String(cmd.validate)}`, valid: true, errors: [], warnings: [], ok: 1 }),
};
