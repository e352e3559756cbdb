import { z } from "zod";
import { isoDateTime, nullableIsoDateTime, pageOf, responseOf } from "../http/response-schema";
import type { Page } from "../shared/pagination";
import type { QueuedReportView, ReportView, ResolutionView } from "./moderation.service";
import { REPORT_REASONS, REPORT_STATUSES, REPORT_TARGET_TYPES, RESOLUTION_ACTIONS } from "./report.model";

/** Response schemas of story reports and /api/v1/admin/reports, tied to the service views (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const STORY = "665f1c2e8b3c4a00123456bb";
const AT = "2026-01-01T12:00:00.000Z";

const reportShape = {
  id: z.string(),
  target_type: z.enum(REPORT_TARGET_TYPES),
  target_id: z.string(),
  reason: z.enum(REPORT_REASONS),
  note: z.string().nullable(),
  status: z.enum(REPORT_STATUSES),
  created_at: isoDateTime,
  resolved_at: nullableIsoDateTime,
  resolution: z.object({ action: z.enum(RESOLUTION_ACTIONS), note: z.string() }).strict().nullable(),
};
const reportExample = { id: ID, target_type: "story", target_id: STORY, reason: "spam", note: "Same link posted 40 times", status: "open", created_at: AT, resolved_at: null, resolution: null } as const;

export const reportView = responseOf<ReportView>()(z.object(reportShape).strict().meta({ id: "Report", example: reportExample }));

/** The queue's view: who owns the target, how many distinct users report it, and (admins only) who reported. */
export const queuedReportView = responseOf<QueuedReportView>()(
  z
    .object({
      ...reportShape,
      target_owner_id: z.string(),
      open_reports_on_target: z.number().int().min(0),
      reporter_id: z.string().optional().meta({ description: "platform admins only" }),
    })
    .strict()
    .meta({ id: "QueuedReport", example: { ...reportExample, target_owner_id: "665f1c2e8b3c4a00123456cc", open_reports_on_target: 3 } }),
);
export const reportQueuePage = responseOf<Page<QueuedReportView>>()(pageOf(queuedReportView).meta({ id: "ReportQueuePage", example: { items: [], next_cursor: null } }));

export const resolutionView = responseOf<ResolutionView>()(
  z
    .object({ action: z.enum(RESOLUTION_ACTIONS), target_id: z.string(), reports_closed: z.number().int().min(0), status: z.enum(REPORT_STATUSES) })
    .strict()
    .meta({ id: "ReportResolution", example: { action: "remove_story", target_id: STORY, reports_closed: 3, status: "actioned" } }),
);
