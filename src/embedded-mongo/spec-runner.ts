/**
 * Fidelity yardstick: runs MongoDB's unified-format spec tests (the CRUD folder of
 * github.com/mongodb/specifications) against the embedded store through the official driver.
 *
 *   npm run spec:crud -- /tmp/spec/source/crud/tests/unified [--verbose] [--filter <text>] [--uri <mongodb uri>]
 *
 * The tests are licensed CC BY-NC-SA and are never copied into this repository: fetch them
 * elsewhere (see README.md). `--uri` runs the same tests against another server, to tell an engine
 * bug from a runner bug.
 *
 * Applicability: the store presents itself as one replica-set member; each runOnRequirements entry
 * is judged against what the server itself reports (buildInfo version, hello topology), with no
 * auth, no serverless, no client-side encryption.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { EJSON } from "bson";
import {
  MongoClient,
  MongoError,
  MongoServerError,
  ReadPreference,
  type ClientSession,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type CommandFailedEvent,
  type Document,
} from "mongodb";
import { startEmbeddedMongo } from "./index";
import { assertMatches, assertMatchesRootArray, MatchError, show, type MatchContext } from "./spec-runner-match";
import { executeOperation, UnsupportedOperation, type OpContext } from "./spec-runner-ops";

/**
 * Tests whose outcome the Node driver decides client-side, so they say nothing about the server.
 * Keyed by test description; each entry says what the driver does instead.
 */
const NODE_DRIVER_SKIPS: Record<string, string> = Object.fromEntries(
  [
    "Aggregate with $out passes bypassDocumentValidation: false",
    "BulkWrite passes bypassDocumentValidation: false",
    "FindOneAndReplace passes bypassDocumentValidation: false",
    "FindOneAndUpdate passes bypassDocumentValidation: false",
    "InsertMany passes bypassDocumentValidation: false",
  ]
    .map((d) => [d, "the Node driver leaves bypassDocumentValidation:false out of aggregate/insert(batch)/findAndModify; the test only inspects the command it sends"])
    .concat(
      ["inserting _id with type null via insertOne", "inserting _id with type null via insertMany", "inserting _id with type null via bulkWrite"].map((d) => [
        d,
        "the Node driver replaces a null _id with a fresh ObjectId before sending (maybeAddIdToDocuments tests `_id == null`); the store keeps and matches _id: null when it receives one",
      ]),
    ),
);

/** no single CRUD test needs more than a few hundred ms; a hang must not stall the whole run */
const TEST_TIMEOUT_MS = 15_000;
/** the unified format major version this runner understands */
const SCHEMA_MAJOR = 1;

/** commands the driver redacts; the format says to ignore their events */
const SENSITIVE = new Set(["authenticate", "saslstart", "saslcontinue", "getnonce", "createuser", "updateuser", "copydbgetnonce", "copydbsaslstart", "copydb"]);

interface ServerInfo {
  version: number[];
  topology: "single" | "replicaset" | "sharded";
}

type Outcome = { status: "pass" } | { status: "fail"; reason: string } | { status: "n/a"; reason: string } | { status: "skip"; reason: string };

interface RecordedEvent {
  kind: "commandStartedEvent" | "commandSucceededEvent" | "commandFailedEvent";
  commandName: string;
  databaseName?: string;
  command?: Document;
  reply?: Document;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const verbose = argv.includes("--verbose");
  const filter = valueOf(argv, "--filter");
  const externalUri = valueOf(argv, "--uri");
  const folder = argv.find((a, i) => !a.startsWith("--") && !["--filter", "--uri"].includes(argv[i - 1] ?? ""));
  if (!folder) {
    console.error("usage: npm run spec:crud -- <folder with unified *.json tests> [--verbose] [--filter text] [--uri mongodb://…]");
    process.exit(2);
  }

  const store = externalUri ? undefined : await startEmbeddedMongo({ port: 0 });
  const uri = externalUri ?? store!.uri;
  const internal = new MongoClient(uri);
  await internal.connect();
  const server = await describeServer(internal);
  console.log(`spec runner: ${folder} against ${externalUri ? uri : "the embedded store"} (version ${server.version.join(".")}, topology ${server.topology})`);

