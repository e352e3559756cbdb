/**
 * Throughput of the embedded store through the official driver, on loopback (`npm run bench:store`).
 *
 *   npm run bench:store                 memory column + data-dir (fsync batch) column, 1M-doc lookup
 *   npm run bench:store -- --quick      100k docs instead of 1M, shorter measurements (smoke run)
 *   npm run bench:store -- --memory-only
 *   npm run bench:store -- --in-process store and driver share one event loop (default: the store
 *                                        runs in a child process, like a real server would)
 *
 * The driver's own `ping` is the ceiling: it is a full round trip through the wire protocol with no
 * storage work, so `op / ping` is the share of the transport budget the engine leaves unused. Pings are
 * interleaved with the operations (ping, op, ping, op, …, ping) with the same callers and duration, and each
 * op is compared with the mean of the two pings beside it, so load from other processes on the machine
 * shifts an op and its ceiling together instead of skewing the ratio.
 *
 * Each figure also gets a CPU split (child-process mode): the store's CPU per op (reported by the child
 * over IPC) and the driver's CPU per op (this process). On a small machine the load generator — the
 * official driver — can be the bottleneck: when a findOne costs the driver twice the CPU of a ping, no
 * store can reach the ping ratio, and the split shows which side the time went to.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MongoClient, type Collection, type Document } from "mongodb";
import { startEmbeddedMongo } from "./index";

/** concurrent callers, as the issue specifies: enough to keep a single-threaded server busy */
const CALLERS = 16;
/** 10k docs per insertMany: the figure the issue asks for, and well under the 48 MB message cap */
const LOAD_BATCH = 10_000;
/** single-document ops must reach this share of ping */
const SINGLE_DOC_TARGET = 0.8;
/** an indexed lookup in the big collection may be at most this much slower than in the small one */
const LOOKUP_SCALING_TARGET = 2;
/** owners in the sorted-query collections: 20 documents each in 1k, 20k each in 1M */
const OWNERS = 50;
const SORTED_SMALL = "find owner sort limit 20 (1k)";
/** result key of the large collection's sorted query (its printed name carries the size) */
const SORTED_LARGE = "find owner sort limit 20 (large)";
/** the sorted, limited query in the large collection may be at most this much slower than in the small one */
const SORTED_SCALING_TARGET = 2;

interface Args {
  quick: boolean;
  memoryOnly: boolean;
  inProcess: boolean;
}

interface Measurement {
  name: string;
  opsPerSec: number;
  meanLatencyMs: number;
  p50LatencyMs: number;
  /** the mean of the pings measured right before and right after, for round-trip operations */
  ceiling?: number;
  /** CPU the store process spent per op (child-process mode only) */
  serverUsPerOp?: number;
  /** CPU this process (the driver) spent per op */
  clientUsPerOp?: number;
}

interface StoreHandle {
  uri: string;
  stop(): Promise<void>;
  /** the store process's CPU time so far, in µs (undefined when it shares this process) */
  cpuMicros(): Promise<number | undefined>;
}

/** The store for the figures being measured, so `measure` can attribute CPU to it. */
let currentStore: StoreHandle | undefined;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--serve-store") return serveStore(argv[1]);
  const args: Args = {
    quick: argv.includes("--quick"),
    memoryOnly: argv.includes("--memory-only"),
    inProcess: argv.includes("--in-process"),
  };
  const largeDocs = args.quick ? 100_000 : 1_000_000;
  // 2 s per figure: with pings interleaved that is ~20 figures, plus the 1M-doc load, inside 3 minutes
  const measureMs = args.quick ? 1000 : 2000;
  const started = Date.now();

  console.log(
    `embedded store bench: ${CALLERS} callers, ${measureMs} ms per figure, large collection ${largeDocs.toLocaleString()} docs, ` +
      `store ${args.inProcess ? "in this process" : "in a child process"}, node ${process.version}, ${os.cpus().length} cpu(s)`,
  );

  const memory = await runColumn("memory", undefined, args, measureMs, largeDocs);
  let disk: Map<string, Measurement> | undefined;
  if (!args.memoryOnly) {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-bench-"));
    try {
      disk = await runColumn("dataDir fsync=batch", dataDir, args, measureMs, undefined);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }

  const verdicts = report(memory, disk);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = verdicts.every(Boolean) ? 0 : 1;
}

