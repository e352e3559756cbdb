import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from "../shared/errors";
import type { UserBan } from "./ban.rules";
import type { Role } from "./roles";

/**
 * Every error code the auth feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const authErrors = {
  /** an active platform ban: tells the user why and until when (never who banned them) */
  accountBanned: (ban: UserBan) =>
    new ForbiddenError("account_banned", `This account is banned${ban.until ? ` until ${ban.until.toISOString()}` : ""}: ${ban.reason}`, {
      reason: ban.reason,
      until: ban.until?.toISOString() ?? null,
    }),
  /** requireRole (REST) and a room's role check: what the caller lacks */
  roleRequired: (roles: readonly Role[], where: "action" | "room") =>
    new ForbiddenError("forbidden_role", `This ${where} needs one of the roles: ${roles.join(", ")}.`),
  /** a room's message handler ran for a client without onAuth's principal */
  roomNeedsSignedInUser: () => new UnauthenticatedError("missing_token", "This room needs a signed-in user."),
  accountNotFound: () => new UnauthenticatedError("account_not_found", "The account of this access token no longer exists."),
  emailTaken: () => new ConflictError("email_taken", "That email is already registered."),
  invalidCredentials: () => new UnauthenticatedError("invalid_credentials", "Wrong username or password."),
  invalidRefreshToken: () => new UnauthenticatedError("invalid_refresh_token", "The refresh token is not valid."),
  invalidToken: () => new UnauthenticatedError("invalid_token", "The access token is not valid."),
  missingToken: () => new UnauthenticatedError("missing_token", "An access token is required."),
  notYourToken: () => new ForbiddenError("not_your_token", "That refresh token belongs to another user."),
  refreshTokenReused: () => new UnauthenticatedError("refresh_token_reused", "This refresh token was already used; the session has been revoked."),
  tokenExpired: () => new UnauthenticatedError("token_expired", "The access token has expired."),
  userNotFound: (message: "No such user." | "No such creator." = "No such user.") => new NotFoundError("user_not_found", message),
  usernameTaken: () => new ConflictError("username_taken", "That username is already taken."),
} as const;
