import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { validate } from "../http/validate";
import * as users from "./admin-users.service";
import { adminUserParams, adminUsersQuery, banBody, rolesBody } from "./admin.schemas";
import { adminUserPage, adminUserView, auditPage } from "./admin.responses";
import { auditQuerySchema, listAudit } from "./audit";

/** `/api/v1/admin/users`, `/api/v1/admin/audit`: users, bans, roles and the audit log — admin role only. */
export function adminRouter(): Router {
  const r = Router();
  // per route, not router-wide: other features mount their own /admin/... paths beside these
  const admin = requireAuth("admin");
  r.get("/users", admin, validate({ query: adminUsersQuery, response: adminUserPage, summary: "Find users (admin)" }), async (_req, res) => {
    res.json(await users.listUsers(res.locals.valid.query));
  });
  r.get("/users/:id", admin, validate({ params: adminUserParams, response: adminUserView, summary: "One user, with roles and ban (admin)", errors: { 404: "`user_not_found`." } }), async (_req, res) => {
    res.json(await users.getAdminUser(res.locals.valid.params.id));
  });
  r.post("/users/:id/ban", admin, validate({ params: adminUserParams, body: banBody, example: { reason: "Spam in comments", until: "2026-02-01T00:00:00.000Z" }, response: adminUserView, summary: "Ban a user from the platform (admin)", errors: { 400: "`ban_until_past`.", 404: "`user_not_found`.", 409: "`cannot_ban_self`." } }), async (req, res) => {
    res.json(await users.banUser(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/users/:id/ban", admin, validate({ params: adminUserParams, response: adminUserView, summary: "Lift a user's ban (admin)", errors: { 404: "`user_not_found`.", 409: "`user_not_banned`." } }), async (req, res) => {
    res.json(await users.unbanUser(principalOf(req), res.locals.valid.params.id));
  });
  r.put("/users/:id/roles", admin, validate({ params: adminUserParams, body: rolesBody, example: { roles: ["viewer", "creator"] }, response: adminUserView, summary: "Set a user's roles (admin)", errors: { 404: "`user_not_found`.", 409: "`cannot_demote_self`." } }), async (req, res) => {
    res.json(await users.setRoles(principalOf(req), res.locals.valid.params.id, res.locals.valid.body.roles));
  });
  r.get("/audit", admin, validate({ query: auditQuerySchema, response: auditPage, summary: "The audit log of admin actions, newest first (admin)" }), async (_req, res) => {
    res.json(await listAudit(res.locals.valid.query));
  });
  return r;
}
