import { ConflictError, ForbiddenError, GoneError, NotFoundError, ValidationError } from "../shared/errors";
import type { Issue } from "../shared/validation";

/**
 * Every error code the economy feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const economyErrors = {
  amountOverflow: () => new ValidationError("amount_overflow", "The balance would overflow."),
  captureExceedsHold: (details: { hold: number; amount: number; fee: number }) => new ValidationError("capture_exceeds_hold", "The capture and fee must fit in the hold.", details),
  /** a hold, capture or release request that does not match its schema (`invalid_hold`, `invalid_capture`, `invalid_release`) */
  holdRequestInvalid: (request: "hold" | "capture" | "release", details: Issue[]) => new ValidationError(`invalid_${request}`, "The hold request is not valid.", details),
  holdExpired: () => new GoneError("hold_expired", "The hold has expired."),
  holdIdReused: (id: string, details: { id: string }) => new ConflictError("hold_id_reused", `Hold id ${id} was already used for a different hold.`, details),
  holdNotFound: () => new NotFoundError("hold_not_found", "No such hold."),
  holdNotPending: (status: string, details: { status: "captured" | "released" | "expired" }) => new ConflictError("hold_not_pending", `The hold is already ${status}.`, details),
  idempotencyKeyRequired: () => new ValidationError("idempotency_key_required", "Send an Idempotency-Key header so a retry cannot grant twice."),
  insufficientFunds: (message: string, details: { balance: number; required: number; currency: "tokens" | "diamonds" | "keys" | "inr" }) => new ConflictError("insufficient_funds", message, details),
  invalidCapture: () => new ValidationError("invalid_capture", "A hold cannot be captured to its own owner."),
  invalidHold: () => new ValidationError("invalid_hold", "expiresAt must be in the future."),
  invalidTransfer: (message: "The transfer is not valid." | "A transfer needs two different accounts." | "At least one transfer is needed." | "Linked transfers need distinct ids." | "A clawback debits a user account." = "The transfer is not valid.", details?: { path: string; message: string }[]) => new ValidationError("invalid_transfer", message, details),
  transferIdReused: (message: string, details: { id: string }) => new ConflictError("transfer_id_reused", message, details),
  walletFlagged: () => new ForbiddenError("wallet_flagged", "This wallet is flagged and cannot spend until support clears it."),
} as const;
