import { NotFoundError, PayloadTooLargeError, ValidationError } from "../shared/errors";
import type { Issue } from "../shared/validation";

/** The parts of a request a schema checks; each has its own code (`invalid_body`, `invalid_query`, …). */
export type RequestPart = "body" | "query" | "params" | "header" | "payment_order";

/**
 * The codes the REST edge itself answers (input validation, routing, unreadable bodies), declared
 * once like each feature's catalogue.
 */
export const httpErrors = {
  invalidInput: (part: RequestPart, details: Issue[]) => new ValidationError(`invalid_${part}`, `The request ${part} is not valid.`, details),
  /** `__proto__`, `constructor` or `prototype` as a key, at any depth */
  reservedKey: (part: "body" | "query", path: string) => httpErrors.invalidInput(part, [{ path, message: "reserved key" }]),
  routeNotFound: (method: string, path: string) => new NotFoundError("route_not_found", `No route for ${method} ${path}.`),
  /** body-parser refused the body: `message` is its reason (the status is body-parser's, see errorHandler) */
  payloadTooLarge: (message: string) => new PayloadTooLargeError("payload_too_large", message),
  malformedBody: (message = "The body is not valid JSON.") => new ValidationError("malformed_body", message),
} as const;
