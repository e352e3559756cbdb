import { RateLimitedError } from "../shared/errors";

/** The API-wide budgets' one refusal (REST requests and room messages), declared once. */
export const rateLimitErrors = {
  /** retry in whole seconds (Retry-After) and in ms (rooms' clients); `limit` is the budget per window */
  overLimit: (what: "requests" | "room messages", retryAfterSeconds: number, retryAfterMs: number, limit: number) =>
    new RateLimitedError("rate_limited", `Too many ${what}; retry in ${retryAfterSeconds} s.`, retryAfterSeconds, {
      retry_after_seconds: retryAfterSeconds,
      retry_after_ms: retryAfterMs,
      limit,
    }),
} as const;
