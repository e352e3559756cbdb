import type { Request } from "express";
// express 5 re-exports the router package's Route (not in @types/express)
const { Route } = require("express") as { Route: { prototype: unknown } };

/**
 * The route template that served a request (`/api/v1/stories/:id`), for metrics and logs: never
 * the raw URL, whose ids would make one series per story. Recorded when a route starts handling
 * the request, because `req.baseUrl` is unwound by the time an error handler answers.
 */
declare module "express-serve-static-core" {
  interface Request {
    routeTemplate?: string;
  }
}

type Dispatch = (req: Request, res: unknown, done: unknown) => void;
const route = Route.prototype as unknown as { path: string; dispatch: Dispatch; __templated?: true };
if (!route.__templated) {
  const dispatch = route.dispatch;
  route.dispatch = function (this: { path: string }, req, res, done) {
    req.routeTemplate = (req.baseUrl + (this.path === "/" && req.baseUrl ? "" : this.path)) || "/";
    return dispatch.call(this, req, res, done);
  };
  route.__templated = true;
}

/** What a request is counted under: its template, or `unmatched` when no route took it. */
export function routeLabel(req: Request): string {
  return req.routeTemplate ?? "unmatched";
}
