import type { RequestHandler } from "express";
import type { z } from "zod";
import type { ValidationError } from "../shared/errors";
import { findReservedKey, findReservedQueryKey } from "../shared/hostile-keys";
import { parseWith } from "../shared/validation";
import { attachDocs } from "./route-catalogue";
import { httpErrors, type RequestPart } from "./http.errors";

/**
 * Validate body / query / params by schema before the handler runs. Parsed values are on
 * `res.locals.valid`, typed from the route's schemas (Express infers the route's locals from this
 * middleware, so the handler after it cannot hand a service a body of the wrong type); handlers
 * never touch unvalidated input. Issues are reported as `details: [{ path, message }]`.
 */
export interface ValidSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Documentation only: a multipart/form-data body the route streams itself (uploads). */
  multipart?: z.ZodType;
  /** Documentation only (the OpenAPI document; response checks in tests): what a success returns. */
  response?: z.ZodType;
  /**
   * success status, when not 200 (201 for creations, 204 for no content); a list when the route
   * answers one of several (`[201, 200]`: created, or the existing one), the usual one first
   */
  status?: number | readonly [number, ...number[]];
  summary?: string;
  /**
   * Documentation only: the error statuses this route can answer beyond those the generator
   * derives (400 always, 401/403 from `requireAuth`, 404 when the path has a parameter), e.g.
   * `{ 409: "already following" }`. A description given for a derived status replaces its text.
   */
  errors?: Partial<Record<ErrorStatus, string>>;
  /** Documentation only: an example request body (the OpenAPI tests parse it with `body`, so it stays valid). */
  example?: unknown;
}

/** The statuses src/http/errors.ts gives domain errors (and 503 for an unavailable dependency). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 503;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What `validate(schemas)` leaves on `res.locals.valid`. */
export interface Valid<S extends ValidSchemas> {
  body: Parsed<S["body"]>;
  query: Parsed<S["query"]>;
  params: Parsed<S["params"]>;
}

/** The success statuses a route documents, the usual one first. */
export function successStatuses(docs: Pick<ValidSchemas, "status">): number[] {
  return docs.status === undefined ? [200] : typeof docs.status === "number" ? [docs.status] : [...docs.status];
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: RequestPart = "body"): z.infer<S> {
  return parseWith(schema, input, (issues) => httpErrors.invalidInput(what, issues));
}

/** The route's docs ride on the middleware, so the generator documents what is really validated. */
export function validate<S extends ValidSchemas>(schemas: S): RequestHandler<any, any, any, any, { valid: Valid<S> }> {
  return attachDocs<RequestHandler<any, any, any, any, { valid: Valid<S> }>>((req, res, next) => {
    const valid = { body: undefined, query: undefined, params: undefined } as Record<"body" | "query" | "params", unknown>;
    if (schemas.params) valid.params = parseOrThrow(schemas.params, req.params, "params");
    if (schemas.query) valid.query = parseOrThrow(schemas.query, req.query, "query");
    if (schemas.body) valid.body = parseOrThrow(schemas.body, req.body ?? {}, "body");
    res.locals.valid = valid as unknown as Valid<S>;
    next();
  }, { validate: schemas });
}

/** Docs for a route that takes no input (`GET /profile`): summary and response only. */
export function describeRoute(docs: Pick<ValidSchemas, "response" | "status" | "summary" | "errors">): RequestHandler {
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

export function reservedKeyError(what: "body" | "query", path: string): ValidationError {
  return httpErrors.reservedKey(what, path);
}
