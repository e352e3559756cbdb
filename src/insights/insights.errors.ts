import { ValidationError } from "../shared/errors";

/**
 * Every error code the insights feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const insightsErrors = {
  invalidRange: (details: { from: Date; to: Date }) => new ValidationError("invalid_range", "from must be before to.", details),
  rangeTooLong: (maxRangeDays: number, details: { max_days: number }) => new ValidationError("range_too_long", `The range can span at most ${maxRangeDays} days.`, details),
} as const;
