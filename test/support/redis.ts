import Redis from "ioredis";

/**
 * Redis for tests that run a suite on both leaderboard backends: TEST_REDIS_URL (set from REDIS_URL
 * by setup.ts; CI provides it) or a local default, on database TEST_REDIS_DB (default 7; parallel
 * work trees on one machine each pick their own) with a per-run key prefix, so a test only ever
 * deletes its own keys. Undefined when no Redis answers (a hard error in CI).
 */
export const TEST_REDIS_DB = Number(process.env.TEST_REDIS_DB ?? 7);

export async function testRedisUrl(): Promise<string | undefined> {
  const candidate = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const url = `${candidate.replace(/\/\d*$/, "")}/${TEST_REDIS_DB}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    if ((await client.ping()) === "PONG") return url;
  } catch {
    // fall through
  } finally {
    client.disconnect();
  }
  if (process.env.CI) throw new Error(`Redis is required in CI (tried ${url})`);
  return undefined;
}

/** A key prefix no other run shares. */
export function testKeyPrefix(what: string): string {
  return `test:${what}:${process.pid}:${Date.now().toString(36)}:`;
}

/** Delete the keys matching `pattern` (a server's own prefix, e.g. "lb:*") from the test database. */
export async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
