import { Types } from "mongoose";
import { UserModel } from "./user.model";
import type { Role } from "./roles";
import type { UserBan } from "./ban.rules";
import { isObjectIdString } from "../shared/ids";
import { clock } from "../shared/clock";
import { activeSubscriptionFilter, SubscriptionModel } from "../marketplace/subscription.model";
import type { PlanId } from "../marketplace/subscription.plans";

export interface User {
  id: string;
  username: string;
  email: string | null;
  roles: Role[];
  display_name: string;
  bio: string;
  avatar_url: string | null;
  created_at: Date;
}

type Row = Record<string, any>;

export function toUser(row: Row): User {
  return {
    id: String(row._id),
    username: row.username,
    email: row.email ?? null,
    roles: row.roles,
    display_name: row.display_name ?? "",
    bio: row.bio ?? "",
    avatar_url: row.avatar_url ?? null,
    created_at: row.created_at,
  };
}

export async function insertUser(input: {
  username: string;
  email?: string;
  password_hash: string;
  roles: Role[];
  display_name?: string;
}): Promise<User> {
  const now = clock.now();
  const doc = await UserModel.create({
    ...input,
    username_lower: input.username.toLowerCase(),
    display_name: input.display_name ?? input.username,
    created_at: now,
    updated_at: now,
  });
  return toUser(doc.toObject());
}

export async function findUserById(id: string): Promise<User | null> {
  if (!isObjectIdString(id)) return null;
  const row = await UserModel.findById(id).lean();
  return row ? toUser(row) : null;
}

/** Roles and ban only (an _id index lookup): the access-token check on every authenticated call. */
/** What the account check needs: current roles, ban, and the plan (everyone without an active paid subscription is on basic). */
export interface UserStanding {
  roles: Role[];
  ban: UserBan | null;
  plan: PlanId;
}

/**
 * The account's standing and its plan in one store command: the active subscription rides along as
 * an uncorrelated `$lookup` (its `$match` uses the subscriptions index), so a cold request or room
 * join pays one read for the account check and the rate-limit tier together.
 */
export async function findUserStanding(id: string): Promise<UserStanding | null> {
  if (!isObjectIdString(id)) return null;
  const [row] = await UserModel.aggregate<{ roles: Role[]; ban?: UserBan | null; active: { plan: PlanId }[] }>([
    { $match: { _id: new Types.ObjectId(id) } },
    { $project: { _id: 0, roles: 1, ban: 1 } },
    {
      $lookup: {
        from: SubscriptionModel.collection.collectionName,
        pipeline: [{ $match: activeSubscriptionFilter(id, clock.now()) }, { $sort: { created_at: -1 } }, { $limit: 1 }, { $project: { _id: 0, plan: 1 } }],
        as: "active",
      },
    },
  ]);
  return row ? { roles: row.roles, ban: row.ban ?? null, plan: row.active[0]?.plan ?? "basic" } : null;
}

export async function findUsersByIds(ids: string[]): Promise<User[]> {
  const valid = ids.filter(isObjectIdString).map((id) => new Types.ObjectId(id));
  const rows = await UserModel.find({ _id: { $in: valid } }).lean();
  return rows.map(toUser);
}

export async function findCredentialsByUsername(username: string): Promise<(User & { password_hash: string }) | null> {
  const row = await UserModel.findOne({ username_lower: username.toLowerCase() }).lean();
  return row ? { ...toUser(row), password_hash: row.password_hash } : null;
}

/** The only fields a profile patch may write: update paths come from this list, never from the patch's keys. */
const PROFILE_FIELDS = ["display_name", "bio", "avatar_url", "email"] as const;

export async function updateUserProfile(id: string, patch: Partial<Pick<User, (typeof PROFILE_FIELDS)[number]>>): Promise<User | null> {
  const set: Row = { updated_at: clock.now() };
  const unset: Row = {};
  for (const k of PROFILE_FIELDS) {
    const v = patch[k];
    if (v === undefined) continue;
    if (k === "email" && v === null) unset.email = 1;
    else set[k] = v;
  }
  const row = await UserModel.findByIdAndUpdate(id, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, { returnDocument: "after" }).lean();
  return row ? toUser(row) : null;
}