/** One column of the table. Without `largeDocs`, the large-collection lookup is skipped (reads never touch the journal). */
async function runColumn(
  label: string,
  dataDir: string | undefined,
  args: Args,
  measureMs: number,
  largeDocs: number | undefined,
): Promise<Map<string, Measurement>> {
  console.log(`\n[${label}]`);
  const store = await startStore(dataDir, args.inProcess);
  currentStore = store;
  // generous timeouts: while 16 callers each queue a 10k-document batch, a heartbeat can wait behind
  // ~160k inserts on a busy machine, and a timed-out monitor would abort the load
  const client = new MongoClient(store.uri, { maxPoolSize: CALLERS, minPoolSize: CALLERS, connectTimeoutMS: 300_000, serverSelectionTimeoutMS: 300_000 });
  const results = new Map<string, Measurement>();
  const print = (m: Measurement) =>
    console.log(
      `  ${m.name.padEnd(26)} ${fmt(m.opsPerSec).padStart(12)} /s   mean ${m.meanLatencyMs.toFixed(3)} ms   p50 ${m.p50LatencyMs.toFixed(3)} ms` +
        (m.clientUsPerOp !== undefined ? `   cpu/op store ${us(m.serverUsPerOp)} driver ${us(m.clientUsPerOp)}` : ""),
    );
  try {
    await client.connect();
    const db = client.db("bench");
    await db.dropDatabase();
    const admin = client.db("admin");

    const ping = () => admin.command({ ping: 1 });
    // a freshly started store runs cold (JIT, pool, first allocations): warm it before the first ceiling
    await measure("warm-up", measureMs / 2, ping);
    let lastPing = await measure("ping", measureMs, ping);
    print(lastPing);
    const pings: number[] = [lastPing.opsPerSec];
    /** measures `op`, then a ping; the op's ceiling is the mean of the pings on either side */
    const timed = async (name: string, op: () => Promise<unknown>, scale = 1): Promise<Measurement> => {
      const m = await measure(name, measureMs, op);
      const m2 = { ...m, opsPerSec: m.opsPerSec * scale };
      print(m2);
      const before = lastPing;
      lastPing = await measure("ping", measureMs, ping);
      print(lastPing);
      pings.push(lastPing.opsPerSec);
      const result = { ...m2, ceiling: (before.opsPerSec + lastPing.opsPerSec) / 2 };
      results.set(name, result);
      return result;
    };

    const inserts = db.collection("insert_one");
    let seq = 0;
    await timed("insertOne", () => inserts.insertOne({ n: seq++, s: "payload-of-a-typical-small-document" }));

    const small = db.collection<{ _id: number }>("small");
    await small.createIndex({ key: 1 });
    await small.createIndex({ owner: 1, created_at: -1 });
    await small.insertMany(Array.from({ length: 1000 }, (_, i) => doc(i)));
    await timed("findOne _id (1k)", () => small.findOne({ _id: rand(1000) }));
    await timed("findOne indexed (1k)", () => small.findOne({ key: `k${rand(1000)}` }));

    if (largeDocs !== undefined) {
      // an owner's newest 20: served by walking {owner, created_at: -1}, so it should not grow with the collection
      const newest = (coll: Collection<{ _id: number }>) => () => coll.find({ owner: `o${rand(OWNERS)}` }).sort({ created_at: -1 }).limit(20).toArray();
      await timed(SORTED_SMALL, newest(small));
      const large = db.collection<{ _id: number }>("large");
      await large.createIndex({ key: 1 });
      await large.createIndex({ owner: 1, created_at: -1 });
      const load = await loadLarge(large, largeDocs);
      print(load);
      results.set(load.name, load);
      const name = `findOne indexed (${largeDocs / 1000}k)`;
      results.set("findOne indexed (large)", await timed(name, () => large.findOne({ key: `k${rand(largeDocs)}` })));
      results.set(SORTED_LARGE, await timed(`find owner sort limit 20 (${largeDocs / 1000}k)`, newest(large)));
    } else {
      const many = db.collection<{ _id: number }>("insert_many");
      let base = 0;
      const batch = LOAD_BATCH;
      // reported as documents per second: a batch is not a round trip comparable with ping
      const m = await timed("insertMany docs", () => {
        const start = base;
        base += batch;
        return many.insertMany(Array.from({ length: batch }, (_, i) => doc(start + i)), { ordered: true });
      }, batch);
      delete m.ceiling;
    }
    results.set("ping", { ...lastPing, opsPerSec: pings.reduce((a, b) => a + b, 0) / pings.length, name: `ping (mean of ${pings.length})` });
  } finally {
    await client.close();
    await store.stop();
  }
  return results;
}

