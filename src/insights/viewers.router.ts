import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { seenByQuerySchema, userInsightsQuerySchema } from "./insights.schemas";
import * as insights from "./insights.service";

const storyParams = z.object({ id: objectIdString }).strict();

/** /api/v1/viewers — the author's view of their audience: seen-by lists and insights. */
export function viewersRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/user/insights", validate({ query: userInsightsQuerySchema }), async (req, res) => {
    res.json(await insights.userInsights(principalOf(req).userId, res.locals.valid.query));
  });
  r.get("/story/:id", validate({ params: storyParams, query: seenByQuerySchema }), async (req, res) => {
    res.json(await insights.storyViewers(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  r.get("/story/:id/insights", validate({ params: storyParams }), async (req, res) => {
    res.json(await insights.storyInsights(principalOf(req).userId, res.locals.valid.params.id));
  });
  return r;
}