  const files = (await fs.readdir(folder)).filter((f) => f.endsWith(".json")).sort();
  const totals = { pass: 0, fail: 0, skip: 0, na: 0 };
  const failures: { file: string; test: string; reason: string }[] = [];
  for (const file of files) {
    const suite = EJSON.parse(await fs.readFile(path.join(folder, file), "utf8"), { relaxed: true }) as Document;
    const counts = { pass: 0, fail: 0, skip: 0, na: 0 };
    for (const test of suite.tests as Document[]) {
      if (filter && !`${file} ${test.description}`.toLowerCase().includes(filter.toLowerCase())) continue;
      const outcome = await runTest(suite, test, uri, internal, server);
      if (outcome.status === "pass") counts.pass++;
      else if (outcome.status === "fail") {
        counts.fail++;
        failures.push({ file, test: test.description, reason: outcome.reason });
      } else if (outcome.status === "skip") counts.skip++;
      else counts.na++;
      if (verbose && outcome.status !== "pass" && outcome.status !== "fail") console.log(`    ${outcome.status} ${file}: ${test.description} — ${outcome.reason}`);
    }
    const ran = counts.pass + counts.fail + counts.skip + counts.na;
    if (ran === 0) continue;
    console.log(`${counts.fail > 0 ? "FAIL" : "ok  "} ${file.padEnd(58)} pass ${counts.pass}  fail ${counts.fail}  skip ${counts.skip}  n/a ${counts.na}`);
    totals.pass += counts.pass;
    totals.fail += counts.fail;
    totals.skip += counts.skip;
    totals.na += counts.na;
  }

