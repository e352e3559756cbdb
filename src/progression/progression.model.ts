import { Schema, model } from "mongoose";

/**
 * Progression shared by every experience. `progress` holds one row per user (`_id` = user id) with
 * the XP total and, per XP source, how many events counted (what count badges read). XP only
 * grows: the only write to `xp` is `$inc` by a positive award.
 */
const progressSchema = new Schema(
  {
    _id: { type: String, required: true },
    xp: { type: Number, required: true, default: 0 },
    counts: { type: Schema.Types.Mixed, default: {} },
    /** the badges held, copied from badge_awards in the same transaction (no extra read per award) */
    badge_ids: { type: [String], default: [] },
    updated_at: { type: Date, required: true },
  },
  { collection: "progress", versionKey: false, minimize: false },
);
export const ProgressModel = model("Progress", progressSchema);

/** One row per counted event and user: the idempotency record of awardXp and the XP history. */
const xpAwardSchema = new Schema(
  {
    user_id: { type: String, required: true },
    event_id: { type: String, required: true },
    source: { type: String, required: true },
    amount: { type: Number, default: null },
    xp: { type: Number, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "xp_awards", versionKey: false },
);
// an event counts once per user: the insert that makes an award idempotent
xpAwardSchema.index({ user_id: 1, event_id: 1 }, { unique: true });
export const XpAwardModel = model("XpAward", xpAwardSchema);

/** Badges held: awarded once (unique per user and badge), with when. */
const badgeAwardSchema = new Schema(
  {
    user_id: { type: String, required: true },
    badge_id: { type: String, required: true },
    event_id: { type: String, required: true },
    awarded_at: { type: Date, required: true },
  },
  { collection: "badge_awards", versionKey: false },
);
// a badge is held at most once; also the profile's "badges of this user"
badgeAwardSchema.index({ user_id: 1, badge_id: 1 }, { unique: true });
export const BadgeAwardModel = model("BadgeAward", badgeAwardSchema);
