import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { validate } from "../http/validate";
import * as moderation from "./moderation.service";
import { reportBody, reportParams, reportsQuery, resolveBody, storyReportParams } from "./moderation.schemas";
import { reportQueuePage, reportView, resolutionView } from "./moderation.responses";

/** `/api/v1/stories/:id/report`: report a story (once), read back your own report. */
export function storyReportsRouter(): Router {
  const r = Router();
  r.post("/:id/report", requireAuth(), validate({ params: storyReportParams, body: reportBody, example: { reason: "spam", note: "Same link posted 40 times" }, response: reportView, status: 201, summary: "Report a story (once per user)", errors: { 400: "`cannot_report_own`.", 404: "`story_not_found`.", 409: "`already_reported`." } }), async (req, res) => {
    res.status(201).json(await moderation.reportStory(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.get("/:id/report", requireAuth(), validate({ params: storyReportParams, response: reportView, summary: "Your own report on a story", errors: { 404: "`report_not_found`: you have not reported it." } }), async (req, res) => {
    res.json(await moderation.myStoryReport(principalOf(req), res.locals.valid.params.id));
  });
  return r;
}

/**
 * `/api/v1/admin/reports`: the moderation queue. Signed in, then the moderation scope decides
 * (src/moderation/moderation-scope.ts: platform admins now, a community's admins next).
 */
export function reportsAdminRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", validate({ query: reportsQuery, response: reportQueuePage, summary: "The moderation queue (moderators)", errors: { 403: "`not_a_moderator`." } }), async (req, res) => {
    res.json(await moderation.listReports(principalOf(req), res.locals.valid.query));
  });
  r.post("/:id/resolve", validate({ params: reportParams, body: resolveBody, example: { action: "remove_story", note: "Spam link farm" }, response: resolutionView, summary: "Resolve a report: dismiss, remove_story or ban_author (moderators)", errors: { 403: "`not_a_moderator`.", 404: "`report_not_found`.", 409: "`report_already_resolved`." } }), async (req, res) => {
    res.json(await moderation.resolveReport(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  return r;
}
