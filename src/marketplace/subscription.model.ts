import { Schema, model } from "mongoose";

/**
 * Paid subscriptions. `pending_payment` until its Razorpay order is verified; an upgrade keeps the
 * subscription active and records the pending change until its (prorated) order is paid.
 */
const subscriptionSchema = new Schema(
  {
    user_id: { type: String, required: true },
    plan: { type: String, required: true },
    status: { type: String, enum: ["pending_payment", "active", "cancelled"], required: true },
    period_start: { type: Date, default: null },
    period_end: { type: Date, default: null },
    order_id: { type: String, required: true },
    pending_upgrade: { type: new Schema({ plan: String, order_id: String, amount: Number }, { _id: false }), default: null },
    payments: { type: [new Schema({ order_id: String, payment_id: String, amount: Number, at: Date }, { _id: false })], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "subscriptions", versionKey: false },
);
// a user's subscriptions newest first, and "the active one" for plan limits
subscriptionSchema.index({ user_id: 1, status: 1, created_at: -1 });
// a verified payment finds its subscription by order (first payment or upgrade)
subscriptionSchema.index({ order_id: 1 });
subscriptionSchema.index({ "pending_upgrade.order_id": 1 }, { sparse: true });

export const SubscriptionModel = model("Subscription", subscriptionSchema);

/** "The active one": a paid subscription whose period has not ended (newest first when several; the index above). */
export function activeSubscriptionFilter(userId: string, now: Date) {
  return { user_id: userId, status: "active" as const, period_end: { $gt: now } };
}
