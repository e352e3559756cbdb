import Redis from "ioredis";
import { clock } from "../shared/clock";
import type { RateLimitedError } from "../shared/errors";
import { rateLimitErrors } from "../rate-limits/rate-limit.errors";
import { metrics } from "../metrics/metrics";

/** Refusals by scope (`api:user`, `api:ip`, `auth:ip`, `auth:account`, `realtime:user`, …). */
const refusals = metrics.counter("rate_limited_total", "Requests and room messages refused by a rate limit.", ["scope"]);

/**
 * Fixed-window rate limits, one interface with two backends chosen at boot (like presence): a Map
 * in this process when REDIS_URL is absent, Redis when set, so every process of a scaled-out
 * deployment spends from one budget. Windows are aligned to the clock (`windowStart` is part of the
 * key), so all processes agree on when a window ends and `Reset`/`Retry-After` need no extra read.
 */
export interface RateLimitStore {
  /** Count one hit on `key` and return the count so far; the key lives at least `ttlMs`. */
  increment(key: string, ttlMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Expired windows are dropped at most this often (a window key is never read after its window). */
const SWEEP_EVERY_MS = 60_000;

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counts = new Map<string, { count: number; expiresAt: number }>();
  private lastSweep = Date.now();

  async increment(key: string, ttlMs: number): Promise<number> {
    const now = Date.now();
    if (now - this.lastSweep > SWEEP_EVERY_MS) this.sweep(now);
    const entry = this.counts.get(key);
    if (entry && entry.expiresAt > now) return ++entry.count;
    this.counts.set(key, { count: 1, expiresAt: now + ttlMs });
    return 1;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, entry] of this.counts) if (entry.expiresAt <= now) this.counts.delete(key);
  }

  async close(): Promise<void> {
    this.counts.clear();
  }
}

/** INCR and, on the first hit, PEXPIRE in one step: a crash between the two cannot leave a key forever. */
const INCREMENT_SCRIPT = `local c = redis.call("incr", KEYS[1]) if c == 1 then redis.call("pexpire", KEYS[1], ARGV[1]) end return c`;

type WithIncrement = Redis & { rateLimitIncrement(key: string, ttlMs: string): Promise<number> };

export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: WithIncrement;

  constructor(url: string) {
    const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    // a defined command is sent as EVALSHA (the script body only once per connection)
    redis.defineCommand("rateLimitIncrement", { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    this.redis = redis as WithIncrement;
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    return Number(await this.redis.rateLimitIncrement(key, String(ttlMs)));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

let store: RateLimitStore | undefined;

export function createRateLimitStore(redisUrl: string | undefined): RateLimitStore {
  void store?.close();
  store = redisUrl ? new RedisRateLimitStore(redisUrl) : new MemoryRateLimitStore();
  return store;
}

export async function closeRateLimitStore(): Promise<void> {
  await store?.close();
}

function rateLimitStore(): RateLimitStore {
  if (!store) throw new Error("the rate-limit store is not initialised (server not booted)");
  return store;
}

export interface RateLimit {
  /** e.g. "auth:ip", "api:user" */
  scope: string;
  /** requests per window; null is unlimited */
  limit: number | null;
  windowSeconds: number;
}

/** One request's outcome, what the RateLimit-* headers and Retry-After say. */
export interface RateLimitDecision {
  scope: string;
  allowed: boolean;
  limit: number;
  remaining: number;
  /** until the window ends */
  resetMs: number;
  windowSeconds: number;
}

/** Count one request of `subject` under `rule`. An unlimited rule counts nothing and returns null. */
export async function takeRateLimit(rule: RateLimit, subject: string): Promise<RateLimitDecision | null> {
  if (rule.limit === null) return null;
  const nowMs = clock.now().getTime();
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  // the key outlives its window a little so a process whose clock lags still finds it
  const count = await rateLimitStore().increment(`ratelimit:${rule.scope}:${subject}:${windowStart}`, windowMs * 2);
  return {
    scope: rule.scope,
    allowed: count <= rule.limit,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - count),
    resetMs: windowStart + windowMs - nowMs,
    windowSeconds: rule.windowSeconds,
  };
}

/** The refusal for a decision that is over its limit: `rate_limited`, retry in whole seconds and in ms. */
export function rateLimitRefusal(decision: RateLimitDecision, what: "requests" | "room messages" = "requests"): RateLimitedError {
  refusals.inc({ scope: decision.scope });
  return rateLimitErrors.overLimit(what, Math.max(1, Math.ceil(decision.resetMs / 1000)), decision.resetMs, decision.limit);
}
