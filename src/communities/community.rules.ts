/**
 * Communities (seed 001's gyms): who may do what, as data. Two tables, both printable and tested
 * exhaustively (test/communities/community.rules.test.ts):
 *
 * - `MEMBERSHIP_TRANSITIONS` — a user's standing in a community (`none` = never joined) and what
 *   each membership event moves it to. A missing entry is a refusal.
 * - `PERMISSIONS` — which role may act on which target role. Roles rank owner > admin > member;
 *   nobody acts on the owner, and only the owner manages admins.
 *
 * The service reads a membership row, asks these functions, then writes the answer with a
 * conditional update on the status it read (a concurrent change loses instead of overwriting).
 */

export const COMMUNITY_ROLES = ["owner", "admin", "member"] as const;
export type CommunityRole = (typeof COMMUNITY_ROLES)[number];

export const MEMBERSHIP_STATUSES = ["none", "active", "left", "removed", "banned"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

export const JOIN_POLICIES = ["open", "invite"] as const;
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

export const MEMBERSHIP_EVENTS = ["join", "leave", "remove", "ban", "unban"] as const;
export type MembershipEvent = (typeof MEMBERSHIP_EVENTS)[number];

/** Status × event → next status. Joining again after leaving or a removal is allowed; after a ban only once unbanned. */
export const MEMBERSHIP_TRANSITIONS: Record<MembershipStatus, Partial<Record<MembershipEvent, MembershipStatus>>> = {
  none: { join: "active", ban: "banned" },
  active: { leave: "left", remove: "removed", ban: "banned" },
  left: { join: "active", ban: "banned" },
  removed: { join: "active", ban: "banned" },
  banned: { unban: "left" },
};

/** Acting on another member: who may, by the actor's role (a key absent = nobody). */
export const MODERATION_ACTIONS = ["remove", "ban", "unban", "grant_admin", "revoke_admin", "create_invite", "view_metrics"] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/** The target's role for each action that has one; `null` target = a non-member (unban, ban of someone who left). */
type TargetRole = CommunityRole | null;

export const PERMISSIONS: Record<ModerationAction, Partial<Record<CommunityRole, readonly TargetRole[] | "any">>> = {
  remove: { owner: ["admin", "member"], admin: ["member"] },
  ban: { owner: ["admin", "member", null], admin: ["member", null] },
  // only a banned user can be unbanned (the transition table refuses anyone else with not_banned)
  unban: { owner: "any", admin: "any" },
  grant_admin: { owner: ["member"] },
  revoke_admin: { owner: ["admin"] },
  // no target: the community itself
  create_invite: { owner: "any", admin: "any" },
  view_metrics: { owner: "any", admin: "any" },
};

/** Every refusal code of these rules; community.errors.ts gives each its error kind (hence status). */
export type RefusalCode = "community_banned" | "already_member" | "not_banned" | "not_community_member" | "invite_required" | "invalid_invite" | "owner_cannot_leave";
export type Refusal = { ok: false; code: RefusalCode; message: string };
export type Decision<T> = { ok: true; value: T } | Refusal;

const refuse = (code: RefusalCode, message: string): Refusal => ({ ok: false, code, message });

/** The next status for `event`, or the refusal that explains why not. */
export function nextMembershipStatus(status: MembershipStatus, event: MembershipEvent): Decision<MembershipStatus> {
  const next = MEMBERSHIP_TRANSITIONS[status][event];
  if (next !== undefined) return { ok: true, value: next };
  if (status === "banned") return refuse("community_banned", "You are banned from this community.");
  if (event === "join") return refuse("already_member", "You are already a member of this community.");
  if (event === "unban") return refuse("not_banned", "This user is not banned.");
  return refuse("not_community_member", "Not a member of this community.");
}

/** May an actor with `actorRole` (null = not a member) do `action` to a target with `targetRole`? */
export function canModerate(actorRole: CommunityRole | null, action: ModerationAction, targetRole: TargetRole = null): boolean {
  if (actorRole === null) return false;
  const allowed = PERMISSIONS[action][actorRole];
  return allowed === "any" || (allowed !== undefined && allowed.includes(targetRole));
}

/** A join: open communities take anyone not banned; invite-only ones need a valid code for them. */
export function decideJoin(
  policy: JoinPolicy,
  status: MembershipStatus,
  invite: { valid: boolean } | null,
): Decision<MembershipStatus> {
  const next = nextMembershipStatus(status, "join");
  if (!next.ok) return next;
  if (policy === "invite" && !invite) return refuse("invite_required", "This community is invite-only: send an invite_code.");
  if (invite && !invite.valid) return refuse("invalid_invite", "This invite code is not valid (unknown, expired or used up).");
  return next;
}

export interface InviteFields {
  expires_at: Date | null;
  max_uses: number | null;
  uses: number;
  revoked: boolean;
}

/** An invite can still be used: not revoked, not expired, uses left. */
export function isInviteUsable(invite: InviteFields, now: Date): boolean {
  if (invite.revoked) return false;
  if (invite.expires_at !== null && invite.expires_at.getTime() <= now.getTime()) return false;
  return invite.max_uses === null || invite.uses < invite.max_uses;
}

/** The leaving member's role decides: the owner cannot leave (they would leave the community without an owner). */
export function decideLeave(role: CommunityRole, status: MembershipStatus): Decision<MembershipStatus> {
  if (status === "active" && role === "owner") return refuse("owner_cannot_leave", "The owner cannot leave their community.");
  return nextMembershipStatus(status, "leave");
}

/** The change to member_count when a membership moves from `from` to `to` (only `active` counts). */
export function memberCountDelta(from: MembershipStatus, to: MembershipStatus): -1 | 0 | 1 {
  if (from === to) return 0;
  if (to === "active") return 1;
  return from === "active" ? -1 : 0;
}
