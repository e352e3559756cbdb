import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  GoneError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  RangeNotSatisfiableError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedMediaError,
  ValidationError,
} from "../shared/errors";
import { sharedErrors } from "../shared/shared.errors";
import { logger } from "../logger";
import { httpErrors } from "./http.errors";

/** The only place a domain error becomes an HTTP status: `{ error: { code, message, details? } }`. */
export function statusOf(err: DomainError): number {
  if (err instanceof ValidationError) return 400;
  if (err instanceof UnauthenticatedError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof GoneError) return 410;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof UnsupportedMediaError) return 415;
  if (err instanceof RangeNotSatisfiableError) return 416;
  if (err instanceof RateLimitedError) return 429;
  if (err instanceof UnavailableError) return 503;
  if (err instanceof InternalError) return 500;
  return 400; // a plain DomainError is a rule the request broke
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The JSON body of a domain error. */
export function bodyOf(err: DomainError) {
  return errorBody(err.code, err.message, err.details);
}

/** Answer `err` with its status (and Retry-After when rate limited). */
export function sendDomainError(res: Response, err: DomainError, status = statusOf(err)): void {
  if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
  res.status(status).json(bodyOf(err));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendDomainError(res, httpErrors.routeNotFound(req.method, req.path));
};

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof DomainError) return sendDomainError(res, err);
  // body-parser failures (bad JSON, too large) carry a status and a type; the status stays theirs
  const e = err as { status?: number; type?: string; message?: string };
  if (e && typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    const refusal =
      e.type === "entity.too.large"
        ? httpErrors.payloadTooLarge(String(e.message))
        : httpErrors.malformedBody(e.type === "entity.parse.failed" ? undefined : String(e.message));
    return sendDomainError(res, refusal, e.status);
  }
  (req as { log?: typeof logger }).log?.error({ err }, "unhandled error") ?? logger.error({ err }, "unhandled error");
  sendDomainError(res, sharedErrors.internal());
};
