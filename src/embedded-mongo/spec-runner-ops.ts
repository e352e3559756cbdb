/**
 * Unified-test-format operations mapped onto the official Node driver (the CRUD subset).
 * Each returns the operation's result in the shape `expectResult` describes, plus whether that
 * result is a cursor's documents (each element then matches as a root document).
 */
import {
  MongoClient,
  type AbstractCursor,
  type BulkWriteResult,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
} from "mongodb";

export interface OpContext {
  entities: Map<string, unknown>;
  /** run a nested operation (withTransaction's callback) with all the usual assertions */
  runNested(op: Document): Promise<void>;
  /** failpoints to switch off after the test, per client */
  failPoints: { client: MongoClient; name: string }[];
  /** events recorded per client entity id (for the lsid assertions) */
  startedCommands(clientId: string): Document[];
}

export interface OpResult {
  value: unknown;
  cursorResult: boolean;
}

/** Thrown for an operation the runner does not implement: reported as a runner gap, not an engine failure. */
export class UnsupportedOperation extends Error {}

export async function executeOperation(op: Document, ctx: OpContext): Promise<OpResult> {
  const target = ctx.entities.get(op.object);
  const args: Document = { ...(op.arguments ?? {}) };
  const options = driverOptions(args, ctx);
  const name: string = op.name;

  if (op.object === "testRunner") return { value: await testRunnerOperation(name, args, ctx), cursorResult: false };
  if (target === undefined) throw new Error(`no entity named ${op.object}`);

  if (target instanceof MongoClient) {
    switch (name) {
      case "listDatabases":
        return { value: (await target.db("admin").admin().listDatabases(options)).databases, cursorResult: true };
      case "listDatabaseNames":
        return { value: (await target.db("admin").admin().listDatabases(options)).databases.map((d) => d.name), cursorResult: false };
      case "clientBulkWrite": {
        // the format writes { insertOne: { namespace, … } }; the driver takes { name: "insertOne", namespace, … }
        const models = (args.models as Document[]).map((m) => {
          const [kind] = Object.keys(m);
          return { name: kind, ...m[kind!] };
        });
        const { models: _models, ...rest } = options;
        return { value: await target.bulkWrite(models as never, rest), cursorResult: false };
      }
    }
  } else if (isCollection(target)) {
    return collectionOperation(target, name, args, options);
  } else if (isDb(target)) {
    switch (name) {
      case "runCommand":
        return { value: await target.command(args.command, options), cursorResult: false };
      case "aggregate":
        return { value: await target.aggregate(args.pipeline, options).toArray(), cursorResult: true };
      case "createCollection":
        await target.createCollection(args.collection, options);
        return { value: undefined, cursorResult: false };
      case "dropCollection":
        await target.dropCollection(args.collection, options);
        return { value: undefined, cursorResult: false };
      case "listCollections":
        return { value: await target.listCollections(args.filter ?? {}, options).toArray(), cursorResult: true };
      case "listCollectionNames":
        return { value: (await target.listCollections(args.filter ?? {}, { ...options, nameOnly: true }).toArray()).map((c) => c.name), cursorResult: false };
      case "modifyCollection": {
        // the unified format names the collection in `collection`; the command takes it as collMod's value
        const { collection, ...mods } = stripSession(args);
        return { value: await target.command({ collMod: collection, ...mods }, options), cursorResult: false };
      }
    }
  } else if (isSession(target)) {
    switch (name) {
      case "startTransaction":
        target.startTransaction(options);
        return { value: undefined, cursorResult: false };
      case "commitTransaction":
        await target.commitTransaction();
        return { value: undefined, cursorResult: false };
      case "abortTransaction":
        await target.abortTransaction();
        return { value: undefined, cursorResult: false };
      case "endSession":
        await target.endSession();
        return { value: undefined, cursorResult: false };
      case "withTransaction": {
        const callback = (args.callback ?? []) as Document[];
        await target.withTransaction(async () => {
          for (const nested of callback) await ctx.runNested(nested);
        }, stripSession(options, ["callback"]));
        return { value: undefined, cursorResult: false };
      }
    }
  } else if (isCursor(target)) {
    switch (name) {
      case "iterateUntilDocumentOrError":
        return { value: await target.next(), cursorResult: false };
      case "iterateOnce":
        return { value: await target.tryNext(), cursorResult: false };
      case "close":
        await target.close();
        return { value: undefined, cursorResult: false };
    }
  }
  throw new UnsupportedOperation(`operation ${name} on ${op.object}`);
}

