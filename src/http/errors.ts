import type { ErrorRequestHandler, RequestHandler } from "express";
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedMediaError,
  ValidationError,
} from "../shared/errors";
import { logger } from "../logger";

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
  if (err instanceof RateLimitedError) return 429;
  if (err instanceof UnavailableError) return 503;
  return 400; // a plain DomainError is a rule the request broke
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(errorBody("route_not_found", `No route for ${req.method} ${req.path}.`));
};

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof DomainError) {
    if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
    res.status(statusOf(err)).json(errorBody(err.code, err.message, err.details));
    return;
  }
  // body-parser failures (bad JSON, too large) carry a status and a type
  const e = err as { status?: number; type?: string; message?: string };
  if (e && typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    const code = e.type === "entity.too.large" ? "payload_too_large" : "malformed_body";
    res.status(e.status).json(errorBody(code, e.type === "entity.parse.failed" ? "The body is not valid JSON." : String(e.message)));
    return;
  }
  (req as { log?: typeof logger }).log?.error({ err }, "unhandled error") ?? logger.error({ err }, "unhandled error");
  res.status(500).json(errorBody("internal_error", "Something went wrong on our side."));
};
