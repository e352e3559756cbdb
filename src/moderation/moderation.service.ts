import { moderateMember } from "../communities/community.service";
import { config } from "../config";
import type { Principal } from "../auth/roles";
import { writeBan } from "../admin/admin-users.service";
import { recordAudit } from "../admin/audit";
import { inTransaction } from "../infra/transaction";
import { logger } from "../logger";
import { notify } from "../notifications/notification.service";
import { announceStandingChanged } from "../realtime/account-standing";
import { clock } from "../shared/clock";
import { NotFoundError, isDuplicateKeyError } from "../shared/errors";
import { afterTimeId, decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { loadVisibleStory } from "../stories/story.access";
import { publishStoryEvent } from "../stories/story.events";
import * as storyRepo from "../stories/story.repository";
import { deleteStory } from "../stories/story.service";
import { moderationErrors } from "./moderation.errors";
import { isPlatformModerator, mayKnowReporters, mayModerateStory, moderationScope, type ModeratedStory } from "./moderation-scope";
import { RESOLUTIONS, shouldHide } from "./moderation.rules";
import type { ReportBody, ReportsQuery, ResolveBody } from "./moderation.schemas";
import { ReportModel, type ReportReason, type ReportStatus, type ReportTargetType, type ResolutionAction } from "./report.model";

/**
 * Reports and the moderation queue. A user reports a story they can see, once; at
 * REPORT_HIDE_THRESHOLD distinct open reports the story is hidden from everyone but its author
 * (feed, GET, highlights, rooms) until a moderator resolves it. Reporters never learn about each
 * other: a reporter gets their own report back and nothing else; reporter ids reach admins only.
 */
type Row = Record<string, any>;

export interface ReportView {
  id: string;
  target_type: ReportTargetType;
  target_id: string;
  reason: ReportReason;
  note: string | null;
  status: ReportStatus;
  created_at: string;
  resolved_at: string | null;
  resolution: { action: ResolutionAction; note: string } | null;
}

export interface QueuedReportView extends ReportView {
  target_owner_id: string;
  open_reports_on_target: number;
  reporter_id?: string;
}

function toReportView(row: Row): ReportView {
  return {
    id: String(row._id),
    target_type: row.target_type,
    target_id: row.target_id,
    reason: row.reason,
    note: row.note ?? null,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    resolved_at: row.resolved_at ? new Date(row.resolved_at).toISOString() : null,
    resolution: row.resolution ? { action: row.resolution.action, note: row.resolution.note ?? "" } : null,
  };
}

const openReportsOf = (targetType: ReportTargetType, targetId: string) => ({ target_type: targetType, target_id: targetId, status: "open" as const });

/** Hide the story once enough distinct users have open reports on it (idempotent; a lost race re-checks on the next report). */
async function hideIfReportedEnough(story: ModeratedStory): Promise<void> {
  const reporters = await ReportModel.countDocuments(openReportsOf("story", story._id));
  if (!shouldHide(reporters, config().REPORT_HIDE_THRESHOLD)) return;
  if (await storyRepo.setModerationHidden(story._id, true)) {
    publishStoryEvent({ type: "story_moderated", story_id: story._id, author_id: story.user_id });
    logger.info({ storyId: story._id, reporters }, "story hidden pending review");
  }
}

/** `POST /stories/:id/report`: 201 with the caller's report; a second one by the same user is 409 `already_reported`. */
export async function reportStory(principal: Principal, storyId: string, body: ReportBody): Promise<ReportView> {
  const story = await loadVisibleStory(principal.userId, storyId);
  if (story.user_id === principal.userId) throw moderationErrors.ownContent();
  let row: Row;
  try {
    row = (
      await ReportModel.create({
        target_type: "story",
        target_id: story._id,
        target_owner_id: story.user_id,
        community_id: story.community_id ?? null,
        reporter_id: principal.userId,
        reason: body.reason,
        note: body.note ?? null,
        created_at: clock.now(),
      })
    ).toObject();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw moderationErrors.alreadyReported();
    throw err;
  }
  await hideIfReportedEnough(story);
  return toReportView(row);
}

/** The caller's own report on a story (404 when they made none). */
export async function myStoryReport(principal: Principal, storyId: string): Promise<ReportView> {
  const row = await ReportModel.findOne({ target_type: "story", target_id: storyId, reporter_id: principal.userId }).lean();
  if (!row) throw moderationErrors.reportNotFound();
  return toReportView(row);
}

/** The queue, newest first, within the caller's moderation scope (403 for someone who moderates nothing). */
export async function listReports(principal: Principal, q: ReportsQuery): Promise<Page<QueuedReportView>> {
  const scope = await moderationScope(principal);
  if (!scope) throw moderationErrors.notModerator();
  // $and: a scope may bring its own $or (a community's stories), as the cursor does
  const filter: Row = { $and: [scope, { status: q.status, ...(q.target_type && { target_type: q.target_type }) }, afterTimeId(decodeCursor(q.cursor, timeIdCursor))] };
  const rows = await ReportModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(q.limit + 1).lean();
  const page = toPage(rows, q.limit, (r) => timeIdKey(r.created_at, r._id));
  const targets = [...new Set(page.items.map((r) => `${r.target_type}:${r.target_id}`))];
  const counts = new Map(
    await Promise.all(
      targets.map(async (key) => {
        const [type, id] = key.split(":") as [ReportTargetType, string];
        return [key, await ReportModel.countDocuments(openReportsOf(type, id))] as const;
      }),
    ),
  );
  const showReporter = mayKnowReporters(principal);
  return {
    next_cursor: page.next_cursor,
    items: page.items.map((r) => ({
      ...toReportView(r),
      target_owner_id: r.target_owner_id,
      open_reports_on_target: counts.get(`${r.target_type}:${r.target_id}`) ?? 0,
      ...(showReporter && { reporter_id: r.reporter_id }),
    })),
  };
}

export interface ResolutionView {
  action: ResolutionAction;
  target_id: string;
  reports_closed: number;
  status: ReportStatus;
}

/**
 * `POST /admin/reports/:id/resolve`: closes every open report of the target together. dismiss
 * shows the story again; remove_story deletes it (the story service's delete path) and tells the
 * author; ban_author bans the author — a platform ban when a platform admin decides, a ban from
 * the story's community when that community's moderator does — and keeps the story hidden. The
 * reports, the story's visibility, a platform ban and the audit row commit in one transaction.
 */
export async function resolveReport(principal: Principal, reportId: string, body: ResolveBody): Promise<ResolutionView> {
  const report = await ReportModel.findById(reportId).lean();
  if (!report) throw moderationErrors.reportNotFound();
  const story = (await storyRepo.findStoryById(report.target_id)) ?? { _id: report.target_id, user_id: report.target_owner_id };
  if (!(await mayModerateStory(principal, story))) throw moderationErrors.notModerator();
  if (report.status !== "open") throw moderationErrors.alreadyResolved(report.status);
  const effect = RESOLUTIONS[body.action];
  const now = clock.now();
  // a community moderator's ban_author bans the author from that community, not the platform
  const platformWide = isPlatformModerator(principal);
  const communityId = "community_id" in story ? (story.community_id ?? null) : null;
  if (effect.removeStory) {
    await deleteStory(principal, report.target_id, { moderated: true }).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err; // already gone: the reports still close
    });
  }
  const { closed, visibilityChanged, reasons } = await inTransaction(async (session) => {
    const current = await ReportModel.findOne({ _id: reportId, status: "open" }, null, { session }).lean();
    if (!current) throw moderationErrors.alreadyResolved("resolved");
    const open = await ReportModel.find(openReportsOf(report.target_type, report.target_id), { reason: 1 }, { session }).lean();
    const res = await ReportModel.updateMany(
      openReportsOf(report.target_type, report.target_id),
      { $set: { status: effect.status, resolved_at: now, resolution: { action: body.action, note: body.note, by: principal.userId } } },
      { session },
    );
    const changed = effect.hidden === undefined ? false : await storyRepo.setModerationHidden(report.target_id, effect.hidden, session);
    if (effect.banAuthor && platformWide) await writeBan(principal.userId, report.target_owner_id, { reason: body.note }, session, { report_id: reportId });
    await recordAudit(
      { actorId: principal.userId, action: "moderation.report_resolve", targetType: report.target_type, targetId: report.target_id, details: { report_id: reportId, action: body.action, note: body.note, reports_closed: res.modifiedCount } },
      session,
    );
    return { closed: res.modifiedCount, visibilityChanged: changed, reasons: [...new Set(open.map((r) => r.reason as ReportReason))] };
  });
  if (visibilityChanged) publishStoryEvent({ type: "story_moderated", story_id: report.target_id, author_id: report.target_owner_id });
  if (effect.banAuthor && platformWide) announceStandingChanged(report.target_owner_id, true);
  if (effect.banAuthor && !platformWide && communityId) await moderateMember(principal, communityId, report.target_owner_id, "ban");
  if (effect.notifyAuthorOfRemoval) {
    // what was wrong, never who reported it or which moderator decided
    await notify(report.target_owner_id, { type: "story_removed", story_id: report.target_id, data: { reasons } }).catch((err: unknown) =>
      logger.warn({ err, storyId: report.target_id }, "story_removed notification failed"),
    );
  }
  return { action: body.action, target_id: report.target_id, reports_closed: closed, status: effect.status };
}
