/** Namespace and index commands. */
import { UUID, type Document } from "bson";
import { fail } from "../engine/errors";
import { compileFilter } from "../engine/mingo";
import { isPlainObject, keyOf, viewOf } from "../engine/types";
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

const create: Handler = (cmd, ctx) => {
  const name = collName(cmd, "create");
  const { create: _n, $db: _d, lsid: _l, txnNumber: _t, autocommit: _a, startTransaction: _s, writeConcern: _w, $clusterTime: _c, ...options } = cmd;
  const existing = ctx.engine.coll(ctx.db, name);
  if (existing) {
    if (keyOf(existing.options) === keyOf(options)) return { ok: 1 };
    fail("NamespaceExists", `Collection ${ctx.db}.${name} already exists.`);
  }
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
  let entries: Document[] = [...(colls?.values() ?? [])].map((c) => ({
    name: c.name,
    type: "collection",
    options: c.options,
    info: { readOnly: false, uuid: uuidOf(c) },
    idIndex: { v: 2, key: { _id: 1 }, name: "_id_" },
  }));
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
  for (const c of colls?.values() ?? []) {
    objects += c.docs.size;
    indexes += c.indexes.size + 1;
  }
  return { db: ctx.db, collections: colls?.size ?? 0, views: 0, objects, indexes, dataSize: 0, storageSize: 0, indexSize: 0, ok: 1 };
};

const collStats: Handler = (cmd, ctx) => {
  const name = collName(cmd, "collStats");
  const c = ctx.engine.coll(ctx.db, name);
  if (!c) fail("NamespaceNotFound", `Collection [${ctx.db}.${name}] not found.`);
  return { ns: c.ns, count: c.docs.size, size: 0, storageSize: 0, nindexes: c.indexes.size + 1, totalIndexSize: 0, indexSizes: {}, ok: 1 };
};

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
  collMod: () => ({ ok: 1 }),
  validate: (cmd, ctx) => ({ ns: `${ctx.db}.${String(cmd.validate)}`, valid: true, errors: [], warnings: [], ok: 1 }),
};
