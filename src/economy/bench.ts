/**
 * Ledger throughput on the embedded store (`npm run bench:economy`, `-- --quick` for a smoke run).
 *
 * One run, one store (on disk, fsync=batch: the server's default), the same number of concurrent
 * callers for every figure:
 *   1. baseline: plain single-document `$inc` updates on random documents of one collection;
 *   2. transfers between random user pairs (`transfer()`: idempotency record, two conditional
 *      balance writes, two ledger entries, one transaction — via the group-commit engine);
 *   3. transfers from 1,000 distinct senders into ONE creator account (a big live stream).
 * Targets: 2 and 3 at least 0.5× the baseline; 3 within 1.5× of 2 (hot account ≥ random/1.5).
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { startEmbeddedMongo } from "../embedded-mongo";
import { reconcile, transfer, transferBatch } from "./index";

const CALLERS = 64;
const USERS = 1000;
const TRANSFER_TARGET = 0.5;
const HOT_TARGET = 1.5;

interface Figure {
  name: string;
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function measure(name: string, ms: number, op: (n: number) => Promise<unknown>): Promise<Figure> {
  const latencies: number[] = [];
  let seq = 0;
  const started = performance.now();
  const until = started + ms;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await op(seq++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { name, ops: latencies.length, opsPerSec: (latencies.length / elapsed) * 1000, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) };
}

function row(f: Figure, baseline: Figure): string {
  return `  ${f.name.padEnd(34)} ${Math.round(f.opsPerSec).toLocaleString().padStart(9)} /s  ${(f.opsPerSec / baseline.opsPerSec).toFixed(2).padStart(5)}×   p50 ${f.p50.toFixed(1).padStart(6)} ms   p99 ${f.p99.toFixed(1).padStart(6)} ms   (${f.ops.toLocaleString()} ops)`;
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const ms = quick ? 1500 : 5000;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-economy-bench-"));
  const store = await startEmbeddedMongo({ port: 0, dataDir, fsync: "batch" });
  try {
    await mongoose.connect(store.uri, { dbName: "bench", maxPoolSize: CALLERS });
    await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
    console.log(`economy bench: ${CALLERS} concurrent callers, ${ms} ms per figure, ${USERS} users, store on disk (fsync=batch), node ${process.version}, ${os.cpus().length} cpu(s)`);

    const counters = mongoose.connection.collection<{ _id: number; n: number }>("bench_counters");
    await counters.insertMany(Array.from({ length: USERS }, (_, i) => ({ _id: i, n: 0 })));
    const users = Array.from({ length: USERS }, (_, i) => new mongoose.Types.ObjectId().toHexString());
    const creator = new mongoose.Types.ObjectId().toHexString();
    for (let i = 0; i < USERS; i += 100) {
      await transferBatch(
        users.slice(i, i + 100).map((u) => ({ id: `fund:${u}`, debit: { system: "issuance" }, credit: { userId: u }, currency: "diamonds", amount: 1_000_000_000, reason: "purchase" })),
      );
    }
    const rand = () => Math.floor(Math.random() * USERS);
    // warm-up (JIT, pool)
    await measure("warm-up", ms / 3, (n) => transfer({ id: `w:${n}`, debit: { userId: users[rand()]! }, credit: { system: "revenue" }, currency: "diamonds", amount: 1, reason: "warm" }));

    const baseline = await measure("baseline: single-doc $inc", ms, () => counters.updateOne({ _id: rand() }, { $inc: { n: 1 } }));
    const pairs = await measure("transfers, random pairs", ms, (n) => {
      const a = rand();
      const b = (a + 1 + Math.floor(Math.random() * (USERS - 1))) % USERS;
      return transfer({ id: `p:${n}`, debit: { userId: users[a]! }, credit: { userId: users[b]! }, currency: "diamonds", amount: 1, reason: "gift" });
    });
    const hot = await measure("transfers, 1,000 senders → 1 creator", ms, (n) =>
      transfer({ id: `h:${n}`, debit: { userId: users[n % USERS]! }, credit: { userId: creator }, currency: "diamonds", amount: 1, reason: "gift" }),
    );

    console.log("");
    for (const f of [baseline, pairs, hot]) console.log(row(f, baseline));
    const report = await reconcile();
    console.log(`\nreconcile: ok=${report.ok}, ${report.accounts_checked} accounts, ${report.mismatches.length} mismatches`);
    const verdicts = [
      [`random pairs ≥ ${TRANSFER_TARGET}× baseline`, pairs.opsPerSec >= TRANSFER_TARGET * baseline.opsPerSec],
      [`hot account ≥ ${TRANSFER_TARGET}× baseline`, hot.opsPerSec >= TRANSFER_TARGET * baseline.opsPerSec],
      [`hot account within ${HOT_TARGET}× of random pairs`, hot.opsPerSec * HOT_TARGET >= pairs.opsPerSec],
      ["books balance after the run", report.ok],
    ] as const;
    for (const [what, ok] of verdicts) console.log(`  ${ok ? "met    " : "NOT met"}  ${what}`);
    process.exitCode = verdicts.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    await mongoose.disconnect();
    await store.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

void main();
