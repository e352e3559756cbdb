import { z } from "zod";
import type { ClientSession } from "mongoose";
import { clock } from "../shared/clock";
import { afterTimeId, decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { AuditModel } from "./audit.model";

/**
 * The audit log's one write path and its read. Every admin action calls `recordAudit`, inside the
 * action's transaction when it has one (pass its session: the row commits with the action or not
 * at all), right after it otherwise. Actions are named here so `?action=` is validated against them.
 */
export const AUDIT_ACTIONS = [
  "user.ban",
  "user.unban",
  "user.roles",
  "economy.grant",
  "economy.unflag",
  "fiction.book_create",
  "fiction.chapter_import",
  "stories.cleanup",
  "stories.admin_delete",
  "marketplace.flow_action",
  "marketplace.payout_paid",
  "moderation.report_resolve",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditInput {
  actorId: string;
  action: AuditAction;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

export interface AuditEntryView {
  id: string;
  actor_id: string;
  action: AuditAction;
  target_type: string;
  target_id: string;
  details: Record<string, unknown>;
  created_at: string;
}

function toView(row: Record<string, any>): AuditEntryView {
  return {
    id: String(row._id),
    actor_id: row.actor_id,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    details: row.details ?? {},
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** Append one entry (an insert; the model refuses anything else). */
export async function recordAudit(entry: AuditInput, session?: ClientSession): Promise<AuditEntryView> {
  const [row] = await AuditModel.create(
    [
      {
        actor_id: entry.actorId,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        details: entry.details ?? {},
        created_at: clock.now(),
      },
    ],
    session ? { session } : {},
  );
  return toView(row!.toObject());
}

export const auditQuerySchema = z
  .object({
    actor: z.string().regex(/^[0-9a-f]{24}$/, "a user id").optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    target_id: z.string().min(1).max(200).optional(),
    cursor: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** Newest first, keyset-paged; each filter has its own index (audit.model.ts). */
export async function listAudit(q: AuditQuery): Promise<Page<AuditEntryView>> {
  const filter: Record<string, unknown> = { ...afterTimeId(decodeCursor(q.cursor, timeIdCursor)) };
  if (q.actor) filter.actor_id = q.actor;
  if (q.action) filter.action = q.action;
  if (q.target_id) filter.target_id = q.target_id;
  const rows = await AuditModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(q.limit + 1).lean();
  const page = toPage(rows, q.limit, (r) => timeIdKey(r.created_at, r._id));
  return { next_cursor: page.next_cursor, items: page.items.map(toView) };
}
