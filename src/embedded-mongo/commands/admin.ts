/**
 * Handshake and server-level commands. The server presents itself as the primary of a single-member replica
 * set: the driver only sends transactions and retryable writes to replica-set members, and with
 * directConnection=true the topology stays Single while the server type becomes RSPrimary.
 */
import { ObjectId, type Document } from "bson";
import { fail } from "../engine/errors";
import type { Handler } from "./context";
import { rememberAppName } from "./failpoints";
import { isPlainObject } from "../engine/types";
import { MAX_MESSAGE_SIZE } from "../wire";

export const REPLICA_SET_NAME = "limelight";
/** MongoDB 7.0's wire version; the driver (7.x) requires at least 8 */
const MAX_WIRE_VERSION = 21;
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
const MAX_WRITE_BATCH_SIZE = 100_000;
const SESSION_TIMEOUT_MINUTES = 30;
/** constant election id: this primary never changes, so the driver never sees a stale one */
const ELECTION_ID = new ObjectId("7fffffff0000000000000001");

const hello: Handler = (cmd, ctx) => {
  const me = `${ctx.server.host}:${ctx.server.port}`;
  const legacy = "isMaster" in cmd || "ismaster" in cmd;
  const reply: Document = {
    hosts: [me],
    setName: REPLICA_SET_NAME,
    setVersion: 1,
    [legacy ? "ismaster" : "isWritablePrimary"]: true,
    secondary: false,
    primary: me,
    me,
    electionId: ELECTION_ID,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: SESSION_TIMEOUT_MINUTES,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
  if (cmd.helloOk) reply.helloOk = true;
  // the handshake names the client application; the failCommand fail point can target it (data.appName)
  if (isPlainObject(cmd.client) && isPlainObject(cmd.client.application)) rememberAppName(ctx.engine, ctx.connectionId, cmd.client.application.name);
  return reply;
};

const buildInfo: Handler = () => ({
  version: "7.0.0",
  gitVersion: "limelight-embedded",
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ["limelight"],
  javascriptEngine: "none",
  modules: [],
  ok: 1,
});

const getParameter: Handler = (cmd) => {
  const all: Document = {
    featureCompatibilityVersion: { version: "7.0" },
    transactionLifetimeLimitSeconds: 60,
    maxTransactionLockRequestTimeoutMillis: 5,
    authenticationMechanisms: [],
  };
  if (cmd.getParameter === "*") return { ...all, ok: 1 };
  const out: Document = { ok: 1 };
  for (const k of Object.keys(cmd)) if (Object.hasOwn(all, k)) out[k] = all[k];
  return out;
};

const listDatabases: Handler = (cmd, ctx) => {
  const dbs = [...ctx.engine.dbs.entries()].map(([name, colls]) => {
    let docs = 0;
    for (const c of colls.values()) docs += c.docs.size;
    return { name, sizeOnDisk: docs * 256, empty: docs === 0 };
  });
  if (cmd.nameOnly) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
  return { databases: dbs, totalSize: dbs.reduce((a, d) => a + d.sizeOnDisk, 0), totalSizeMb: 0, ok: 1 };
};

const serverStatus: Handler = (_cmd, ctx) => ({
  host: `${ctx.server.host}:${ctx.server.port}`,
  version: "7.0.0",
  process: "mongod",
  uptime: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
  localTime: new Date(),
  connections: { current: 0 },
  metrics: { queryExecutor: { ...ctx.engine.planCounters }, cursor: { open: { total: ctx.cursors.size } } },
  transactions: { currentActive: ctx.engine.activeTxns.size },
  ok: 1,
});

const ok: Handler = () => ({ ok: 1 });

export const adminCommands: Record<string, Handler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  getCmdLineOpts: () => ({ argv: ["mongod"], parsed: {}, ok: 1 }),
  hostInfo: () => ({ system: { hostname: "localhost" }, os: { type: process.platform }, extra: {}, ok: 1 }),
  whatsmyuri: (_c, ctx) => ({ you: `${ctx.server.host}:0`, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  listDatabases,
  serverStatus,
  getFreeMonitoringStatus: () => ({ state: "disabled", ok: 1 }),
  logout: ok,
  saslStart: () => fail("CommandNotFound", "Authentication is not enabled on this server"),
};
