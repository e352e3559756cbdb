import { z } from "zod";
import { ROLES } from "../auth/roles";
import { objectIdString } from "../shared/ids";
import { cursorParam } from "../shared/pagination";

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