async function loadLarge(coll: Collection<{ _id: number }>, total: number): Promise<Measurement> {
  const batches = Math.ceil(total / LOAD_BATCH);
  let next = 0;
  const started = performance.now();
  const latencies: number[] = [];
  const worker = async () => {
    for (let b = next++; b < batches; b = next++) {
      const from = b * LOAD_BATCH;
      const docs = Array.from({ length: Math.min(LOAD_BATCH, total - from) }, (_, i) => doc(from + i));
      const t = performance.now();
      await coll.insertMany(docs, { ordered: false });
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(`  loaded ${total.toLocaleString()} docs in ${seconds.toFixed(1)} s`);
  return { name: "insertMany docs", opsPerSec: total / seconds, ...latencyStats(latencies) };
}

/** Closed loop: CALLERS callers each issue the next op as soon as the previous one returned. */
async function measure(name: string, durationMs: number, op: () => Promise<unknown>): Promise<Measurement> {
  // a short warm-up: JIT, connection pool, first-touch allocations
  const warmUntil = performance.now() + Math.min(300, durationMs / 4);
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (performance.now() < warmUntil) await op();
  }));
  const latencies: number[] = [];
  const serverCpu0 = await currentStore?.cpuMicros();
  const clientCpu0 = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientCpu0);
  const serverCpu1 = await currentStore?.cpuMicros();
  const n = Math.max(1, latencies.length);
  return {
    name,
    opsPerSec: latencies.length / seconds,
    ...latencyStats(latencies),
    clientUsPerOp: (clientCpu.user + clientCpu.system) / n,
    serverUsPerOp: serverCpu0 !== undefined && serverCpu1 !== undefined ? (serverCpu1 - serverCpu0) / n : undefined,
  };
}

function latencyStats(latencies: number[]): { meanLatencyMs: number; p50LatencyMs: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { meanLatencyMs: mean, p50LatencyMs: sorted[Math.floor(sorted.length / 2)] ?? 0 };
}

function report(memory: Map<string, Measurement>, disk: Map<string, Measurement> | undefined): boolean[] {
  const rows = [...memory.keys()].filter((k) => k !== "findOne indexed (large)" && k !== SORTED_LARGE && k !== "ping");
  for (const k of disk?.keys() ?? []) if (!rows.includes(k) && k !== "ping") rows.push(k);
  rows.unshift("ping");
  const singleDoc = (name: string) => name.startsWith("insertOne") || name.startsWith("findOne");
  const opsCell = (m: Measurement | undefined) => (m ? fmt(m.opsPerSec) : "–");
  const ceilingCell = (m: Measurement | undefined) => (m?.ceiling ? fmt(m.ceiling) : "–");
  const ratioCell = (m: Measurement | undefined) => (m?.ceiling ? ratio(m.opsPerSec / m.ceiling) : "–");
  const cpuCell = (m: Measurement | undefined) => (m?.clientUsPerOp !== undefined ? `${us(m.serverUsPerOp)} / ${us(m.clientUsPerOp)}` : "–");

  console.log("\n× ping = ops/s ÷ mean of the ping measured just before and just after (same callers, same duration)");
  console.log("cpu/op = CPU µs per operation spent by the store process / by the driver (this process)");
  console.log("\n| operation | memory ops/s | adjacent ping | × ping | cpu/op store / driver | " + (disk ? "dataDir ops/s | adjacent ping | × ping | " : "") + "target (memory) |");
  console.log("|---|---:|---:|---:|---:|" + (disk ? "---:|---:|---:|" : "") + "---|");
  const verdicts: boolean[] = [];
  for (const name of rows) {
    const m = memory.get(name);
    const d = disk?.get(name);
    const label = name === "ping" ? (m?.name ?? name) : name;
    const cells = [label, opsCell(m), ceilingCell(m), ratioCell(m), cpuCell(m)];
    if (disk) cells.push(opsCell(d), ceilingCell(d), ratioCell(d));
    let target = "";
    if (singleDoc(name)) {
      // the target is judged on the in-memory store (the test database and the embedded default); the
      // dataDir column shows what durability costs on top
      const pass = m?.ceiling !== undefined && m.opsPerSec >= SINGLE_DOC_TARGET * m.ceiling;
      verdicts.push(pass);
      target = `≥ ${SINGLE_DOC_TARGET}× ping: ${pass ? "PASS" : "FAIL"}`;
    }
    cells.push(target);
    console.log(`| ${cells.join(" | ")} |`);
  }

  const small = memory.get("findOne indexed (1k)");
  const large = memory.get("findOne indexed (large)");
  if (small && large) {
    const scaling = large.meanLatencyMs / small.meanLatencyMs;
    const pass = scaling <= LOOKUP_SCALING_TARGET;
    verdicts.push(pass);
    console.log(
      `\nindexed lookup latency, large / 1k: mean ${scaling.toFixed(2)}× (p50 ${(large.p50LatencyMs / small.p50LatencyMs).toFixed(2)}×)` +
        ` — target ≤ ${LOOKUP_SCALING_TARGET}×: ${pass ? "PASS" : "FAIL"}`,
    );
  }
  const sortedSmall = memory.get(SORTED_SMALL);
  const sortedLarge = memory.get(SORTED_LARGE);
  if (sortedSmall && sortedLarge) {
    const scaling = sortedLarge.meanLatencyMs / sortedSmall.meanLatencyMs;
    const pass = scaling <= SORTED_SCALING_TARGET;
    verdicts.push(pass);
    console.log(
      `sorted limited query latency (find({owner}).sort({created_at: -1}).limit(20)), large / 1k: mean ${scaling.toFixed(2)}×` +
        ` (p50 ${(sortedLarge.p50LatencyMs / sortedSmall.p50LatencyMs).toFixed(2)}×; ${sortedSmall.meanLatencyMs.toFixed(2)} ms vs ${sortedLarge.meanLatencyMs.toFixed(2)} ms` +
        (sortedSmall.serverUsPerOp && sortedLarge.serverUsPerOp ? `; store CPU per query ${(sortedLarge.serverUsPerOp / sortedSmall.serverUsPerOp).toFixed(2)}×` : "") +
        ")" +
        ` — target ≤ ${SORTED_SCALING_TARGET}×: ${pass ? "PASS" : "FAIL"}`,
    );
  }
  explainCpu(memory);
  console.log(`overall: ${verdicts.every(Boolean) ? "PASS" : "FAIL"} (${verdicts.filter(Boolean).length}/${verdicts.length} targets met)`);
  return verdicts;
}

