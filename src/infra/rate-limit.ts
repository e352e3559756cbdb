import { clock } from "../shared/clock";
import { RateLimitedError } from "../shared/errors";
import { getPresence } from "./presence";

/**
 * Fixed-window rate limiter on presence counters, so every process of a scaled-out deployment shares
 * one budget (Redis) and a single process needs nothing extra (local presence).
 */
export interface RateLimit {
  /** e.g. "auth:ip" */
  scope: string;
  limit: number;
  windowSeconds: number;
}

export async function consumeRateLimit(rule: RateLimit, subject: string): Promise<void> {
  const nowMs = clock.now().getTime();
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  const key = `ratelimit:${rule.scope}:${subject}:${windowStart}`;
  const presence = getPresence();
  const count = await presence.incr(key);
  // the key outlives its window a little so a slow clock on another process still sees it
  if (count === 1) await presence.expire(key, rule.windowSeconds * 2);
  if (count > rule.limit) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000));
    throw new RateLimitedError("rate_limited", `Too many requests; retry in ${retryAfter} s.`, retryAfter);
  }
}
