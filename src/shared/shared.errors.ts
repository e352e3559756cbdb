import { InternalError, ValidationError } from "./errors";

/**
 * The codes the shared helpers answer (pagination, and the failure every edge reports the same way),
 * declared once like each feature's catalogue (`<feature>.errors.ts`).
 */
export const sharedErrors = {
  invalidCursor: () => new ValidationError("invalid_cursor", "The cursor is not valid for this list."),
  /** what REST (500) and rooms answer for an unexpected failure; the cause is only logged */
  internal: () => new InternalError("internal_error", "Something went wrong on our side."),
} as const;
