/**
 * The economy's public types (ECONOMY-CONTRACT.md). Amounts are positive integers in the currency's
 * minor unit (tokens, diamonds and keys are whole units; inr is paise).
 */
export const CURRENCIES = ["tokens", "diamonds", "keys", "inr"] as const;
export type Currency = (typeof CURRENCIES)[number];

/** System accounts may go negative: issuance and promo are where value comes from. */
export const SYSTEM_ACCOUNTS = ["issuance", "revenue", "escrow", "payouts", "promo"] as const;
export type SystemAccount = (typeof SYSTEM_ACCOUNTS)[number];

export type AccountRef = { userId: string } | { system: SystemAccount };

export interface TransferSpec {
  /** the caller's idempotency key, e.g. "gift:<streamId>:<idempotencyKey>" */
  id: string;
  debit: AccountRef;
  credit: AccountRef;
  currency: Currency;
  amount: number;
  reason: string;
  ref?: string;
}

export interface TransferResult {
  id: string;
  currency: Currency;
  amount: number;
  debit: AccountRef;
  credit: AccountRef;
  reason: string;
  ref?: string;
  created_at: Date;
  /** true when this id was already applied (same body) */
  replayed: boolean;
  /** userId -> available balance after the transfer, for the user accounts it touched */
  balances: Record<string, number>;
}

export interface HoldSpec {
  id: string;
  userId: string;
  currency: Currency;
  amount: number;
  reason: string;
  ref?: string;
  expiresAt?: Date;
}

export type HoldStatus = "pending" | "captured" | "released" | "expired";

export interface Hold {
  id: string;
  user_id: string;
  currency: Currency;
  amount: number;
  /** what left the hold for the target(s): capture amount + fee */
  captured: number;
  status: HoldStatus;
  reason: string;
  ref?: string;
  expires_at?: Date;
}

export interface CaptureOptions {
  /** idempotency key of the capture; also the id of its main transfer */
  id: string;
  credit: AccountRef;
  /** what the target receives; default: the whole hold (less the fee) */
  amount?: number;
  fee?: { credit: AccountRef; amount: number };
}

export interface Wallet {
  user_id: string;
  /** available (holds excluded) */
  balances: Record<Currency, number>;
  held: Record<Currency, number>;
  keys: { balance: number; cap: number; next_at: string | null; interval_seconds: number };
  flagged: boolean;
}

export interface LedgerEntry {
  id: string;
  transfer_id: string;
  currency: Currency;
  /** signed: negative on the debited side */
  amount: number;
  balance_after: number;
  reason: string;
  ref: string | null;
  created_at: Date;
}

export interface ReconcileMismatch {
  kind: "account_balance" | "currency_sum" | "held";
  account?: string;
  currency?: Currency;
  stored?: number;
  expected: number;
  actual: number;
}

export interface ReconcileReport {
  ok: boolean;
  accounts_checked: number;
  mismatches: ReconcileMismatch[];
}
