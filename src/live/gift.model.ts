import { Schema, model } from "mongoose";
import { COMMAND_ACTIONS, GIFT_RARITIES } from "./gift.rules";

/** The gift catalog (seeded by `npm run seed`, never at boot). */
const giftSchema = new Schema(
  {
    code: { type: String, required: true },
    name: { type: String, required: true },
    token_cost: { type: Number, required: true },
    animation_key: { type: String, required: true },
    rarity: { type: String, enum: GIFT_RARITIES, required: true },
    command: {
      type: new Schema(
        { action: { type: String, enum: COMMAND_ACTIONS }, outcomes: [String], sound_key: String, poll_duration_s: Number },
        { _id: false },
      ),
      default: undefined,
    },
    active: { type: Boolean, default: true },
  },
  { collection: "gifts", versionKey: false },
);
giftSchema.index({ code: 1 }, { unique: true });

/** One sent gift: what moved (reconciled against the ledger by transfer id), its command and seq. */
const giftEventSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    sender_id: { type: String, required: true },
    creator_id: { type: String, required: true },
    idempotency_key: { type: String, required: true },
    gift_code: { type: String, required: true },
    quantity: { type: Number, required: true },
    tokens: { type: Number, required: true },
    creator_tokens: { type: Number, required: true },
    platform_tokens: { type: Number, required: true },
    transfer_ids: { type: [String], required: true },
    command: { type: Schema.Types.Mixed, default: null },
    seq: { type: Number, default: null },
    /** false until the gift's after-commit effects (XP, boards, its event, goal events) ran; see src/infra/effects.ts */
    effects_done: { type: Boolean, default: false },
    created_at: { type: Date, required: true },
  },
  { collection: "gift_events", versionKey: false, minimize: false },
);
// exactly once per sender, stream and idempotency key
giftEventSchema.index({ sender_id: 1, stream_id: 1, idempotency_key: 1 }, { unique: true });
// admin listing per stream, and velocity (a sender's gifts since a time)
giftEventSchema.index({ stream_id: 1, created_at: 1, _id: 1 });
giftEventSchema.index({ sender_id: 1, created_at: 1 });
// recommendations: who gifted the candidate creators
giftEventSchema.index({ creator_id: 1 });
// the boot re-run of gifts whose effects did not finish, oldest first
giftEventSchema.index({ effects_done: 1, created_at: 1 });

/** Bursts refused by the velocity checks, kept for review. */
const velocityRefusalSchema = new Schema(
  {
    stream_id: String,
    sender_id: String,
    code: String,
    gift_code: String,
    tokens: Number,
    created_at: Date,
  },
  { collection: "gift_velocity_refusals", versionKey: false },
);
velocityRefusalSchema.index({ sender_id: 1, created_at: -1 });

export const GiftModel = model("Gift", giftSchema);
export const GiftEventModel = model("GiftEvent", giftEventSchema);
export const VelocityRefusalModel = model("GiftVelocityRefusal", velocityRefusalSchema);
