import { Types, type ClientSession } from "mongoose";
import { UserModel } from "../auth/user.model";
import { isBanActive, type UserBan } from "../auth/ban.rules";
import type { Principal, Role } from "../auth/roles";
import { inTransaction } from "../infra/transaction";
import { announceStandingChanged } from "../realtime/account-standing";
import { clock } from "../shared/clock";
import { authErrors } from "../auth/auth.errors";
import { isObjectIdString } from "../shared/ids";
import { afterTimeId, decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { adminErrors } from "./admin.errors";
import { recordAudit } from "./audit";
import type { AdminUsersQuery, BanBody } from "./admin.schemas";

/**
 * The admin side of accounts: find users, ban and unban them, set their roles. Each change and
 * its audit row commit in one transaction; then every process is told (account-standing), so the
 * change binds tokens already issued and, for a ban, closes the user's live clients.
 */
export interface AdminUserView {
  id: string;
  username: string;
  email: string | null;
  display_name: string;
  roles: Role[];
  created_at: string;
  ban: { reason: string; until: string | null; banned_at: string; banned_by: string } | null;
}

type Row = Record<string, any>;

function toAdminView(row: Row, now: Date): AdminUserView {
  const ban = row.ban as UserBan | null | undefined;
  return {
    id: String(row._id),
    username: row.username,
    email: row.email ?? null,
    display_name: row.display_name ?? "",
    roles: row.roles,
    created_at: new Date(row.created_at).toISOString(),
    // an expired ban is no ban (it lifted by itself)
    ban: isBanActive(ban, now) ? { reason: ban.reason, until: ban.until?.toISOString() ?? null, banned_at: ban.banned_at.toISOString(), banned_by: ban.banned_by } : null,
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Newest first, keyset-paged on (created_at, _id); `q` is a username prefix or an exact id. */
export async function listUsers(q: AdminUsersQuery): Promise<Page<AdminUserView>> {
  const now = clock.now();
  const and: Row[] = [afterTimeId(decodeCursor(q.cursor, timeIdCursor))];
  if (q.q !== undefined) {
    const prefix = { username_lower: { $regex: `^${escapeRegex(q.q.toLowerCase())}` } };
    and.push(isObjectIdString(q.q) ? { $or: [prefix, { _id: new Types.ObjectId(q.q) }] } : prefix);
  }
  if (q.role) and.push({ roles: q.role });
  if (q.banned !== undefined) {
    // active: indefinite, or until still ahead (mirrors isBanActive)
    const active = [{ ban: { $ne: null }, "ban.until": null }, { "ban.until": { $gt: now } }];
    and.push(q.banned ? { $or: active } : { $nor: active });
  }
  const rows = await UserModel.find({ $and: and }).sort({ created_at: -1, _id: -1 }).limit(q.limit + 1).lean();
  const page = toPage(rows, q.limit, (r) => timeIdKey(r.created_at, r._id));
  return { next_cursor: page.next_cursor, items: page.items.map((r) => toAdminView(r, now)) };
}

async function requireUser(userId: string, session?: ClientSession): Promise<Row> {
  const row = await UserModel.findById(userId, null, session ? { session } : {}).lean();
  if (!row) throw authErrors.userNotFound();
  return row;
}

export async function getAdminUser(userId: string): Promise<AdminUserView> {
  return toAdminView(await requireUser(userId), clock.now());
}

/**
 * Write a ban and its audit row with `session` (the caller's transaction). The caller announces
 * the change after the commit (`announceStandingChanged`). `context` goes into the audit details
 * (e.g. the report that led to it).
 */
export async function writeBan(actorId: string, userId: string, body: BanBody, session: ClientSession, context: Record<string, unknown> = {}): Promise<void> {
  const now = clock.now();
  if (actorId === userId) throw adminErrors.cannotBanSelf();
  const until = body.until ? new Date(body.until) : null;
  if (until && until.getTime() <= now.getTime()) throw adminErrors.banUntilPast();
  const ban: UserBan = { reason: body.reason, until, banned_at: now, banned_by: actorId };
  const res = await UserModel.updateOne({ _id: userId }, { $set: { ban, updated_at: now } }, { session });
  if (res.matchedCount === 0) throw authErrors.userNotFound();
  await recordAudit({ actorId, action: "user.ban", targetType: "user", targetId: userId, details: { reason: body.reason, until: until?.toISOString() ?? null, ...context } }, session);
}

export async function banUser(actor: Principal, userId: string, body: BanBody): Promise<AdminUserView> {
  await inTransaction((session) => writeBan(actor.userId, userId, body, session));
  announceStandingChanged(userId, true);
  return getAdminUser(userId);
}

/** Lift an active ban (409 `user_not_banned` when there is none: nothing changes, nothing is audited). */
export async function unbanUser(actor: Principal, userId: string): Promise<AdminUserView> {
  await inTransaction(async (session) => {
    const row = await requireUser(userId, session);
    const now = clock.now();
    if (!isBanActive(row.ban as UserBan | null, now)) throw adminErrors.userNotBanned();
    await UserModel.updateOne({ _id: userId }, { $set: { ban: null, updated_at: now } }, { session });
    await recordAudit({ actorId: actor.userId, action: "user.unban", targetType: "user", targetId: userId, details: { reason: (row.ban as UserBan).reason } }, session);
  });
  announceStandingChanged(userId, false);
  return getAdminUser(userId);
}

/** Replace a user's roles; binds their tokens already issued. An admin cannot drop their own admin role (no lock-out). */
export async function setRoles(actor: Principal, userId: string, roles: Role[]): Promise<AdminUserView> {
  if (actor.userId === userId && !roles.includes("admin")) throw adminErrors.cannotDemoteSelf();
  await inTransaction(async (session) => {
    const row = await requireUser(userId, session);
    await UserModel.updateOne({ _id: userId }, { $set: { roles, updated_at: clock.now() } }, { session });
    await recordAudit({ actorId: actor.userId, action: "user.roles", targetType: "user", targetId: userId, details: { from: row.roles, to: roles } }, session);
  });
  announceStandingChanged(userId, false);
  return getAdminUser(userId);
}
