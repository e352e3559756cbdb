import { ForbiddenError } from "../shared/errors";

/**
 * A platform ban on an account (set by an admin, src/admin). While active it refuses sign-in,
 * refresh, every authenticated REST call, room joins and room messages. `until: null` is
 * indefinite; a ban whose `until` has passed no longer counts (it lifts by itself, no job needed).
 */
export interface UserBan {
  reason: string;
  until: Date | null;
  banned_at: Date;
  banned_by: string;
}

export function isBanActive(ban: UserBan | null | undefined, now: Date): ban is UserBan {
  return !!ban && (ban.until === null || ban.until.getTime() > now.getTime());
}

/** 403 `account_banned`, telling the user why and until when (never who banned them). */
export function accountBannedError(ban: UserBan): ForbiddenError {
  const until = ban.until ? ` until ${ban.until.toISOString()}` : "";
  return new ForbiddenError("account_banned", `This account is banned${until}: ${ban.reason}`, { reason: ban.reason, until: ban.until?.toISOString() ?? null });
}