async function collectionOperation(c: Collection, name: string, a: Document, o: Document): Promise<OpResult> {
  const plain = (value: unknown): OpResult => ({ value, cursorResult: false });
  const opts = (...consumed: string[]) => stripSession(o, consumed);
  switch (name) {
    case "insertOne":
      return plain(await c.insertOne(a.document, opts("document")));
    case "insertMany":
      return plain(await c.insertMany(a.documents, opts("documents")));
    case "bulkWrite":
      return plain(bulkResult(await c.bulkWrite(a.requests, opts("requests"))));
    case "updateOne":
      return plain(await c.updateOne(a.filter, a.update, opts("filter", "update")));
    case "updateMany":
      return plain(await c.updateMany(a.filter, a.update, opts("filter", "update")));
    case "replaceOne":
      return plain(await c.replaceOne(a.filter, a.replacement, opts("filter", "replacement")));
    case "deleteOne":
      return plain(await c.deleteOne(a.filter, opts("filter")));
    case "deleteMany":
      return plain(await c.deleteMany(a.filter, opts("filter")));
    case "find":
      return { value: await c.find(a.filter ?? {}, opts("filter")).toArray(), cursorResult: true };
    case "findOne":
      return plain(await c.findOne(a.filter ?? {}, opts("filter")));
    case "findOneAndUpdate":
      return plain(await c.findOneAndUpdate(a.filter, a.update, returnDocument(opts("filter", "update"))));
    case "findOneAndReplace":
      return plain(await c.findOneAndReplace(a.filter, a.replacement, returnDocument(opts("filter", "replacement"))));
    case "findOneAndDelete":
      return plain(await c.findOneAndDelete(a.filter, opts("filter")));
    case "aggregate":
      return { value: await c.aggregate(a.pipeline, opts("pipeline")).toArray(), cursorResult: true };
    case "countDocuments":
      return plain(await c.countDocuments(a.filter ?? {}, opts("filter")));
    case "estimatedDocumentCount":
      return plain(await c.estimatedDocumentCount(opts()));
    case "count":
      return plain(await c.count(a.filter ?? {}, opts("filter")));
    case "distinct":
      return plain(await c.distinct(a.fieldName, a.filter ?? {}, opts("fieldName", "filter")));
    case "createIndex":
      return plain(await c.createIndex(a.keys, opts("keys")));
    case "dropIndex":
      return plain(await c.dropIndex(a.name, opts("name")));
    case "dropIndexes":
      return plain(await c.dropIndexes(opts()));
    case "listIndexes":
      return { value: await c.listIndexes(opts()).toArray(), cursorResult: true };
    case "drop":
      return plain(await c.drop(opts()));
    case "createFindCursor": {
      const cursor = c.find(a.filter ?? {}, opts("filter"));
      await cursor.hasNext(); // the operation is defined as sending the find command now
      return plain(cursor);
    }
    case "rename":
      return plain(await c.rename(a.to, opts("to")));
  }
  throw new UnsupportedOperation(`collection operation ${name}`);
}