  if (failures.length > 0) {
    if (verbose) {
      console.log("\nfailures:");
      for (const f of failures) console.log(`  ${f.file}: ${f.test}\n      ${f.reason.replace(/\n/g, "\n      ")}`);
    }
    console.log("\nfailure causes (most frequent first):");
    const causes = new Map<string, number>();
    for (const f of failures) causes.set(causeOf(f.reason), (causes.get(causeOf(f.reason)) ?? 0) + 1);
    for (const [cause, n] of [...causes].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${String(n).padStart(4)}  ${cause}`);
  }
  const applicable = totals.pass + totals.fail;
  const pct = applicable === 0 ? 0 : (100 * totals.pass) / applicable;
  console.log(
    `\ntotal: ${totals.pass}/${applicable} applicable tests pass (${pct.toFixed(1)}%); ${totals.skip} skipped (Node driver rewrites), ${totals.na} not applicable`,
  );

  await internal.close();
  await store?.stop();
  process.exitCode = totals.fail === 0 ? 0 : 1;
}

async function runTest(suite: Document, test: Document, uri: string, internal: MongoClient, server: ServerInfo): Promise<Outcome> {
  if (Number(String(suite.schemaVersion).split(".")[0]) > SCHEMA_MAJOR) return { status: "n/a", reason: `schemaVersion ${suite.schemaVersion}` };
  const unmet = requirementsUnmet(suite.runOnRequirements, server) ?? requirementsUnmet(test.runOnRequirements, server);
  if (unmet) return { status: "n/a", reason: unmet };
  if (test.skipReason) return { status: "n/a", reason: `skipReason: ${test.skipReason}` };
  const driverSkip = NODE_DRIVER_SKIPS[test.description];
  if (driverSkip) return { status: "skip", reason: driverSkip };

  const entities = new Map<string, unknown>();
  const events = new Map<string, RecordedEvent[]>();
  const clients: MongoClient[] = [];
  const failPoints: OpContext["failPoints"] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = (async () => {
      await loadInitialData(internal, suite.initialData ?? []);
      await createEntities(suite.createEntities ?? [], uri, entities, events, clients);
      const ctx: OpContext = {
        entities,
        failPoints,
        startedCommands: (id) => (events.get(id) ?? []).filter((e) => e.kind === "commandStartedEvent").map((e) => e.command!),
        runNested: (op) => runOperation(op, ctx),
      };
      for (const op of test.operations as Document[]) await runOperation(op, ctx);
      if (test.expectEvents) checkEvents(test.expectEvents, events, { entities });
      if (test.outcome) await checkOutcome(internal, test.outcome, { entities });
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
    });
    await Promise.race([run, timeout]);
    return { status: "pass" };
  } catch (err) {
    const e = err as Error;
    const prefix = e instanceof UnsupportedOperation ? "runner does not support: " : e instanceof MatchError ? "mismatch " : "";
    return { status: "fail", reason: `${prefix}${e.message}` };
  } finally {
    clearTimeout(timer);
    for (const fp of failPoints) await fp.client.db("admin").command({ configureFailPoint: fp.name, mode: "off" }).catch(() => undefined);
    for (const c of clients) await c.close(true).catch(() => undefined);
  }
}

async function runOperation(op: Document, ctx: OpContext): Promise<void> {
  let result: Awaited<ReturnType<typeof executeOperation>> | undefined;
  let error: unknown;
  try {
    result = await executeOperation(op, ctx);
  } catch (err) {
    if (err instanceof UnsupportedOperation) throw err;
    error = err;
  }
  const where = `operation ${op.name} on ${op.object}`;
  if (op.ignoreResultAndError) return;
  if (op.expectError) {
    if (error === undefined) throw new MatchError(`${where}: expected an error, got result ${show(result?.value)}`);
    checkError(error, op.expectError, { entities: ctx.entities }, where);
    return;
  }
  if (error !== undefined) throw new Error(`${where}: unexpected error: ${describeError(error)}`);
  if (op.expectResult !== undefined) {
    try {
      if (result!.cursorResult) assertMatchesRootArray(op.expectResult, result!.value, { entities: ctx.entities });
      else assertMatches(op.expectResult, result!.value, { entities: ctx.entities }, true);
    } catch (err) {
      throw new MatchError(`${where} result ${(err as Error).message}`);
    }
  }
  if (op.saveResultAsEntity) ctx.entities.set(op.saveResultAsEntity, result!.value);
}

function checkError(err: unknown, expected: Document, ctx: MatchContext, where: string): void {
  const e = err as MongoError & { errorResponse?: Document; result?: unknown; codeName?: string };
  const fail = (msg: string) => {
    throw new MatchError(`${where}: ${msg}; actual error: ${describeError(err)}`);
  };
  const isServer = err instanceof MongoServerError;
  // the unified format counts any error not derived from a server reply as client-side, network errors included
  const isClient = err instanceof MongoError && !isServer;
  if (expected.isClientError === true && !isClient) fail("expected a client-side error");
  if (expected.isClientError === false && isClient) fail("expected a server error, got a client-side one");
  if (expected.errorContains !== undefined && !String(e.message).toLowerCase().includes(String(expected.errorContains).toLowerCase()))
    fail(`expected the message to contain "${expected.errorContains}"`);
  if (expected.errorCode !== undefined && e.code !== expected.errorCode) fail(`expected code ${expected.errorCode}`);
  if (expected.errorCodeName !== undefined && e.codeName !== expected.errorCodeName) fail(`expected codeName ${expected.errorCodeName}`);
  for (const label of (expected.errorLabelsContain ?? []) as string[]) if (!e.hasErrorLabel?.(label)) fail(`expected label ${label}`);
  for (const label of (expected.errorLabelsOmit ?? []) as string[]) if (e.hasErrorLabel?.(label)) fail(`expected no label ${label}`);
  if (expected.errorResponse !== undefined) {
    try {
      assertMatches(expected.errorResponse, e.errorResponse, ctx, true);
    } catch (m) {
      fail(`errorResponse ${(m as Error).message}`);
    }
  }
  if (expected.expectResult !== undefined) {
    const partial = e.result as { insertedCount?: number } | undefined;
    const plain = partial && typeof partial === "object" ? plainBulk(partial) : partial;
    try {
      assertMatches(expected.expectResult, plain, ctx, true);
    } catch (m) {
      fail(`partial result ${(m as Error).message}`);
    }
  }
}

function plainBulk(r: Document): Document {
  const keys = ["insertedCount", "matchedCount", "modifiedCount", "deletedCount", "upsertedCount", "upsertedIds", "insertedIds"];
  return Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
}

function checkEvents(expectations: Document[], recorded: Map<string, RecordedEvent[]>, ctx: MatchContext): void {
  for (const exp of expectations) {
    if ((exp.eventType ?? "command") !== "command") throw new UnsupportedOperation(`expectEvents of type ${exp.eventType}`);
    const actual = recorded.get(exp.client) ?? [];
    const expected = exp.events as Document[];
    const list = exp.ignoreExtraEvents ? actual.slice(0, expected.length) : actual;
    const summary = () => actual.map((a) => `${a.kind.replace("Event", "")}:${a.commandName}`).join(", ");
    if (list.length !== expected.length) throw new MatchError(`events for ${exp.client}: expected ${expected.length}, got ${actual.length} [${summary()}]`);
    expected.forEach((want, i) => {
      const kind = Object.keys(want)[0] as RecordedEvent["kind"];
      const spec = want[kind] as Document;
      const got = list[i]!;
      const at = `event[${i}] (${got.kind} ${got.commandName})`;
      if (got.kind !== kind) throw new MatchError(`${at}: expected a ${kind}`);
      if (spec.commandName !== undefined && spec.commandName !== got.commandName) throw new MatchError(`${at}: expected command ${spec.commandName}`);
      if (spec.databaseName !== undefined && spec.databaseName !== got.databaseName) throw new MatchError(`${at}: expected database ${spec.databaseName}, got ${got.databaseName}`);
      try {
        if (spec.command !== undefined) assertMatches(spec.command, got.command, ctx, true);
        if (spec.reply !== undefined) assertMatches(spec.reply, got.reply, ctx, true);
      } catch (err) {
        throw new MatchError(`${at} ${(err as Error).message}`);
      }
    });
  }
}

async function checkOutcome(internal: MongoClient, outcome: Document[], ctx: MatchContext): Promise<void> {
  for (const data of outcome) {
    const docs = await internal
      .db(data.databaseName)
      .collection(data.collectionName)
      .find({}, { sort: { _id: 1 }, readConcern: { level: "local" }, readPreference: ReadPreference.primary })
      .toArray();
    try {
      // the format demands exact equality here: no extra fields even at the root
      assertMatches(data.documents, docs, ctx, false);
    } catch (err) {
      throw new MatchError(`outcome ${data.databaseName}.${data.collectionName} ${(err as Error).message}`);
    }
  }
}

async function loadInitialData(internal: MongoClient, initialData: Document[]): Promise<void> {
  const majority = { writeConcern: { w: "majority" as const } };
  for (const data of initialData) {
    const db = internal.db(data.databaseName);
    await db.dropCollection(data.collectionName, majority).catch((err: unknown) => {
      if (!(err instanceof MongoServerError && (err.code === 26 || /ns not found/i.test(err.message)))) throw err;
    });
    if (data.createOptions || (data.documents as Document[]).length === 0) {
      await db.createCollection(data.collectionName, { ...(data.createOptions ?? {}), ...majority });
    }
    if ((data.documents as Document[]).length > 0) await db.collection(data.collectionName).insertMany(data.documents, majority);
  }
}

async function createEntities(
  specs: Document[],
  uri: string,
  entities: Map<string, unknown>,
  events: Map<string, RecordedEvent[]>,
  clients: MongoClient[],
): Promise<void> {
  for (const spec of specs) {
    const [kind] = Object.keys(spec);
    const e = spec[kind!] as Document;
    switch (kind) {
      case "client": {
        const url = new URL(uri);
        for (const [k, v] of Object.entries((e.uriOptions ?? {}) as Document)) url.searchParams.set(k, typeof v === "object" ? EJSON.stringify(v) : String(v));
        const client = new MongoClient(url.toString(), { monitorCommands: true, ...(e.serverApi ? { serverApi: e.serverApi } : {}) });
        const recorded: RecordedEvent[] = [];
        events.set(e.id, recorded);
        const observe = new Set((e.observeEvents ?? []) as string[]);
        const ignore = new Set(((e.ignoreCommandMonitoringEvents ?? []) as string[]).map((c) => c.toLowerCase()));
        const keep = (name: string, payload: Document | undefined) => {
          const lower = name.toLowerCase();
          if (ignore.has(lower) || lower === "configurefailpoint") return false;
          if (!e.observeSensitiveCommands && (SENSITIVE.has(lower) || ((lower === "hello" || lower === "ismaster") && payload && Object.keys(payload).length === 0))) return false;
          return true;
        };
        if (observe.has("commandStartedEvent"))
          client.on("commandStarted", (ev: CommandStartedEvent) => {
            if (keep(ev.commandName, ev.command)) recorded.push({ kind: "commandStartedEvent", commandName: ev.commandName, databaseName: ev.databaseName, command: ev.command });
          });
        if (observe.has("commandSucceededEvent"))
          client.on("commandSucceeded", (ev: CommandSucceededEvent) => {
            if (keep(ev.commandName, ev.reply as Document)) recorded.push({ kind: "commandSucceededEvent", commandName: ev.commandName, databaseName: ev.databaseName, reply: ev.reply as Document });
          });
        if (observe.has("commandFailedEvent"))
          client.on("commandFailed", (ev: CommandFailedEvent) => {
            if (keep(ev.commandName, undefined)) recorded.push({ kind: "commandFailedEvent", commandName: ev.commandName, databaseName: ev.databaseName });
          });
        await client.connect();
        clients.push(client);
        entities.set(e.id, client);
        break;
      }
      case "database": {
        const client = entities.get(e.client) as MongoClient;
        entities.set(e.id, client.db(e.databaseName, readPreferenceOptions(e.databaseOptions)));
        break;
      }
      case "collection": {
        const db = entities.get(e.database) as ReturnType<MongoClient["db"]>;
        entities.set(e.id, db.collection(e.collectionName, readPreferenceOptions(e.collectionOptions)));
        break;
      }
      case "session": {
        const client = entities.get(e.client) as MongoClient;
        const session: ClientSession = client.startSession(e.sessionOptions ?? {});
        entities.set(e.id, session);
        break;
      }
      default:
        throw new UnsupportedOperation(`entity type ${kind}`);
    }
  }
}

function readPreferenceOptions(opts: Document | undefined): Document {
  if (!opts) return {};
  const out: Document = { ...opts };
  if (opts.readPreference && typeof opts.readPreference === "object") {
    const rp = opts.readPreference as Document;
    out.readPreference = new ReadPreference(rp.mode, rp.tagSets, { maxStalenessSeconds: rp.maxStalenessSeconds, hedge: rp.hedge });
  }
  return out;
}

function requirementsUnmet(reqs: Document[] | undefined, server: ServerInfo): string | undefined {
  if (!reqs || reqs.length === 0) return undefined;
  const reasons = reqs.map((r) => unmetReason(r, server));
  return reasons.every((x) => x !== undefined) ? reasons.join(" / ") : undefined;
}

function unmetReason(r: Document, server: ServerInfo): string | undefined {
  if (r.minServerVersion && compareVersions(server.version, r.minServerVersion) < 0) return `needs server ≥ ${r.minServerVersion}`;
  if (r.maxServerVersion && compareVersions(server.version, r.maxServerVersion) > 0) return `needs server ≤ ${r.maxServerVersion}`;
  if (r.topologies && !(r.topologies as string[]).includes(server.topology)) return `needs topology ${(r.topologies as string[]).join("|")}`;
  if (r.serverless === "require") return "needs serverless";
  if (r.auth === true || r.authMechanism) return "needs auth";
  if (r.csfle === true) return "needs client-side encryption";
  if (r.serverParameters) return "needs specific server parameters";
  return undefined;
}

function compareVersions(actual: number[], wanted: string): number {
  const want = wanted.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (actual[i] ?? 0) - (want[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

async function describeServer(client: MongoClient): Promise<ServerInfo> {
  const admin = client.db("admin");
  const build = await admin.command({ buildInfo: 1 });
  const hello = await admin.command({ hello: 1 });
  const version = (build.versionArray as number[] | undefined)?.slice(0, 3) ?? String(build.version).split(".").map(Number);
  const topology = hello.msg === "isdbgrid" ? "sharded" : hello.setName ? "replicaset" : "single";
  return { version, topology };
}

function describeError(err: unknown): string {
  const e = err as MongoError & { codeName?: string };
  const code = e.code !== undefined ? ` code=${e.code}${e.codeName ? `(${e.codeName})` : ""}` : "";
  return `${e.constructor?.name ?? "Error"}${code}: ${e.message}`;
}

/** Collapse a failure message to its cause so the summary groups like with like. */
function causeOf(reason: string): string {
  return reason
    .replace(/\$\[\d+\]/g, "$[i]")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\{.*\}/g, "{…}")
    .replace(/\d+/g, "N")
    .slice(0, 160);
}

function valueOf(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
