/**
 * One domain error type with stable string codes. Services and rules throw these; only the edges
 * (src/http/errors.ts for REST, src/realtime/room-messages.ts for rooms) turn them into a status or a
 * room error reply. The subclass says what kind of failure it is; the code says which one.
 */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The input is malformed or breaks a rule (400). */
export class ValidationError extends DomainError {
  override name = "ValidationError";
}
/** No valid credentials (401). */
export class UnauthenticatedError extends DomainError {
  override name = "UnauthenticatedError";
}
/** Authenticated, but not allowed (403). */
export class ForbiddenError extends DomainError {
  override name = "ForbiddenError";
}
/** The thing does not exist, or the caller may not know it exists (404). */
export class NotFoundError extends DomainError {
  override name = "NotFoundError";
}
/** Clashes with the current state: duplicates, wrong state-machine state (409). */
export class ConflictError extends DomainError {
  override name = "ConflictError";
}
/** Existed, but is no longer available, e.g. an expired story (410). */
export class GoneError extends DomainError {
  override name = "GoneError";
}
/**
 * Too many requests; retryAfterSeconds feeds the Retry-After header (429). `details` defaults to
 * `{ retry_after_seconds }`; rooms' refusals add `retry_after_ms` (their clients wait in ms).
 */
export class RateLimitedError extends DomainError {
  override name = "RateLimitedError";
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
    details: Record<string, unknown> = { retry_after_seconds: retryAfterSeconds },
  ) {
    super(code, message, details);
  }
}

/** The body (or a file in it) is larger than allowed (413). */
export class PayloadTooLargeError extends DomainError {
  override name = "PayloadTooLargeError";
}
/** The content is of a type this endpoint does not take, judged from its bytes (415). */
export class UnsupportedMediaError extends DomainError {
  override name = "UnsupportedMediaError";
}

/** The requested byte range is outside the file (416). */
export class RangeNotSatisfiableError extends DomainError {
  override name = "RangeNotSatisfiableError";
}

/** Our failure, not the caller's: answered without its cause, which is logged (500). */
export class InternalError extends DomainError {
  override name = "InternalError";
}

/** A dependency is missing or down: an unconfigured or unreachable payment provider (503). */
export class UnavailableError extends DomainError {
  override name = "UnavailableError";
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}
