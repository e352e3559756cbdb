import { Schema, model } from "mongoose";

/** A payout per escrow capture: `pending` until an admin marks it paid out (money leaves to `payouts`). */
const payoutSchema = new Schema(
  {
    _id: { type: String, required: true },
    conversation_id: { type: String, required: true },
    influencer_id: { type: String, required: true },
    amount: { type: Number, required: true },
    fee: { type: Number, required: true },
    status: { type: String, enum: ["pending", "paid_out"], default: "pending" },
    paid_out_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: "payouts", versionKey: false },
);
// an influencer's payouts, and the admin's pending queue
payoutSchema.index({ influencer_id: 1, created_at: -1 });
payoutSchema.index({ status: 1, created_at: 1 });

export const PayoutModel = model("Payout", payoutSchema);
