import { z } from "zod";
import { ConflictError } from "../shared/errors";
import { anchorAfterChange, regenerate } from "./key-regen.rules";
import { regenPolicyOf } from "./currencies";
import {
  CURRENCIES,
  SYSTEM_ACCOUNTS,
  type AccountRef,
  type Currency,
  type TransferResult,
  type TransferSpec,
} from "./economy.types";
import { economyErrors } from "./economy.errors";

/**
 * The ledger's pure rules: account keys, transfer validation, and posting one side of a transfer
 * onto an account state. No I/O; the engine (ledger.engine.ts) loads states, applies these and
 * writes the results atomically.
 */

/** An account's stored state. `version` 0 means "not stored yet"; every write sets a new random one. */
export interface AccountState {
  _id: string;
  kind: "user" | "system" | "hold";
  user_id: string | null;
  system: string | null;
  currency: Currency;
  /** available balance (a hold moves value out of it into the hold's own account) */
  balance: number;
  /** sum of the pending holds on this account (user accounts) */
  held: number;
  flagged: boolean;
  /** keys: when the next unit started regenerating (null at or above the cap) */
  regen_anchor: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The ledger row for one side of a transfer. */
export interface EntryDraft {
  account: string;
  /** present on user accounts only (the ledger listing's partial index) */
  user_id?: string;
  currency: Currency;
  amount: number;
  balance_after: number;
  transfer_id: string;
  reason: string;
  ref: string | null;
  created_at: Date;
}

/** What is stored per applied transfer; a replay answers from it. */
export interface TransferRecord {
  _id: string;
  debit: AccountRef;
  credit: AccountRef;
  debit_account: string;
  credit_account: string;
  currency: Currency;
  amount: number;
  reason: string;
  ref: string | null;
  created_at: Date;
  balances: Record<string, number>;
}

const accountIdPart = /^[A-Za-z0-9_-]{1,64}$/;

export const accountRefSchema = z.union([
  z.object({ userId: z.string().regex(accountIdPart, "a user id: letters, digits, _ or -") }).strict(),
  z.object({ system: z.enum(SYSTEM_ACCOUNTS) }).strict(),
]);

/** An amount: a positive safe integer in the currency's minor unit. */
export const amountSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const transferSpecSchema = z
  .object({
    // an idempotency key chosen by the caller; printable, no whitespace
    id: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces"),
    debit: accountRefSchema,
    credit: accountRefSchema,
    currency: z.enum(CURRENCIES),
    amount: amountSchema,
    reason: z.string().regex(/^[a-z0-9_.:-]{1,64}$/i, "1-64 of letters, digits, _ . : -"),
    ref: z.string().min(1).max(256).optional(),
  })
  .strict();

export function accountKey(ref: AccountRef, currency: Currency): string {
  return "userId" in ref ? `u:${ref.userId}:${currency}` : `s:${ref.system}:${currency}`;
}

export function holdAccountKey(holdId: string): string {
  return `h:${holdId}`;
}

export function isUserRef(ref: AccountRef): ref is { userId: string } {
  return "userId" in ref;
}

function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** A checked copy of the spec; throws `invalid_transfer` with the issues. */
export function validateTransferSpec(spec: TransferSpec): TransferSpec {
  const parsed = transferSpecSchema.safeParse(spec);
  if (!parsed.success) throw economyErrors.invalidTransfer("The transfer is not valid.", issuesOf(parsed.error));
  const valid = parsed.data as TransferSpec;
  if (accountKey(valid.debit, valid.currency) === accountKey(valid.credit, valid.currency)) {
    throw economyErrors.invalidTransfer("A transfer needs two different accounts.", [{ path: "credit", message: "same as debit" }]);
  }
  return valid;
}

/** Do an applied transfer and a request carry the same body? (Same id + different body is a reuse.) */
export function sameTransferBody(stored: TransferRecord, spec: TransferSpec): boolean {
  return (
    stored.debit_account === accountKey(spec.debit, spec.currency) &&
    stored.credit_account === accountKey(spec.credit, spec.currency) &&
    stored.currency === spec.currency &&
    stored.amount === spec.amount &&
    stored.reason === spec.reason &&
    (stored.ref ?? null) === (spec.ref ?? null)
  );
}

export function transferIdReused(id: string): ConflictError {
  return economyErrors.transferIdReused(`Transfer id ${id} was already used for a different transfer.`, { id });
}

export function resultOf(record: TransferRecord, replayed: boolean): TransferResult {
  const result: TransferResult = {
    id: record._id,
    currency: record.currency,
    amount: record.amount,
    debit: record.debit,
    credit: record.credit,
    reason: record.reason,
    created_at: record.created_at,
    replayed,
    balances: { ...record.balances },
  };
  if (record.ref !== null && record.ref !== undefined) result.ref = record.ref;
  return result;
}

/** A fresh (unstored) account for a key. */
export function newAccountState(key: string, currency: Currency, now: Date): AccountState {
  const [kind, owner] = key.split(":") as [string, string];
  return {
    _id: key,
    kind: kind === "u" ? "user" : kind === "s" ? "system" : "hold",
    user_id: kind === "u" ? owner : null,
    system: kind === "s" ? owner : null,
    currency,
    balance: 0,
    held: 0,
    flagged: false,
    regen_anchor: null,
    version: 0,
    created_at: now,
    updated_at: now,
  };
}

/** Keys earned since the anchor, credited onto the state (caller records them as a ledger transfer). */
export function applyRegeneration(acc: AccountState, now: Date): { account: AccountState; gained: number; fromAnchor: number | null } {
  const policy = acc.kind === "user" ? regenPolicyOf(acc.currency) : undefined;
  if (!policy) return { account: acc, gained: 0, fromAnchor: null };
  const fromAnchor = acc.regen_anchor?.getTime() ?? null;
  const next = regenerate({ balance: acc.balance, anchor: fromAnchor }, now.getTime(), policy);
  const anchor = next.anchor === null ? null : new Date(next.anchor);
  if (next.gained === 0 && next.anchor === fromAnchor) return { account: acc, gained: 0, fromAnchor };
  return { account: { ...acc, balance: next.balance, regen_anchor: anchor }, gained: next.gained, fromAnchor };
}

function withBalance(acc: AccountState, balance: number, now: Date): AccountState {
  const policy = acc.kind === "user" ? regenPolicyOf(acc.currency) : undefined;
  const regen_anchor = policy
    ? ((a) => (a === null ? null : new Date(a)))(anchorAfterChange(acc.regen_anchor?.getTime() ?? null, balance, now.getTime(), policy))
    : acc.regen_anchor;
  return { ...acc, balance, regen_anchor, updated_at: now };
}

export interface DebitOptions {
  /** a refund clawback may take a user balance below zero (and flags the account) */
  clawback?: boolean;
}

/**
 * Take `amount` off an account. User and hold accounts never go below zero; a flagged user account
 * cannot spend. System accounts may go negative (issuance is where value comes from).
 */
export function debitAccount(acc: AccountState, amount: number, now: Date, opts: DebitOptions = {}): AccountState {
  const next = acc.balance - amount;
  if (acc.kind === "user" && !opts.clawback) {
    if (acc.flagged) throw economyErrors.walletFlagged();
    if (next < 0) {
      throw economyErrors.insufficientFunds(`Not enough ${acc.currency}.`, { balance: acc.balance, required: amount, currency: acc.currency });
    }
  }
  if (acc.kind === "hold" && next < 0) throw economyErrors.insufficientFunds("The hold does not cover this amount.", { balance: acc.balance, required: amount, currency: acc.currency });
  const updated = withBalance(acc, next, now);
  return opts.clawback && acc.kind === "user" && next < 0 ? { ...updated, flagged: true } : updated;
}

export function creditAccount(acc: AccountState, amount: number, now: Date): AccountState {
  const next = acc.balance + amount;
  if (!Number.isSafeInteger(next)) throw economyErrors.amountOverflow();
  return withBalance(acc, next, now);
}
