import { z } from "zod";
import { ROLES } from "../auth/roles";
import { isoDateTime, nullableIsoDateTime, pageOf, responseOf } from "../http/response-schema";
import type { Page } from "../shared/pagination";
import type { AdminUserView } from "./admin-users.service";
import { AUDIT_ACTIONS, type AuditEntryView } from "./audit";

/** Response schemas of /api/v1/admin/users and /admin/audit, tied to the service views (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const ADMIN = "665f1c2e8b3c4a00123456aa";
const AT = "2026-01-01T12:00:00.000Z";

export const adminUserView = responseOf<AdminUserView>()(
  z
    .object({
      id: z.string(),
      username: z.string(),
      email: z.string().nullable(),
      display_name: z.string(),
      roles: z.array(z.enum(ROLES)),
      created_at: isoDateTime,
      ban: z
        .object({ reason: z.string(), until: nullableIsoDateTime.meta({ description: "null: until lifted" }), banned_at: isoDateTime, banned_by: z.string() })
        .strict()
        .nullable()
        .meta({ description: "the active ban, else null" }),
    })
    .strict()
    .meta({
      id: "AdminUser",
      example: { id: ID, username: "spammy", email: "spammy@example.com", display_name: "Spammy", roles: ["viewer"], created_at: AT, ban: { reason: "Spam in comments", until: null, banned_at: "2026-01-02T08:00:00.000Z", banned_by: ADMIN } },
    }),
);
export const adminUserPage = responseOf<Page<AdminUserView>>()(pageOf(adminUserView).meta({ id: "AdminUserPage", example: { items: [], next_cursor: null } }));

export const auditEntryView = responseOf<AuditEntryView>()(
  z
    .object({
      id: z.string(),
      actor_id: z.string(),
      action: z.enum(AUDIT_ACTIONS),
      target_type: z.string(),
      target_id: z.string(),
      details: z.record(z.string(), z.unknown()),
      created_at: isoDateTime,
    })
    .strict()
    .meta({ id: "AuditEntry", example: { id: ID, actor_id: ADMIN, action: "user.ban", target_type: "user", target_id: ID, details: { reason: "Spam in comments", until: null }, created_at: AT } }),
);
export const auditPage = responseOf<Page<AuditEntryView>>()(pageOf(auditEntryView).meta({ id: "AuditPage", example: { items: [], next_cursor: null } }));
