import { Schema, model } from "mongoose";

/** A community (a gym, a club): stories may be posted to it and its feed is its members'. */
const communitySchema = new Schema(
  {
    name: { type: String, required: true },
    description: { type: String, default: null },
    owner_id: { type: String, required: true },
    join_policy: { type: String, required: true },
    /** Active members (owner included); moves by `$inc` in the same transaction as the membership. */
    member_count: { type: Number, default: 0 },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "communities", versionKey: false },
);
// GET /communities: newest first, keyset-paged on (created_at, _id)
communitySchema.index({ created_at: -1, _id: -1 });

/** One row per (community, user) ever involved: the status keeps left, removed and banned users apart. */
const communityMemberSchema = new Schema(
  {
    community_id: { type: String, required: true },
    user_id: { type: String, required: true },
    role: { type: String, required: true },
    status: { type: String, required: true },
    /** When the current active stretch began (the member list's order). */
    joined_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    /** Who moved the status last (a remove, ban or unban), for the audit trail. */
    changed_by: { type: String, default: null },
  },
  { collection: "community_members", versionKey: false },
);
// one row per pair: a join is an upsert on it; every status change is conditional on the status read
communityMemberSchema.index({ community_id: 1, user_id: 1 }, { unique: true });
// GET /communities/:id/members: active members, newest first, keyset-paged
communityMemberSchema.index({ community_id: 1, status: 1, joined_at: -1, _id: -1 });
// the privacy facts: the communities a viewer is active in or banned from (one read per viewer, cached)
communityMemberSchema.index({ user_id: 1, status: 1 });

/** Invite codes of invite-only communities. */
const communityInviteSchema = new Schema(
  {
    code: { type: String, required: true },
    community_id: { type: String, required: true },
    created_by: { type: String, required: true },
    expires_at: { type: Date, default: null },
    max_uses: { type: Number, default: null },
    uses: { type: Number, default: 0 },
    revoked: { type: Boolean, default: false },
    created_at: { type: Date, required: true },
  },
  { collection: "community_invites", versionKey: false },
);
// a join looks the code up within its community
communityInviteSchema.index({ community_id: 1, code: 1 }, { unique: true });

export const CommunityModel = model("Community", communitySchema);
export const CommunityMemberModel = model("CommunityMember", communityMemberSchema);
export const CommunityInviteModel = model("CommunityInvite", communityInviteSchema);
