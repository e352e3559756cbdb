import { ConflictError, ValidationError } from "../shared/errors";

/**
 * Every error code the progression feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const progressionErrors = {
  invalidBadgeEvent: (event: string) => new ValidationError("invalid_badge_event", `Unknown badge event ${event}.`),
  invalidEventId: () => new ValidationError("invalid_event_id", "An event id is 1-200 characters of letters, digits and _:.@|-."),
  invalidXpAmount: (source: string, max: number) => new ValidationError("invalid_xp_amount", `The XP source ${source} needs an integer amount in 1..${max}.`),
  invalidXpSource: (source: string) => new ValidationError("invalid_xp_source", `Unknown XP source ${source}.`),
  xpAmountNotAllowed: (source: string) => new ValidationError("xp_amount_not_allowed", `The XP source ${source} takes no amount.`),
  xpEventIdReused: (eventId: string, source: string) => new ConflictError("xp_event_id_reused", `The event ${eventId} already counted as ${source} for this user.`),
} as const;
