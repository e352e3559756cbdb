/**
 * Subscription plans (seed 002 §7) as data. `null` is unlimited. Everyone without an active paid
 * subscription is on `basic`. Prices are integer paise per 30-day period.
 */
export const PLAN_IDS = ["basic", "premium", "enterprise"] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export type PlanLimit = "active_campaigns" | "active_bids" | "applications_per_month";

export interface Plan {
  id: PlanId;
  price: number;
  limits: Record<PlanLimit, number | null>;
  rate_limit_tier: "standard" | "high" | "unlimited";
}

export const PLAN_PERIOD_DAYS = 30;

export const PLANS: Record<PlanId, Plan> = {
  basic: { id: "basic", price: 0, limits: { active_campaigns: 2, active_bids: 2, applications_per_month: 10 }, rate_limit_tier: "standard" },
  premium: { id: "premium", price: 99_900, limits: { active_campaigns: 20, active_bids: 20, applications_per_month: 100 }, rate_limit_tier: "high" },
  enterprise: { id: "enterprise", price: 499_900, limits: { active_campaigns: null, active_bids: null, applications_per_month: null }, rate_limit_tier: "unlimited" },
};

/** The cheapest plan whose limit is above `used` (what the `plan_limit_reached` error suggests). */
export function planThatLifts(limit: PlanLimit, used: number): PlanId | null {
  for (const id of PLAN_IDS) {
    const max = PLANS[id].limits[limit];
    if (max === null || max > used) return id;
  }
  return null;
}

/** Upgrade price: the difference in price for the part of the period that is left, rounded up. */
export function proratedUpgradePrice(from: PlanId, to: PlanId, msLeft: number): number {
  const periodMs = PLAN_PERIOD_DAYS * 86_400_000;
  const fraction = Math.min(1, Math.max(0, msLeft / periodMs));
  return Math.ceil((PLANS[to].price - PLANS[from].price) * fraction);
}
