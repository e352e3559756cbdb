import Redis from "ioredis";

/**
 * Exclusive, expiring holds on a name, shared by every process: the local default keeps them in
 * memory (one process), Redis holds them with `SET NX PX` when REDIS_URL is set. A hold lapses
 * after its TTL unless refreshed, so a crashed holder frees it; only the owner refreshes or
 * releases it (compare-and-set in one Redis script, so a lapsed owner cannot free a new one's).
 */
export interface KeyLocks {
  /** Take `key` for `owner` unless someone else holds it; true when taken. */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extend the hold if `owner` still has it; false when it lapsed or was taken over. */
  refresh(key: string, owner: string, ttlMs: number): Promise<boolean>;
  release(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

export class LocalKeyLocks implements KeyLocks {
  private readonly holds = new Map<string, { owner: string; until: number }>();

  private live(key: string): { owner: string; until: number } | undefined {
    const hold = this.holds.get(key);
    if (hold && hold.until <= Date.now()) {
      this.holds.delete(key);
      return undefined;
    }
    return hold;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const hold = this.live(key);
    if (hold && hold.owner !== owner) return false;
    this.holds.set(key, { owner, until: Date.now() + ttlMs });
    return true;
  }

  async refresh(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const hold = this.live(key);
    if (hold?.owner !== owner) return false;
    hold.until = Date.now() + ttlMs;
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.live(key)?.owner === owner) this.holds.delete(key);
  }

  async close(): Promise<void> {
    this.holds.clear();
  }
}

const REFRESH_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export class RedisKeyLocks implements KeyLocks {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`lock:${key}`, owner, "PX", ttlMs, "NX")) === "OK";
  }

  async refresh(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(REFRESH_SCRIPT, 1, `lock:${key}`, owner, String(ttlMs))) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, `lock:${key}`, owner);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
