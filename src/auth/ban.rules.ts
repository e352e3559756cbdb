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
