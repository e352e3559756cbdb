import { randomBytes } from "node:crypto";
import type { Principal } from "../auth/roles";
import { hasRole } from "../auth/roles";
import { findUserById, findUsersByIds } from "../auth/user.repository";
import { inTransaction } from "../infra/transaction";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { communityStandingChanged } from "../social/relationship-facts";
import { toAuthor } from "../stories/story.presenter";
import { communityErrors, refusalError } from "./community.errors";
import {
  canModerate,
  decideJoin,
  decideLeave,
  isInviteUsable,
  memberCountDelta,
  nextMembershipStatus,
  type CommunityRole,
  type Decision,
  type MembershipEvent,
  type MembershipStatus,
  type ModerationAction,
} from "./community.rules";
import type { CreateCommunityBody, CreateInviteBody, JoinBody, ListCommunitiesQuery } from "./community.schemas";
import * as repo from "./community.repository";
import type { CommunityRow, InviteRow, MembershipRow } from "./community.repository";

/**
 * Communities: create, read, join, leave, invite, moderate. Every membership change is one
 * transaction (the conditional status move + the member_count `$inc`), then
 * `communityStandingChanged` drops the user's cached privacy facts on every process and tells
 * their connected story rooms to re-decide, so leaving hides members-only stories at once.
 */

export interface CommunityView {
  id: string;
  name: string;
  description: string | null;
  owner_id: string;
  join_policy: CommunityRow["join_policy"];
  member_count: number;
  created_at: Date;
  /** The caller's standing: `{role, status}` while they have a row (left, removed, banned too), else null. */
  my_membership: { role: CommunityRole; status: MembershipStatus } | null;
}

export interface MemberView {
  user: { id: string; username: string; display_name: string; avatar_url: string | null };
  role: CommunityRole;
  joined_at: Date;
}

export interface InviteView {
  code: string;
  community_id: string;
  expires_at: Date | null;
  max_uses: number | null;
  uses: number;
  created_at: Date;
}

/** Invite codes: 12 random bytes, base64url (16 chars) — unguessable, short enough to type from a poster. */
const INVITE_CODE_BYTES = 12;

function toView(c: CommunityRow, m: MembershipRow | null): CommunityView {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    owner_id: c.owner_id,
    join_policy: c.join_policy,
    member_count: c.member_count,
    created_at: c.created_at,
    my_membership: m ? { role: m.role, status: m.status } : null,
  };
}

const toInviteView = (i: InviteRow): InviteView => ({
  code: i.code,
  community_id: i.community_id,
  expires_at: i.expires_at,
  max_uses: i.max_uses,
  uses: i.uses,
  created_at: i.created_at,
});

async function requireCommunity(id: string): Promise<CommunityRow> {
  const c = await repo.findCommunityById(id);
  if (!c) throw communityErrors.notFound();
  return c;
}

const statusOf = (m: MembershipRow | null): MembershipStatus => m?.status ?? "none";
const activeRoleOf = (m: MembershipRow | null): CommunityRole | null => (m?.status === "active" ? m.role : null);
const ok = <T>(d: Decision<T>): T => {
  if (!d.ok) throw refusalError(d);
  return d.value;
};

export async function createCommunity(principal: Principal, body: CreateCommunityBody): Promise<CommunityView> {
  const now = clock.now();
  const doc = { name: body.name, description: body.description ?? null, owner_id: principal.userId, join_policy: body.join_policy, created_at: now, updated_at: now };
  const community = await inTransaction((session) => repo.insertCommunity(doc, session));
  communityStandingChanged(principal.userId, community.id);
  return toView(community, await repo.findMembership(community.id, principal.userId));
}

export async function getCommunity(viewerId: string, id: string): Promise<CommunityView> {
  const community = await requireCommunity(id);
  return toView(community, await repo.findMembership(id, viewerId));
}

export async function listCommunities(viewerId: string, query: ListCommunitiesQuery): Promise<Page<CommunityView>> {
  const ids = query.mine ? await repo.activeCommunityIdsOf(viewerId) : undefined;
  const rows = await repo.listCommunities(decodeCursor(query.cursor, timeIdCursor), query.limit + 1, ids);
  const page = toPage(rows, query.limit, (c) => timeIdKey(c.created_at, c.id));
  const mine = await repo.findMembershipsOf(viewerId, page.items.map((c) => c.id));
  return { next_cursor: page.next_cursor, items: page.items.map((c) => toView(c, mine.get(c.id) ?? null)) };
}

export async function isActiveMember(userId: string, communityId: string): Promise<boolean> {
  return statusOf(await repo.findMembership(communityId, userId)) === "active";
}

/** The caller is an active member (what posting to, and reading, a community needs). */
export async function assertActiveMember(userId: string, communityId: string): Promise<void> {
  await requireCommunity(communityId);
  if (!(await isActiveMember(userId, communityId))) throw communityErrors.notMember();
}

/**
 * The role the caller acts with: their active role, or the owner's rights for a site admin.
 * `null`: not an active member (and not a site admin).
 */
export async function actingRole(principal: Principal, communityId: string): Promise<CommunityRole | null> {
  if (hasRole(principal, "admin")) return "owner";
  return activeRoleOf(await repo.findMembership(communityId, principal.userId));
}

