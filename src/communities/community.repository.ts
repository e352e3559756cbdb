import type { ClientSession } from "mongoose";
import { isObjectIdString } from "../shared/ids";
import { afterTimeId, type TimeIdKey } from "../shared/pagination";
import { CommunityInviteModel, CommunityMemberModel, CommunityModel } from "./community.model";
import type { CommunityRole, InviteFields, JoinPolicy, MembershipStatus } from "./community.rules";

/** Persistence for communities, memberships and invites; plain objects out, writes take a session. */

export interface CommunityRow {
  id: string;
  name: string;
  description: string | null;
  owner_id: string;
  join_policy: JoinPolicy;
  member_count: number;
  created_at: Date;
  updated_at: Date;
}

export interface MembershipRow {
  id: string;
  community_id: string;
  user_id: string;
  role: CommunityRole;
  status: Exclude<MembershipStatus, "none">;
  joined_at: Date;
  updated_at: Date;
}

export interface InviteRow extends InviteFields {
  id: string;
  code: string;
  community_id: string;
  created_by: string;
  created_at: Date;
}

type Row = Record<string, any>;
const toCommunity = (r: Row): CommunityRow => ({ ...(r as CommunityRow), id: String(r._id), description: r.description ?? null });
const toMembership = (r: Row): MembershipRow => ({ ...(r as MembershipRow), id: String(r._id) });
const toInvite = (r: Row): InviteRow => ({ ...(r as InviteRow), id: String(r._id) });

export async function insertCommunity(
  doc: Omit<CommunityRow, "id" | "member_count">,
  session: ClientSession,
): Promise<CommunityRow> {
  const [created] = await CommunityModel.create([{ ...doc, member_count: 1 }], { session });
  await CommunityMemberModel.create(
    [{ community_id: String(created!._id), user_id: doc.owner_id, role: "owner", status: "active", joined_at: doc.created_at, updated_at: doc.created_at }],
    { session },
  );
  return toCommunity(created!.toObject());
}

export async function findCommunityById(id: string): Promise<CommunityRow | null> {
  if (!isObjectIdString(id)) return null;
  const row = await CommunityModel.findById(id).lean();
  return row ? toCommunity(row) : null;
}

/** Newest first after the keyset; `ids` narrows to those communities (the caller's own). */
export async function listCommunities(after: TimeIdKey | undefined, limit: number, ids?: string[]): Promise<CommunityRow[]> {
  const filter: Row = { ...afterTimeId(after) };
  if (ids) filter._id = { $in: ids.filter(isObjectIdString) };
  const rows = await CommunityModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(limit).lean();
  return rows.map(toCommunity);
}

export async function findMembership(communityId: string, userId: string, session?: ClientSession): Promise<MembershipRow | null> {
  const row = await CommunityMemberModel.findOne({ community_id: communityId, user_id: userId }, null, { session }).lean();
  return row ? toMembership(row) : null;
}

/** The user's membership rows in these communities, by community id (one read for a page). */
export async function findMembershipsOf(userId: string, communityIds: string[]): Promise<Map<string, MembershipRow>> {
  if (communityIds.length === 0) return new Map();
  const rows = await CommunityMemberModel.find({ user_id: userId, community_id: { $in: communityIds } }).lean();
  return new Map(rows.map((r) => [r.community_id, toMembership(r)]));
}

/** The communities `userId` is an active member of and those they are banned from (the privacy facts). */
export async function communityStandingsOf(userId: string): Promise<{ active: string[]; banned: string[] }> {
  const rows = await CommunityMemberModel.find({ user_id: userId, status: { $in: ["active", "banned"] } }, { community_id: 1, status: 1 }).lean();
  return {
    active: rows.filter((r) => r.status === "active").map((r) => r.community_id),
    banned: rows.filter((r) => r.status === "banned").map((r) => r.community_id),
  };
}

/**
 * Move a membership from the status that was read to `to`, in the session. A first join (`from`
 * none) inserts the row; a duplicate key then means a concurrent join won. False when the row is
 * no longer in `from` (someone else changed it first).
 */
export async function moveMembership(
  communityId: string,
  userId: string,
  from: MembershipStatus,
  to: Exclude<MembershipStatus, "none">,
  set: { role?: CommunityRole; joined_at?: Date; changed_by: string | null; now: Date },
  session: ClientSession,
): Promise<boolean> {
  const fields = { status: to, updated_at: set.now, changed_by: set.changed_by, ...(set.role ? { role: set.role } : {}), ...(set.joined_at ? { joined_at: set.joined_at } : {}) };
  if (from === "none") {
    await CommunityMemberModel.create([{ community_id: communityId, user_id: userId, role: "member", joined_at: set.now, ...fields }], { session });
    return true;
  }
  const res = await CommunityMemberModel.updateOne({ community_id: communityId, user_id: userId, status: from }, { $set: fields }, { session });
  return res.modifiedCount === 1;
}

export async function incMemberCount(communityId: string, delta: number, session: ClientSession): Promise<void> {
  if (delta !== 0) await CommunityModel.updateOne({ _id: communityId }, { $inc: { member_count: delta } }, { session });
}

/** Change an active member's role from `from` to `to`; false when they no longer hold `from`. */
export async function setRole(communityId: string, userId: string, from: CommunityRole, to: CommunityRole, now: Date): Promise<boolean> {
  const res = await CommunityMemberModel.updateOne(
    { community_id: communityId, user_id: userId, status: "active", role: from },
    { $set: { role: to, updated_at: now } },
  );
  return res.modifiedCount === 1;
}

/** Active members, newest joiner first, after the keyset on (joined_at, _id). */
export async function listActiveMembers(communityId: string, after: TimeIdKey | undefined, limit: number): Promise<MembershipRow[]> {
  const rows = await CommunityMemberModel.find({ community_id: communityId, status: "active", ...afterTimeId(after, "joined_at") })
    .sort({ joined_at: -1, _id: -1 })
    .limit(limit)
    .lean();
  return rows.map(toMembership);
}

/** Community ids where the user is an active owner or admin (whose reported stories they moderate). */
export async function moderatedCommunityIdsOf(userId: string): Promise<string[]> {
  const rows = await CommunityMemberModel.find({ user_id: userId, status: "active", role: { $in: ["owner", "admin"] } }, { community_id: 1 }).lean();
  return rows.map((r) => String(r.community_id));
}

/** Community ids the user is an active member of (GET /communities?mine=true). */
export async function activeCommunityIdsOf(userId: string): Promise<string[]> {
  return (await communityStandingsOf(userId)).active;
}

export async function insertInvite(doc: Omit<InviteRow, "id">): Promise<InviteRow> {
  const created = await CommunityInviteModel.create(doc);
  return toInvite(created.toObject());
}

export async function findInvite(communityId: string, code: string, session?: ClientSession): Promise<InviteRow | null> {
  const row = await CommunityInviteModel.findOne({ community_id: communityId, code }, null, { session }).lean();
  return row ? toInvite(row) : null;
}

/** Spend one use of the invite, only while it has uses left (the check and the spend are one update). */
export async function spendInvite(invite: InviteRow, session: ClientSession): Promise<boolean> {
  const filter: Row = { _id: invite.id, revoked: false };
  if (invite.max_uses !== null) filter.uses = { $lt: invite.max_uses };
  const res = await CommunityInviteModel.updateOne(filter, { $inc: { uses: 1 } }, { session });
  return res.modifiedCount === 1;
}
