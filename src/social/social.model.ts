import { Schema, model } from "mongoose";

const followSchema = new Schema(
  {
    follower_id: { type: String, required: true },
    followee_id: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "follows", versionKey: false },
);
// one follow per pair (idempotent follow); also serves "does A follow B" and A's following list by recency
followSchema.index({ follower_id: 1, followee_id: 1 }, { unique: true });
followSchema.index({ follower_id: 1, created_at: -1, _id: -1 });
// B's followers list by recency, and follower counts (reach %)
followSchema.index({ followee_id: 1, created_at: -1, _id: -1 });

const blockSchema = new Schema(
  {
    blocker_id: { type: String, required: true },
    blocked_id: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "blocks", versionKey: false },
);
// one block per pair; serves "did A block B" in both directions
blockSchema.index({ blocker_id: 1, blocked_id: 1 }, { unique: true });
blockSchema.index({ blocked_id: 1 });

export const FollowModel = model("Follow", followSchema);
export const BlockModel = model("Block", blockSchema);
