import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { seenByQuerySchema, userInsightsQuerySchema } from "./insights.schemas";
import * as insights from "./insights.service";
import { storyInsightsResponse, storyViewersResponse, userInsightsResponse } from "./insights.responses";

const authorOnly = { 403: "`not_story_author`: a story's audience is its author's to see." } as const;

const storyParams = z.object({ id: objectIdString }).strict();

/** /api/v1/viewers — the author's view of their audience: seen-by lists and insights. */
export function viewersRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/user/insights", validate({ query: userInsightsQuerySchema, response: userInsightsResponse, summary: "Your stories' insights over a range (default the last 7 days, at most 90)" }), async (req, res) => {
    res.json(await insights.userInsights(principalOf(req).userId, res.locals.valid.query));
  });
  r.get("/story/:id", validate({ params: storyParams, query: seenByQuerySchema, response: storyViewersResponse, summary: "Who viewed one of your stories (author only)", errors: authorOnly }), async (req, res) => {
    res.json(await insights.storyViewers(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  r.get("/story/:id/insights", validate({ params: storyParams, response: storyInsightsResponse, summary: "One story's insights: reach, views by hour, sticker results, top viewers (author only)", errors: authorOnly }), async (req, res) => {
    res.json(await insights.storyInsights(principalOf(req).userId, res.locals.valid.params.id));
  });
  return r;
}
