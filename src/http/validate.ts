import type { RequestHandler } from "express";
import type { z } from "zod";
import { ValidationError } from "../shared/errors";
import { findReservedKey, findReservedQueryKey } from "../shared/hostile-keys";
import { parseWith } from "../shared/validation";
import { attachDocs } from "./route-catalogue";

/**
 * Validate body / query / params by schema before the handler runs. Parsed values replace the raw
 * ones on `req.valid`, so handlers never touch unvalidated input. Issues are reported as
 * `details: [{ path, message }]`.
 */
export interface ValidSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Documentation only (the OpenAPI document; response checks in tests): what a success returns. */
  response?: z.ZodType;
  /** success status, when not 200 (201 for creations, 204 for no content) */
  status?: number;
  summary?: string;
}

export interface ValidatedRequestParts {
  body: any;
  query: any;
  params: any;
}

declare module "express-serve-static-core" {
  interface Request {
    valid: ValidatedRequestParts;
  }
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = "body"): z.infer<S> {
  return parseWith(schema, input, "invalid_" + what, `The request ${what} is not valid.`);
}

/** The route's docs ride on the middleware, so the generator documents what is really validated. */
export function validate(schemas: ValidSchemas): RequestHandler {
  return attachDocs<RequestHandler>((req, _res, next) => {
    const valid: ValidatedRequestParts = { body: undefined, query: undefined, params: undefined };
    if (schemas.params) valid.params = parseOrThrow(schemas.params, req.params, "params");
    if (schemas.query) valid.query = parseOrThrow(schemas.query, req.query, "query");
    if (schemas.body) valid.body = parseOrThrow(schemas.body, req.body ?? {}, "body");
    req.valid = valid;
    next();
  }, { validate: schemas });
}

/** Docs for a route that takes no input (`GET /profile`): summary and response only. */
export function describeRoute(docs: Pick<ValidSchemas, "response" | "status" | "summary">): RequestHandler {
  return attachDocs<RequestHandler>((_req, _res, next) => next(), { validate: docs });
}

/**
 * Before any router: a body or query using `__proto__`, `constructor` or `prototype` as a key
 * (any depth) is refused as invalid, whatever the route's schema would have done with it.
 */
export const refuseReservedKeys: RequestHandler = (req, _res, next) => {
  const inQuery = findReservedQueryKey(req.query as Record<string, unknown>);
  if (inQuery !== undefined) throw reservedKeyError("query", inQuery);
  const inBody = findReservedKey(req.body);
  if (inBody !== undefined) throw reservedKeyError("body", inBody);
  next();
};

function reservedKeyError(what: "body" | "query", path: string): ValidationError {
  return new ValidationError("invalid_" + what, `The request ${what} is not valid.`, [{ path, message: "reserved key" }]);
}
