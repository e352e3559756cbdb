/**
 * `npm run bench:ratelimit` — what one rate-limit check costs, beside its baseline in the same run:
 * the memory store's increment beside an empty awaited call, and (with REDIS_URL) the Redis store's
 * atomic INCR+PEXPIRE script beside a plain PING on the same connection (one round trip, the floor
 * for anything shared through Redis). Sequential (one check in flight: a client's latency) and
 * 100 in flight (a busy process's throughput). BENCH_OPS per round, default 20,000; medians of 5
 * interleaved rounds.
 */
import Redis from "ioredis";
import { MemoryRateLimitStore, RedisRateLimitStore, type RateLimitStore } from "../infra/rate-limit";

const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const IN_FLIGHT = 100;
const WINDOW_MS = 120_000;

async function opsPerSecond(op: (i: number) => Promise<unknown>, inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < OPS) await op(next++);
    }),
  );
  return OPS / ((performance.now() - started) / 1000);
}

function row(name: string, rate: number, baseline: number): string {
  return `${name.padEnd(44)} ${Math.round(rate).toLocaleString("en").padStart(12)} ops/s  ${(rate / baseline).toFixed(2).padStart(6)}× baseline`;
}

/** 1,000 users spending from their counters, as many clients would. */
const keyOf = (prefix: string, i: number) => `${prefix}ratelimit:bench:user:${i % 1000}`;

/** Interleaved rounds, median of each: a shared, loaded machine swings single runs by 2×. */
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function compare(label: string, baseline: (i: number) => Promise<unknown>, store: RateLimitStore, prefix: string): Promise<void> {
  const increment = (i: number) => store.increment(keyOf(prefix, i), WINDOW_MS);
  // warm-up: connection, script cache, JIT
  await opsPerSecond(baseline, IN_FLIGHT);
  await opsPerSecond(increment, IN_FLIGHT);
  for (const inFlight of [1, IN_FLIGHT]) {
    const base: number[] = [];
    const hit: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await opsPerSecond(baseline, inFlight));
      hit.push(await opsPerSecond(increment, inFlight));
    }
    console.log(row(`${label} baseline, ${inFlight} in flight`, median(base), median(base)));
    console.log(row(`${label} increment, ${inFlight} in flight`, median(hit), median(base)));
  }
}

async function main(): Promise<void> {
  console.log(`${OPS.toLocaleString("en")} operations per round, median of ${ROUNDS} rounds`);
  const memory = new MemoryRateLimitStore();
  await compare("memory:", async () => undefined, memory, "");
  await memory.close();

  const url = process.env.REDIS_URL;
  if (!url) {
    console.log("REDIS_URL not set: Redis store skipped");
    return;
  }
  const prefix = `bench:${process.pid}:`;
  const redis = new Redis(url);
  const store = new RedisRateLimitStore(url);
  try {
    await compare("redis:", () => redis.ping(), store, prefix);
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await store.close();
    redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
