import { Router } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { metricsQuerySchema, storyMetrics } from "./story-metrics.service";
import { metricsResponse } from "./story-metrics.responses";

/** `/api/v1/admin/stories`: operator views over stories (site admins; a community's admins for theirs). */
export function storyAdminRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get(
    "/metrics",
    validate({ query: metricsQuerySchema, response: metricsResponse, summary: "Story metrics over a window (admins; community admins with community_id)", errors: { 403: "`forbidden_role` (all stories need admin) or `not_community_admin`.", 404: "`community_not_found`." } }),
    async (req, res) => {
      res.json(await storyMetrics(principalOf(req), res.locals.valid.query));
    },
  );
  return r;
}
