import { LocalPresence, LocalDriver, type Presence, type MatchMakerDriver } from "@colyseus/core";
import { RedisPresence } from "@colyseus/redis-presence";
import { RedisDriver } from "@colyseus/redis-driver";
import type { Config } from "../config";
import { LocalKeyLocks, RedisKeyLocks, type KeyLocks } from "./key-locks";
import { createRateLimitStore } from "./rate-limit";

/**
 * Presence (pub/sub + shared keys) and the matchmaker driver: local when REDIS_URL is absent, Redis
 * when set. Beyond Colyseus, the app uses presence for cross-process state: rate-limit counters,
 * the sweeper lock, cache invalidation. Callers never ask which one they have.
 */
let presence: Presence | undefined;
let keyLocks: KeyLocks | undefined;

export function createInfrastructure(cfg: Config): { presence: Presence; driver: MatchMakerDriver } {
  void keyLocks?.close();
  createRateLimitStore(cfg.REDIS_URL);
  if (cfg.REDIS_URL) {
    presence = new RedisPresence(cfg.REDIS_URL);
    keyLocks = new RedisKeyLocks(cfg.REDIS_URL);
    return { presence, driver: new RedisDriver(cfg.REDIS_URL) };
  }
  presence = new LocalPresence();
  keyLocks = new LocalKeyLocks();
  return { presence, driver: new LocalDriver() };
}

/** Exclusive holds shared by every process (one room per key). */
export function getKeyLocks(): KeyLocks {
  if (!keyLocks) throw new Error("key locks are not initialised (server not booted)");
  return keyLocks;
}

export async function closeKeyLocks(): Promise<void> {
  await keyLocks?.close();
}

export function getPresence(): Presence {
  if (!presence) throw new Error("presence is not initialised (server not booted)");
  return presence;
}
