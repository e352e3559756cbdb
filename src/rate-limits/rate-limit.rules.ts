import type { Role } from "../auth/roles";

/**
 * API-wide rate limits (seed 002 §19) as data: per minute, per user (per IP before sign-in).
 * A user's tier comes from their marketplace plan (`rate_limit_tier` in
 * src/marketplace/subscription.plans.ts); admins are exempt; auth has its own limit
 * (AUTH_RATE_LIMIT_PER_MINUTE, per IP and per account, the same for everyone).
 */
export const RATE_LIMIT_TIERS = ["standard", "high", "unlimited"] as const;
export type RateLimitTier = (typeof RATE_LIMIT_TIERS)[number];
export type LimitKind = "api" | "realtime";

/** Requests (api) and room messages across all rooms (realtime) per minute; null is unlimited. */
export type TierLimits = Record<LimitKind, number | null>;

export const RATE_LIMIT_WINDOW_SECONDS = 60;

export const DEFAULT_TIER_LIMITS: Readonly<Record<RateLimitTier, TierLimits>> = {
  // the seed's defaults: 100 requests and 1,000 realtime events a minute
  standard: { api: 100, realtime: 1000 },
  // premium plans: ten times the default
  high: { api: 1000, realtime: 10_000 },
  unlimited: { api: null, realtime: null },
};

/** Configured tiers over the defaults: `{ "high": { "api": 500 } }` changes only that number. */
export function mergeTierLimits(overrides: Partial<Record<RateLimitTier, Partial<TierLimits>>>): Record<RateLimitTier, TierLimits> {
  const out = {} as Record<RateLimitTier, TierLimits>;
  for (const tier of RATE_LIMIT_TIERS) out[tier] = { ...DEFAULT_TIER_LIMITS[tier], ...overrides[tier] };
  return out;
}

/** Who is asking: a signed-in user (roles from the token, tier from the plan), or an address. */
export type LimitedCaller = { userId: string; roles: readonly Role[]; tier: RateLimitTier } | { ip: string };

/** The limit a caller has for `kind`: admins none, users their tier's, anonymous callers the standard one. */
export function limitOf(caller: LimitedCaller, kind: LimitKind, tiers: Record<RateLimitTier, TierLimits>): number | null {
  if (!("userId" in caller)) return tiers.standard[kind];
  if (caller.roles.includes("admin")) return null;
  return tiers[caller.tier][kind];
}

/** The counter a caller spends from: one per user (across IPs and processes), one per IP before sign-in. */
export function subjectOf(caller: LimitedCaller): { scope: string; subject: string } {
  return "userId" in caller ? { scope: "user", subject: caller.userId } : { scope: "ip", subject: caller.ip };
}

export interface LimitState {
  limit: number;
  remaining: number;
  resetMs: number;
  windowSeconds: number;
}

/**
 * IETF draft RateLimit headers (draft-ietf-httpapi-ratelimit-headers, the -Limit/-Remaining/-Reset
 * form): Reset is whole seconds until the window ends, never 0 while the window is open.
 */
export function rateLimitHeaders(s: LimitState): Record<string, string> {
  return {
    "RateLimit-Limit": String(s.limit),
    "RateLimit-Remaining": String(s.remaining),
    "RateLimit-Reset": String(Math.max(1, Math.ceil(s.resetMs / 1000))),
    "RateLimit-Policy": `${s.limit};w=${s.windowSeconds}`,
  };
}

/** When two limits apply to one request (auth's and the API's), the headers show the tighter one. */
export function tighter(a: LimitState | undefined, b: LimitState): LimitState {
  if (!a) return b;
  if (b.remaining !== a.remaining) return b.remaining < a.remaining ? b : a;
  return b.limit < a.limit ? b : a;
}