export async function listMembers(principal: Principal, communityId: string, query: { cursor?: string; limit: number }): Promise<Page<MemberView>> {
  await requireCommunity(communityId);
  if ((await actingRole(principal, communityId)) === null) throw communityErrors.notMember();
  const rows = await repo.listActiveMembers(communityId, decodeCursor(query.cursor, timeIdCursor), query.limit + 1);
  const page = toPage(rows, query.limit, (m) => timeIdKey(m.joined_at, m.id));
  const users = new Map((await findUsersByIds(page.items.map((m) => m.user_id))).map((u) => [u.id, u]));
  return {
    next_cursor: page.next_cursor,
    items: page.items.flatMap((m) => {
      const u = users.get(m.user_id);
      return u ? [{ user: toAuthor(u), role: m.role, joined_at: m.joined_at }] : [];
    }),
  };
}

/**
 * Move `userId`'s membership by `event` in one transaction with the member count (and, for a join
 * by invite, spending one use). A concurrent change to the same row loses: 409 `membership_changed`.
 */
async function applyMembership(
  communityId: string,
  userId: string,
  from: MembershipStatus,
  to: Exclude<MembershipStatus, "none">,
  changedBy: string | null,
  spend?: InviteRow,
): Promise<void> {
  const now = clock.now();
  try {
    await inTransaction(async (session) => {
      if (spend && !(await repo.spendInvite(spend, session))) throw communityErrors.inviteUsedUp();
      const joined = to === "active" ? { joined_at: now, role: "member" as const } : {};
      if (!(await repo.moveMembership(communityId, userId, from, to, { ...joined, changed_by: changedBy, now }, session))) throw communityErrors.changedMeanwhile();
      await repo.incMemberCount(communityId, memberCountDelta(from, to), session);
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw communityErrors.changedMeanwhile();
    throw err;
  }
  communityStandingChanged(userId, communityId);
}

export async function joinCommunity(userId: string, communityId: string, body: JoinBody): Promise<CommunityView> {
  const community = await requireCommunity(communityId);
  const membership = await repo.findMembership(communityId, userId);
  const invite = body.invite_code !== undefined ? await repo.findInvite(communityId, body.invite_code) : null;
  const usable = invite !== null && isInviteUsable(invite, clock.now());
  const from = statusOf(membership);
  const to = ok(decideJoin(community.join_policy, from, body.invite_code !== undefined ? { valid: usable } : null)) as "active";
  await applyMembership(communityId, userId, from, to, userId, usable ? invite! : undefined);
  return getCommunity(userId, communityId);
}

export async function leaveCommunity(userId: string, communityId: string): Promise<void> {
  await requireCommunity(communityId);
  const membership = await repo.findMembership(communityId, userId);
  const from = statusOf(membership);
  const to = ok(decideLeave(membership?.role ?? "member", from)) as "left";
  await applyMembership(communityId, userId, from, to, userId);
}

/** Moderation preamble: the community exists, the actor may do `action` to the target's current role. */
async function authorizeOnTarget(principal: Principal, communityId: string, targetId: string, action: ModerationAction): Promise<MembershipRow | null> {
  await requireCommunity(communityId);
  if (targetId === principal.userId) throw communityErrors.moderateSelf();
  const [role, target] = await Promise.all([actingRole(principal, communityId), repo.findMembership(communityId, targetId)]);
  if (role === null) throw communityErrors.notMember();
  if (!canModerate(role, action, activeRoleOf(target))) throw communityErrors.notAllowed(action);
  return target;
}

const MODERATION_EVENTS = { remove: "remove", ban: "ban", unban: "unban" } as const satisfies Partial<Record<ModerationAction, MembershipEvent>>;

/** Remove, ban or unban `targetId` (the permission table decides who may; the transition table what it becomes). */
export async function moderateMember(principal: Principal, communityId: string, targetId: string, action: keyof typeof MODERATION_EVENTS): Promise<void> {
  const target = await authorizeOnTarget(principal, communityId, targetId, action);
  // banning someone who never joined needs them to exist; the other actions need a row
  if (!target && (action !== "ban" || !(await findUserById(targetId)))) throw communityErrors.memberNotFound();
  const from = statusOf(target);
  const next = nextMembershipStatus(from, MODERATION_EVENTS[action]);
  if (!next.ok && next.code === "not_community_member") throw communityErrors.memberNotFound();
  await applyMembership(communityId, targetId, from, ok(next) as Exclude<MembershipStatus, "none">, principal.userId);
}

/** Owner only: make an active member an admin, or an admin a member again. */
export async function setAdmin(principal: Principal, communityId: string, targetId: string, grant: boolean): Promise<void> {
  const action = grant ? "grant_admin" : "revoke_admin";
  const target = await authorizeOnTarget(principal, communityId, targetId, action);
  if (!target) throw communityErrors.memberNotFound();
  const [from, to] = grant ? (["member", "admin"] as const) : (["admin", "member"] as const);
  if (!(await repo.setRole(communityId, targetId, from, to, clock.now()))) throw communityErrors.changedMeanwhile();
}

export async function createInvite(principal: Principal, communityId: string, body: CreateInviteBody): Promise<InviteView> {
  await requireCommunity(communityId);
  const role = await actingRole(principal, communityId);
  if (role === null) throw communityErrors.notMember();
  if (!canModerate(role, "create_invite")) throw communityErrors.notAllowed("create_invite");
  const now = clock.now();
  const invite = await repo.insertInvite({
    code: randomBytes(INVITE_CODE_BYTES).toString("base64url"),
    community_id: communityId,
    created_by: principal.userId,
    expires_at: body.expires_in_hours !== undefined ? new Date(now.getTime() + body.expires_in_hours * 3_600_000) : null,
    max_uses: body.max_uses ?? null,
    uses: 0,
    revoked: false,
    created_at: now,
  });
  return toInviteView(invite);
}