async function testRunnerOperation(name: string, a: Document, ctx: OpContext): Promise<unknown> {
  switch (name) {
    case "failPoint": {
      const client = ctx.entities.get(a.client) as MongoClient;
      await client.db("admin").command(a.failPoint);
      ctx.failPoints.push({ client, name: a.failPoint.configureFailPoint });
      return undefined;
    }
    case "targetedFailPoint": {
      // the driver keeps a session's client on an untyped property
      const client = (ctx.entities.get(a.session) as ClientSession & { client: MongoClient }).client;
      await client.db("admin").command(a.failPoint);
      ctx.failPoints.push({ client, name: a.failPoint.configureFailPoint });
      return undefined;
    }
    case "assertCollectionExists":
    case "assertCollectionNotExists": {
      const client = anyClient(ctx);
      const names = (await client.db(a.databaseName).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      const exists = names.includes(a.collectionName);
      if (exists !== (name === "assertCollectionExists")) throw new Error(`${name}: ${a.databaseName}.${a.collectionName} ${exists ? "exists" : "does not exist"}`);
      return undefined;
    }
    case "assertIndexExists":
    case "assertIndexNotExists": {
      const client = anyClient(ctx);
      const names = (await client.db(a.databaseName).collection(a.collectionName).listIndexes().toArray().catch(() => [])).map((i) => i.name);
      const exists = names.includes(a.indexName);
      if (exists !== (name === "assertIndexExists")) throw new Error(`${name}: index ${a.indexName} ${exists ? "exists" : "does not exist"}`);
      return undefined;
    }
    case "assertSessionTransactionState": {
      const session = ctx.entities.get(a.session) as ClientSession & { transaction: { state: string } };
      const actual = TXN_STATE[session.transaction.state] ?? session.transaction.state;
      if (actual !== a.state) throw new Error(`session transaction state is ${actual}, expected ${a.state}`);
      return undefined;
    }
    case "assertSessionPinned":
    case "assertSessionUnpinned":
      // pinning only exists behind mongos; a single replica set member is never pinned
      if (name === "assertSessionPinned") throw new Error("session pinning does not apply to a replica set");
      return undefined;
    case "assertSameLsidOnLastTwoCommands":
    case "assertDifferentLsidOnLastTwoCommands": {
      const started = ctx.startedCommands(a.client);
      const [x, y] = started.slice(-2).map((e) => JSON.stringify(e.lsid));
      if ((x === y) !== (name === "assertSameLsidOnLastTwoCommands")) throw new Error(`${name}: lsids ${x} and ${y}`);
      return undefined;
    }
    case "assertSessionDirty":
    case "assertSessionNotDirty": {
      const session = ctx.entities.get(a.session) as { serverSession?: { isDirty?: boolean } };
      const dirty = Boolean(session.serverSession?.isDirty);
      if (dirty !== (name === "assertSessionDirty")) throw new Error(`${name}: session is ${dirty ? "" : "not "}dirty`);
      return undefined;
    }
  }
  throw new UnsupportedOperation(`testRunner operation ${name}`);
}

/** the driver's internal transaction states, in the spec's vocabulary */
const TXN_STATE: Record<string, string> = {
  NO_TRANSACTION: "none",
  STARTING_TRANSACTION: "starting",
  TRANSACTION_IN_PROGRESS: "in_progress",
  TRANSACTION_COMMITTED: "committed",
  TRANSACTION_COMMITTED_EMPTY: "committed",
  TRANSACTION_ABORTED: "aborted",
};

function anyClient(ctx: OpContext): MongoClient {
  for (const v of ctx.entities.values()) if (v instanceof MongoClient) return v;
  throw new Error("no client entity");
}

/** The spec's argument names equal the driver's option names, except for the session and returnDocument. */
function driverOptions(args: Document, ctx: OpContext): Document {
  const out: Document = { ...args };
  if (typeof args.session === "string") out.session = ctx.entities.get(args.session);
  return out;
}

function stripSession(o: Document, consumed: string[] = []): Document {
  const out: Document = { ...o };
  for (const k of consumed) delete out[k];
  return out;
}

function returnDocument(o: Document): Document {
  if (typeof o.returnDocument === "string") o.returnDocument = o.returnDocument.toLowerCase();
  return o;
}

/** BulkWriteResult exposes its counts as getters; expectResult matches a plain document. */
function bulkResult(r: BulkWriteResult): Document {
  return {
    insertedCount: r.insertedCount,
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    deletedCount: r.deletedCount,
    upsertedCount: r.upsertedCount,
    upsertedIds: r.upsertedIds,
    insertedIds: r.insertedIds,
  };
}

function isCollection(v: unknown): v is Collection {
  return v !== null && typeof v === "object" && typeof (v as Collection).insertOne === "function" && typeof (v as Collection).collectionName === "string";
}
function isDb(v: unknown): v is Db {
  return v !== null && typeof v === "object" && typeof (v as Db).collection === "function" && typeof (v as Db).databaseName === "string";
}
function isSession(v: unknown): v is ClientSession {
  return v !== null && typeof v === "object" && typeof (v as ClientSession).startTransaction === "function";
}
function isCursor(v: unknown): v is AbstractCursor {
  return v !== null && typeof v === "object" && typeof (v as AbstractCursor).tryNext === "function";
}
