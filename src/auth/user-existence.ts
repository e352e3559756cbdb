import { clock } from "../shared/clock";
import type { PlanId } from "../marketplace/subscription.plans";
import { isBanActive } from "./ban.rules";
import { findUserStanding, type UserStanding } from "./user.repository";
import { authErrors } from "./auth.errors";

/**
 * A valid access token whose user is gone — or banned — must not act, and acts with the user's
 * current roles, not those frozen into the token. Reading the users collection on every request
 * would add a read to each one, so the account's standing (roles, ban) is reused for a moment, per
 * process. A change (deletion, ban, unban, roles) is applied at once on the process that makes it
 * (`forgetUser`) and on every other process through `topics.accountStanding`
 * (src/realtime/account-standing.ts); USER_EXISTS_TTL_MS only bounds a lost event.
 */
export const USER_EXISTS_TTL_MS = 2000;
/** Bounds the cache under a flood of distinct users; clearing it only costs re-reads. */
const MAX_CACHED_USERS = 50_000;

export type AccountStanding = UserStanding;

const confirmed = new Map<string, { at: number; standing: AccountStanding }>();

function recentlyConfirmed(userId: string, now: number): AccountStanding | undefined {
  const hit = confirmed.get(userId);
  // a clock that went backwards (an injected test clock) is not a reason to trust an old answer
  return hit !== undefined && now >= hit.at && now - hit.at < USER_EXISTS_TTL_MS ? hit.standing : undefined;
}

/**
 * The account's current standing. Throws UnauthenticatedError(account_not_found) when the user no
 * longer exists, ForbiddenError(account_banned) while a ban is active (an expired one is ignored).
 */
export async function assertUserExists(userId: string): Promise<AccountStanding> {
  const now = clock.now();
  let standing = recentlyConfirmed(userId, now.getTime());
  if (!standing) {
    const found = await findUserStanding(userId);
    if (!found) {
      confirmed.delete(userId);
      throw authErrors.accountNotFound();
    }
    standing = found;
    if (confirmed.size >= MAX_CACHED_USERS) confirmed.clear();
    confirmed.set(userId, { at: now.getTime(), standing });
  }
  if (isBanActive(standing.ban, now)) throw authErrors.accountBanned(standing.ban);
  return standing;
}

/**
 * The plan of an account confirmed within USER_EXISTS_TTL_MS, without a read: the rate-limit tier of
 * a request or join that was just authenticated comes with its account check.
 */
export function recentPlanOf(userId: string): PlanId | undefined {
  return recentlyConfirmed(userId, clock.now().getTime())?.plan;
}

/** Call where a user is deleted, banned, unbanned or given new roles, so this process re-reads at once. */
export function forgetUser(userId: string): void {
  confirmed.delete(userId);
}
