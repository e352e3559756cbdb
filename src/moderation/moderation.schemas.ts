import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { cursorParam } from "../shared/pagination";
import { REPORT_REASONS, REPORT_STATUSES, REPORT_TARGET_TYPES, RESOLUTION_ACTIONS } from "./report.model";

export const storyReportParams = z.object({ id: objectIdString }).strict();
export const reportParams = z.object({ id: objectIdString }).strict();

export const reportBody = z
  .object({
    reason: z.enum(REPORT_REASONS),
    /** what the reporter wants moderators to know; never shown to the author or other reporters */
    note: z.string().trim().max(1000).optional(),
  })
  .strict();
export type ReportBody = z.infer<typeof reportBody>;

export const reportsQuery = z
  .object({
    status: z.enum(REPORT_STATUSES).default("open"),
    target_type: z.enum(REPORT_TARGET_TYPES).optional(),
    cursor: cursorParam,
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type ReportsQuery = z.infer<typeof reportsQuery>;

export const resolveBody = z
  .object({
    action: z.enum(RESOLUTION_ACTIONS),
    /** why; recorded on the reports and in the audit log (and the ban reason for ban_author) */
    note: z.string().trim().min(1).max(1000),
  })
  .strict();
export type ResolveBody = z.infer<typeof resolveBody>;
