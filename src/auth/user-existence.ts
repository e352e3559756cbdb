import { clock } from "../shared/clock";
import { UnauthenticatedError } from "../shared/errors";
import { userExists } from "./user.repository";
import { authErrors } from "./auth.errors";

/**
 * A valid access token whose user is gone must not act. Checking the users collection on every
 * request would add a read to each one, so a positive answer is reused for a moment, per process:
 * a deleted user's token can act for at most USER_EXISTS_TTL_MS on a process that saw it just
 * before the deletion (immediately refused on the process that deletes, via forgetUser).
 */
export const USER_EXISTS_TTL_MS = 2000;
/** Bounds the cache under a flood of distinct users; clearing it only costs re-reads. */
const MAX_CACHED_USERS = 50_000;

const confirmedAt = new Map<string, number>();

function recentlyConfirmed(userId: string, now: number): boolean {
  const at = confirmedAt.get(userId);
  // a clock that went backwards (an injected test clock) is not a reason to trust an old answer
  return at !== undefined && now >= at && now - at < USER_EXISTS_TTL_MS;
}

/** Throws UnauthenticatedError(account_not_found) when the token's user no longer exists. */
export async function assertUserExists(userId: string): Promise<void> {
  const now = clock.now().getTime();
  if (recentlyConfirmed(userId, now)) return;
  if (!(await userExists(userId))) {
    confirmedAt.delete(userId);
    throw authErrors.accountNotFound();
  }
  if (confirmedAt.size >= MAX_CACHED_USERS) confirmedAt.clear();
  confirmedAt.set(userId, now);
}

/** Call where a user is deleted, so this process refuses their tokens at once. */
export function forgetUser(userId: string): void {
  confirmedAt.delete(userId);
}
