import type { Request, RequestHandler, Response } from "express";
import { rateLimitRefusal, takeRateLimit, type RateLimit, type RateLimitDecision } from "../infra/rate-limit";
import { limitedCaller, spend } from "../rate-limits/rate-limit.service";
import { rateLimitHeaders, tighter, type LimitState } from "../rate-limits/rate-limit.rules";
import { authenticateRequest, bearerToken } from "./auth";

/**
 * Rate limits at the REST edge. Every response under /api/v1 (429 or not) carries the RateLimit-*
 * headers of the tightest limit the request spent from; a 429 adds Retry-After (src/http/errors.ts).
 */
const SHOWN = Symbol("rate-limit shown");
type WithShown = Response & { [SHOWN]?: LimitState };

/** Show the decision's headers (when tighter than one already shown); refuse when over the limit. */
function enforce(res: Response, decision: RateLimitDecision | null): void {
  if (!decision) return;
  const r = res as WithShown;
  const shown = tighter(r[SHOWN], decision);
  if (shown !== r[SHOWN]) {
    r[SHOWN] = shown;
    res.set(rateLimitHeaders(shown));
  }
  if (!decision.allowed) throw rateLimitRefusal(decision);
}

/** Spend one request from `rule` for `subjectOf(req, res)`: headers always, `rate_limited` (429) when over. */
export function limitRequests<Res extends Response = Response>(rule: () => RateLimit, subjectOf: (req: Request, res: Res) => string): RequestHandler {
  return (async (req: Request, res: Res, next: () => void) => {
    enforce(res, await takeRateLimit(rule(), subjectOf(req, res)));
    next();
  }) as unknown as RequestHandler;
}

/**
 * The general API limit: per user (the access token's subject, the account's current roles — an
 * admin demoted is limited at once — and plan tier) or, without
 * a valid token, per client IP (TRUST_PROXY decides which). An invalid token spends from the IP's
 * budget, so forged tokens cannot open fresh budgets. Health, metrics and /docs are outside /api/v1.
 */
export function apiRateLimit(unlimitedPaths: readonly string[]): RequestHandler {
  const unlimited = new Set(unlimitedPaths);
  return async (req, res, next) => {
    if (unlimited.has(req.path)) return next();
    const token = bearerToken(req);
    const principal = token ? await authenticateRequest(req).catch(() => undefined) : undefined;
    enforce(res, await spend(await limitedCaller(principal, req.ip ?? "unknown"), "api"));
    next();
  };
}
