import { Schema, model } from "mongoose";

/**
 * The ledger's collections. Every write to them goes through the engine (ledger.engine.ts), inside
 * one transaction per batch; `economy_entries` is append-only (never updated or deleted).
 *
 * - economy_accounts: one per (user, currency), per (system account, currency) and per hold;
 *   `_id` is the account key (`u:<userId>:<currency>`, `s:<system>:<currency>`, `h:<holdId>`).
 * - economy_transfers: one per applied transfer; `_id` is the caller's idempotency key.
 * - economy_entries: one per side of a transfer, signed amount and the balance after it.
 * - economy_holds: two-phase transfers (pending → captured | released | expired).
 */
const accountSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    user_id: { type: String, default: null },
    system: { type: String, default: null },
    currency: { type: String, required: true },
    balance: { type: Number, required: true },
    held: { type: Number, default: 0 },
    flagged: { type: Boolean, default: false },
    regen_anchor: { type: Date, default: null },
    version: { type: Number, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "economy_accounts", versionKey: false, minimize: false },
);
// no secondary index: a user's accounts are read by their keys (_id), one per currency, and every
// index would be rewritten on each of the ledger's hottest writes

const transferSchema = new Schema(
  {
    _id: { type: String, required: true },
    debit: { type: Schema.Types.Mixed, required: true },
    credit: { type: Schema.Types.Mixed, required: true },
    debit_account: { type: String, required: true },
    credit_account: { type: String, required: true },
    currency: { type: String, required: true },
    amount: { type: Number, required: true },
    reason: { type: String, required: true },
    ref: { type: String, default: null },
    created_at: { type: Date, required: true },
    balances: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: "economy_transfers", versionKey: false, minimize: false },
);

const entrySchema = new Schema(
  {
    account: { type: String, required: true },
    /** user accounts only (absent on system and hold sides) */
    user_id: { type: String },
    currency: { type: String, required: true },
    amount: { type: Number, required: true },
    balance_after: { type: Number, required: true },
    transfer_id: { type: String, required: true },
    reason: { type: String, required: true },
    ref: { type: String, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: "economy_entries", versionKey: false },
);
// GET /wallet/ledger newest first (a currency filter is applied on the scan); partial: the system
// side of every transfer has no user_id and is never listed, so half the entries stay out of the index
entrySchema.index({ user_id: 1, created_at: -1, _id: -1 }, { partialFilterExpression: { user_id: { $exists: true } } });
// No unique index on (transfer_id, account): transfer ids are unique in economy_transfers (its _id),
// written in the same transaction, and the embedded store checks a secondary unique index inside a
// transaction in quadratic time (1,000 inserts: 3 s instead of 40 ms).

const holdSchema = new Schema(
  {
    _id: { type: String, required: true },
    user_id: { type: String, required: true },
    currency: { type: String, required: true },
    amount: { type: Number, required: true },
    captured: { type: Number, default: 0 },
    status: { type: String, required: true },
    reason: { type: String, required: true },
    ref: { type: String, default: null },
    expires_at: { type: Date, default: null },
    /** the id of the capture or release that settled it (its idempotency key) */
    settled_by: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "economy_holds", versionKey: false, minimize: false },
);
// the sweeper's "pending holds past their expiry"
holdSchema.index({ status: 1, expires_at: 1 });

export const AccountModel = model("EconomyAccount", accountSchema);
export const TransferModel = model("EconomyTransfer", transferSchema);
export const EntryModel = model("EconomyEntry", entrySchema);
export const HoldModel = model("EconomyHold", holdSchema);

export interface HoldDoc {
  _id: string;
  user_id: string;
  currency: import("./economy.types").Currency;
  amount: number;
  captured: number;
  status: import("./economy.types").HoldStatus;
  reason: string;
  ref: string | null;
  expires_at: Date | null;
  settled_by: string | null;
  created_at: Date;
  updated_at: Date;
}
