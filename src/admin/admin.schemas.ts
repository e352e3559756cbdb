import { z } from "zod";
import { ROLES } from "../auth/roles";
import { objectIdString } from "../shared/ids";
import { cursorParam } from "../shared/pagination";
import { AUDIT_ACTIONS } from "./audit";

/** REST bodies and queries of /api/v1/admin (users, bans, roles, audit). */
export const adminUserParams = z.object({ id: objectIdString }).strict();

export const adminUsersQuery = z
  .object({
    /** a username prefix (case-insensitive) or an exact user id */
    q: z.string().trim().min(1).max(30).optional(),
    role: z.enum(ROLES).optional(),
    /** only users under an active ban */
    banned: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
    cursor: cursorParam,
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type AdminUsersQuery = z.infer<typeof adminUsersQuery>;

export const banBody = z
  .object({
    /** shown to the banned user on every refusal */
    reason: z.string().trim().min(1).max(500),
    /** absent or null: until lifted; otherwise the ban lifts by itself at this time */
    until: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();
export type BanBody = z.infer<typeof banBody>;

export const rolesBody = z
  .object({ roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length) })
  .strict()
  .refine((b) => new Set(b.roles).size === b.roles.length, "roles must not repeat");

const isoDate = z.iso.datetime();
export const adminUserView = z
  .object({
    id: z.string(),
    username: z.string(),
    email: z.string().nullable(),
    display_name: z.string(),
    roles: z.array(z.enum(ROLES)),
    created_at: isoDate,
    ban: z.object({ reason: z.string(), until: isoDate.nullable(), banned_at: isoDate, banned_by: z.string() }).strict().nullable(),
  })
  .strict()
  .meta({ id: "AdminUser" });
export const adminUserPage = z.object({ items: z.array(adminUserView), next_cursor: z.string().nullable() }).strict();

export const auditEntryView = z
  .object({
    id: z.string(),
    actor_id: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    target_type: z.string(),
    target_id: z.string(),
    details: z.record(z.string(), z.unknown()),
    created_at: isoDate,
  })
  .strict()
  .meta({ id: "AuditEntry" });
export const auditPage = z.object({ items: z.array(auditEntryView), next_cursor: z.string().nullable() }).strict();
