import { Schema, model } from "mongoose";

/**
 * - payment_orders: what we asked a provider to charge (a Razorpay order, a Stripe Checkout
 *   Session): who, how much, for what. `_id` is `<provider>:<provider order id>`, so a webhook
 *   finds it by the id the provider echoes back.
 * - purchases: one per provider payment we credited (or, for the App Store, refused because it was
 *   revoked first). `_id` is `<provider>:<provider payment id>`: the unique key that makes a
 *   credit exactly-once together with the ledger transfer `purchase:<provider>:<id>`.
 */
const orderSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true },
    order_id: { type: String, required: true },
    user_id: { type: String, required: true },
    purpose: { type: String, required: true },
    ref: { type: String, default: null },
    product_id: { type: String, default: null },
    amount: { type: Number, required: true },
    currency: { type: String, required: true },
    status: { type: String, required: true },
    payment_id: { type: String, default: null },
    created_at: { type: Date, required: true },
    paid_at: { type: Date, default: null },
  },
  { collection: "payment_orders", versionKey: false, minimize: false },
);

const clawbackSchema = new Schema(
  { id: { type: String, required: true }, amount: { type: Number, required: true }, reason: { type: String, required: true }, at: { type: Date, required: true } },
  { _id: false },
);

const purchaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true },
    txn_id: { type: String, required: true },
    status: { type: String, required: true },
    user_id: { type: String, default: null },
    product_id: { type: String, default: null },
    order_id: { type: String, default: null },
    grant: { currency: String, amount: Number },
    paid: { amount: Number, currency: String },
    /** the grant units taken back so far; each step is recorded in `clawbacks` before it is applied */
    clawed_back: { type: Number, default: 0 },
    clawbacks: { type: [clawbackSchema], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "purchases", versionKey: false, minimize: false },
);

export const PaymentOrderModel = model("PaymentOrder", orderSchema);
export const PurchaseModel = model("Purchase", purchaseSchema);
