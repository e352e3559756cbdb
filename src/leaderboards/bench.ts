/**
 * Leaderboard and XP throughput (`npm run bench:leaderboards`), each beside a baseline measured in
 * the same run: a plain insert on the same store, a PING on the same Redis. Figures are ops/s with
 * CALLERS concurrent callers; the ratio says how much of the baseline's budget an operation uses.
 *
 *   npm run bench:leaderboards                  store (embedded, in memory) and Redis (REDIS_URL or
 *                                               redis://127.0.0.1:6379/7, key prefix bench:lb:<pid>:)
 *   npm run bench:leaderboards -- --quick       fewer operations (smoke run)
 */
import mongoose from "mongoose";
import Redis from "ioredis";
import { startEmbeddedMongo } from "../embedded-mongo";
import type { LeaderboardBackend, Partition, SubmitRequest } from "./leaderboard.backend";
import { RedisLeaderboardBackend } from "./redis.backend";
import { StoreLeaderboardBackend } from "./store.backend";
import { findBoard, partitionKey, scoreEncoding, scoreRule, seasonAt, tiebreakAt } from "./leaderboard.rules";

const CALLERS = 16;
const quick = process.argv.includes("--quick");
const OPS = quick ? 500 : 3000;
/** reads cost O(partition) on the embedded store (see README), so fewer of them */
const READ_OPS = quick ? 50 : 300;
/** entries in the partition ranks are read from: a busy stream's gifters */
const BOARD_SIZE = quick ? 2000 : 10_000;

async function measure(ops: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < ops) await op(next++);
    }),
  );
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

const row = (name: string, opsPerSec: number, baseline: number) =>
  console.log(`  ${name.padEnd(44)} ${opsPerSec.toFixed(0).padStart(8)} ops/s   ${(opsPerSec / baseline).toFixed(2)} × baseline`);

async function benchBackend(label: string, backend: LeaderboardBackend, baseline: { name: string; op: (i: number) => Promise<unknown> }) {
  const def = findBoard("stream_gifters")!;
  const season = seasonAt(def.period, new Date());
  const partition = (scope: string): Partition => ({ key: partitionKey(def.id, scope, season.id), order: def.order, base: scoreEncoding(def.period).base });
  const req = (p: Partition, user: string, eventId?: string): SubmitRequest => ({
    partition: p,
    userId: user,
    rule: scoreRule(def),
    score: 10,
    tiebreak: tiebreakAt(def, season, new Date()),
    eventId,
  });
  const big = partition(`bench-big-${process.pid}`);
  for (let i = 0; i < BOARD_SIZE; i += 500) {
    await Promise.all(Array.from({ length: 500 }, (_, j) => backend.submit({ ...req(big, `u${i + j}`), score: 1 + ((i + j) % 997) })));
  }
  console.log(`\n${label} (${CALLERS} callers, ${OPS} ops each, reads ${READ_OPS} ops, in a ${BOARD_SIZE}-entry partition)`);
  const base = await measure(OPS, baseline.op);
  row(`baseline: ${baseline.name}`, base, base);
  const hot = partition(`bench-hot-${process.pid}`);
  row("submit incr, one hot user (no event id)", await measure(OPS, () => backend.submit(req(hot, "hot"))), base);
  row("submit incr, distinct users (no event id)", await measure(OPS, (i) => backend.submit(req(hot, `d${i}`))), base);
  row("submit incr with an event id", await measure(OPS, (i) => backend.submit(req(hot, `e${i % 50}`, `evt-${i}`))), base);
  const readBase = await measure(READ_OPS, baseline.op);
  row(`baseline again (${READ_OPS} ops)`, readBase, readBase);
  row("rankOf in the big partition", await measure(READ_OPS, (i) => backend.rankOf(big, `u${(i * 7919) % BOARD_SIZE}`)), readBase);
  row("range: top 20", await measure(READ_OPS, () => backend.range(big, 0, 20)), readBase);
  row("range: 20 from the middle", await measure(READ_OPS, () => backend.range(big, BOARD_SIZE / 2, 20)), readBase);
}

async function main() {
  process.env.LOG_LEVEL ??= "silent";
  const store = await startEmbeddedMongo({ port: 0 });
  await mongoose.connect(store.uri, { dbName: "bench" });
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  const probe = mongoose.connection.db!.collection("bench_probe");
  await benchBackend("store backend (embedded, in memory)", new StoreLeaderboardBackend(), {
    name: "insertOne on the same store",
    op: (i) => probe.insertOne({ i }),
  });

  // awardXp: the award transaction plus the three XP boards (on the store unless REDIS_URL is set)
  const { awardXp } = await import("../progression/progression.service");
  console.log(`\nawardXp (${CALLERS} callers, ${OPS / 5} ops each; XP boards on ${process.env.REDIS_URL ? "Redis" : "the store"})`);
  const base = await measure(OPS / 5, (i) => probe.insertOne({ i }));
  row("baseline: insertOne on the same store", base, base);
  row("awardXp, distinct users", await measure(OPS / 5, (i) => awardXp({ userId: `x${i}`, source: "story_viewed", eventId: `b${i}` })), base);
  row("awardXp, one user (queued per user)", await measure(OPS / 5, (i) => awardXp({ userId: "one", source: "story_viewed", eventId: `c${i}` })), base);
  row("awardXp replay of a counted event", await measure(OPS / 5, () => awardXp({ userId: "one", source: "story_viewed", eventId: "c0" })), base);

  const url = `${(process.env.REDIS_URL ?? "redis://127.0.0.1:6379").replace(/\/\d*$/, "")}/7`;
  const ping = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const reachable = await ping.connect().then(() => true, () => false);
  if (reachable) {
    const prefix = `bench:lb:${process.pid}:`;
    const redis = new RedisLeaderboardBackend(url, prefix);
    try {
      await benchBackend(`Redis backend (${url})`, redis, { name: "PING on the same Redis", op: () => ping.ping() });
    } finally {
      await redis.deleteOwnKeys();
      await redis.close();
    }
  } else {
    console.log(`\nRedis backend: skipped (no Redis at ${url})`);
  }
  ping.disconnect();
  await mongoose.disconnect();
  await store.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
