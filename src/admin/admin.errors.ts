import { ConflictError, ValidationError } from "../shared/errors";

/**
 * Every error code the admin feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status) and the message. An unknown user is auth's `user_not_found`.
 */
export const adminErrors = {
  cannotBanSelf: () => new ConflictError("cannot_ban_self", "An admin cannot ban their own account."),
  banUntilPast: () => new ValidationError("ban_until_past", "`until` must be in the future."),
  userNotBanned: () => new ConflictError("user_not_banned", "This user is not banned."),
  cannotDemoteSelf: () => new ConflictError("cannot_demote_self", "An admin cannot remove their own admin role."),
} as const;