/**
 * Where the time went, per single-document op: the store's CPU against the ping's (what the store itself
 * adds) and the driver's (what the load generator adds). Informational; the verdicts above are the targets.
 */
function explainCpu(memory: Map<string, Measurement>): void {
  const ping = memory.get("ping");
  if (ping?.serverUsPerOp === undefined || ping.clientUsPerOp === undefined) return;
  console.log(`\nCPU per op relative to ping (store ${us(ping.serverUsPerOp)}, driver ${us(ping.clientUsPerOp)}):`);
  for (const [name, m] of memory) {
    // "findOne indexed (large)" is an alias of the row named after its size
    if (name === "findOne indexed (large)") continue;
    if (!(name.startsWith("insertOne") || name.startsWith("findOne")) || m.serverUsPerOp === undefined || m.clientUsPerOp === undefined) continue;
    console.log(
      `  ${m.name.padEnd(26)} store ${ratio(m.serverUsPerOp / ping.serverUsPerOp)}   driver ${ratio(m.clientUsPerOp / ping.clientUsPerOp)}` +
        `   → ceiling if only the store's cost mattered: ${ratio(ping.serverUsPerOp / m.serverUsPerOp)} ping`,
    );
  }
}

async function startStore(dataDir: string | undefined, inProcess: boolean): Promise<StoreHandle> {
  if (inProcess) {
    const store = await startEmbeddedMongo({ port: 0, ...(dataDir ? { dataDir, fsync: "batch" as const } : {}) });
    return { ...store, cpuMicros: async () => undefined };
  }
  const child = spawn(process.execPath, [...process.execArgv, __filename, "--serve-store", dataDir ?? ""], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const uri = await readUri(child);
  return {
    uri,
    cpuMicros: () =>
      new Promise<number>((resolve) => {
        child.once("message", (m: { cpu: number }) => resolve(m.cpu));
        child.send("cpu");
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      await gone;
    },
  };
}

/** Child-process mode: run the store, print its uri, stop cleanly on SIGTERM. */
async function serveStore(dataDir: string | undefined): Promise<void> {
  const store = await startEmbeddedMongo({ port: 0, ...(dataDir ? { dataDir, fsync: "batch" as const } : {}) });
  process.on("SIGTERM", () => {
    void store.stop().finally(() => process.exit(0));
  });
  // the parent asks for this process's CPU time around each figure
  process.on("message", () => {
    const u = process.cpuUsage();
    process.send?.({ cpu: u.user + u.system });
  });
  process.stdout.write(`uri ${store.uri}\n`);
}

function readUri(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`store child exited (${code}) before printing its uri`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^uri (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
  });
}

function doc(i: number): { _id: number } & Document {
  // created_at scrambled (a multiplicative hash of i) so index order is not insertion order
  const createdAt = new Date(Date.UTC(2024, 0, 1) + ((i * 2654435761) % 4294967296));
  return { _id: i, key: `k${i}`, n: i, group: i % 100, owner: `o${i % OWNERS}`, created_at: createdAt, label: "a modest payload to look like a real record" };
}

function rand(n: number): number {
  return Math.floor(Math.random() * n);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function us(n: number | undefined): string {
  return n === undefined ? "–" : `${n.toFixed(1)} µs`;
}

function ratio(r: number): string {
  return `${r.toFixed(2)}×`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
