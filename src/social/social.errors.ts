import { ValidationError } from "../shared/errors";

/**
 * Every error code the social feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const socialErrors = {
  cannotBlockSelf: () => new ValidationError("cannot_block_self", "You cannot block yourself."),
  cannotFollowSelf: () => new ValidationError("cannot_follow_self", "You cannot follow yourself."),
} as const;
