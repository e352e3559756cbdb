import { config } from "../config";
import { clock } from "../shared/clock";
import type { Principal } from "../auth/roles";
import { recentPlanOf } from "../auth/user-existence";
import { currentPlan } from "../marketplace/subscription.service";
import { PLANS } from "../marketplace/subscription.plans";
import { rateLimitRefusal, takeRateLimit, type RateLimitDecision } from "../infra/rate-limit";
import { limitOf, RATE_LIMIT_WINDOW_SECONDS, subjectOf, type LimitedCaller, type LimitKind, type RateLimitTier } from "./rate-limit.rules";

/**
 * Spending from the API-wide budgets: one path for REST (src/http/rate-limit.ts) and room messages
 * (src/realtime/room-messages.ts). Counters are shared across processes (src/infra/rate-limit.ts).
 */

/**
 * A user's tier is read from their plan at most this often per process: every request must not cost
 * a subscription query, and an upgrade (or a lapse) reaching the limits within 30 s is soon enough.
 */
const TIER_CACHE_MS = 30_000;
/** Bounds the cache: past it, the oldest entries go first (Map keeps insertion order). */
const TIER_CACHE_MAX = 50_000;
const tierCache = new Map<string, { tier: RateLimitTier; until: number }>();

export async function rateLimitTierOf(userId: string): Promise<RateLimitTier> {
  const now = clock.now().getTime();
  const cached = tierCache.get(userId);
  if (cached && cached.until > now) return cached.tier;
  // a request or join authenticated just now read the plan with its account check (one command for both)
  const tier = PLANS[recentPlanOf(userId) ?? (await currentPlan(userId))].rate_limit_tier;
  tierCache.delete(userId);
  if (tierCache.size >= TIER_CACHE_MAX) tierCache.delete(tierCache.keys().next().value!);
  tierCache.set(userId, { tier, until: now + TIER_CACHE_MS });
  return tier;
}

/**
 * Read a joining client's tier now (rooms call this from onAuth), so its messages find it cached:
 * a message then costs one counter, never a subscription query on the hot path.
 */
export async function primeRateLimitTier(principal: Principal): Promise<void> {
  if (!principal.roles.includes("admin")) await rateLimitTierOf(principal.userId);
}

/** The caller as the rules see it: a principal (tier looked up unless exempt) or an address. */
export async function limitedCaller(principal: Principal | undefined, ip: string): Promise<LimitedCaller> {
  if (!principal) return { ip };
  // an admin is exempt whatever the plan: no lookup
  const tier = principal.roles.includes("admin") ? "unlimited" : await rateLimitTierOf(principal.userId);
  return { userId: principal.userId, roles: principal.roles, tier };
}

/** Count one request (or room message) of `caller`; null when the caller is unlimited. */
export function spend(caller: LimitedCaller, kind: LimitKind): Promise<RateLimitDecision | null> {
  const { scope, subject } = subjectOf(caller);
  const limit = limitOf(caller, kind, config().RATE_LIMIT_TIERS);
  return takeRateLimit({ scope: `${kind}:${scope}`, limit, windowSeconds: RATE_LIMIT_WINDOW_SECONDS }, subject);
}

/**
 * One room message from a joined client: 1,000 a minute per user across every room and process by
 * default; over it, `rate_limited` with `retry_after_ms` (the client stays connected).
 */
export async function spendRoomMessage(principal: Principal | undefined, sessionId: string): Promise<void> {
  // every room authenticates its clients; a client without a user still has a budget, per session
  const caller = principal ? await limitedCaller(principal, "") : { ip: `session:${sessionId}` };
  const decision = await spend(caller, "realtime");
  if (decision && !decision.allowed) throw rateLimitRefusal(decision, "room messages");
}
