import { timingSafeEqual } from "node:crypto";
import type express from "express";
import type { RequestHandler } from "express";
import type { Config } from "../config";
import { bearerToken, requireAuth } from "../http/auth";
import { errorHandler } from "../http/errors";
import { routeLabel } from "../http/route-template";
import { httpRequestDuration, registry } from "./metrics";

/** Every request's duration by method, route template and status, observed when the answer is out. */
export const observeHttp: RequestHandler = (req, res, next) => {
  const end = httpRequestDuration.startTimer();
  res.once("finish", () => end({ method: req.method, route: routeLabel(req), status: String(res.statusCode) }));
  next();
};

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` (Prometheus text format), off the public API path: METRICS_TOKEN as a bearer
 * token (what a scraper is configured with), or an admin's access token.
 */
export function mountMetrics(app: express.Application, cfg: Config): void {
  const admin = requireAuth("admin");
  const allowScraper: RequestHandler = (req, res, next) => {
    const token = bearerToken(req);
    if (cfg.METRICS_TOKEN && token && sameSecret(token, cfg.METRICS_TOKEN)) return next();
    return admin(req, res, next);
  };
  app.get("/metrics", allowScraper, async (_req: express.Request, res: express.Response) => {
    res.setHeader("content-type", registry.contentType);
    res.send(await registry.metrics());
  }, errorHandler);
}
