import { Schema, model } from "mongoose";

/**
 * The store backend's partitions: one row per (partition, user). `composite` is the folded score
 * (leaderboard.rules.ts) the ranking sorts by; `score` is kept beside it for reading.
 */
const recordSchema = new Schema(
  {
    partition: { type: String, required: true },
    user_id: { type: String, required: true },
    score: { type: Number, required: true },
    composite: { type: Number, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "leaderboard_records", versionKey: false },
);
// one record per user and partition: the upsert target of every submission, and "me" lookups
recordSchema.index({ partition: 1, user_id: 1 }, { unique: true });
// a page of a partition in rank order, and the "how many rank above me" count
recordSchema.index({ partition: 1, composite: -1, user_id: -1 });

export const LeaderboardRecordModel = model("LeaderboardRecord", recordSchema);

/** Event ids already applied to a partition (`_id` = partition|event id), forgotten after a TTL. */
const eventSchema = new Schema(
  {
    _id: { type: String, required: true },
    expires_at: { type: Date, required: true },
  },
  { collection: "leaderboard_events", versionKey: false },
);
// MongoDB's TTL monitor drops remembered event ids after EVENT_ID_TTL_SECONDS
eventSchema.index({ expires_at: 1 }, { expireAfterSeconds: 0 });

export const LeaderboardEventModel = model("LeaderboardEvent", eventSchema);
