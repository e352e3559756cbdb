import type { ClientSession } from "mongoose";
import { clock } from "../shared/clock";
import { findUserById } from "../auth/user.repository";
import { DomainError } from "../shared/errors";
import { metrics } from "../metrics/metrics";
import { afterTimeId, decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { nextRegenAt } from "./key-regen.rules";
import { regenPolicyOf, WELCOME_GRANTS } from "./currencies";
import { ledgerEngine, type LedgerEngine, type LedgerTx } from "./ledger.engine";
import { AccountModel, EntryModel, TransferModel } from "./ledger.model";
import {
  accountKey,
  applyRegeneration,
  resultOf,
  transferIdReused,
  validateTransferSpec,
  type AccountState,
} from "./ledger.rules";
import { CURRENCIES, type Currency, type LedgerEntry, type TransferResult, type TransferSpec, type Wallet } from "./economy.types";
import { economyErrors } from "./economy.errors";

/**
 * Moving value: transfers (single, linked, with the caller's writes), clawbacks, wallets and the
 * ledger. Every change goes through the ledger engine (one atomic batch per group commit).
 */

/** Operators watch value moving and being refused (a burst of insufficient_funds, a flagged wallet). */
const transfersPosted = metrics.counter("economy_transfers_total", "Transfers posted (replays not counted), by currency.", ["currency"]);
const transfersRefused = metrics.counter("economy_transfers_refused_total", "Transfers refused, by error code.", ["code"]);

/** Count what a submitted operation posted (or the refusal it met) once it has committed. */
async function observed<R>(work: Promise<R>, posted: (r: R) => TransferResult[]): Promise<R> {
  try {
    const r = await work;
    for (const t of posted(r)) if (!t.replayed) transfersPosted.inc({ currency: t.currency });
    return r;
  } catch (err) {
    if (err instanceof DomainError) transfersRefused.inc({ code: err.code });
    throw err;
  }
}

function keysOf(specs: TransferSpec[]): string[] {
  return specs.flatMap((s) => [accountKey(s.debit, s.currency), accountKey(s.credit, s.currency)]);
}

function validateLinked(specs: TransferSpec[]): TransferSpec[] {
  if (specs.length === 0) throw economyErrors.invalidTransfer("At least one transfer is needed.");
  const valid = specs.map(validateTransferSpec);
  if (new Set(valid.map((s) => s.id)).size !== valid.length) {
    throw economyErrors.invalidTransfer("Linked transfers need distinct ids.");
  }
  return valid;
}

/**
 * Post linked transfers in one operation: all already applied (same bodies) → their first results,
 * replayed; none applied → all posted; a mix means the ids were used apart → `transfer_id_reused`.
 */
async function postLinked(tx: LedgerTx, specs: TransferSpec[], clawback = false): Promise<{ results: TransferResult[]; replayed: boolean }> {
  const found = await Promise.all(specs.map((s) => tx.existing(s)));
  if (found.every((f) => f !== null)) return { results: found.map((f) => resultOf(f!, true)), replayed: true };
  const partial = found.findIndex((f) => f !== null);
  if (partial >= 0) throw transferIdReused(specs[partial]!.id);
  const results: TransferResult[] = [];
  for (const s of specs) results.push(resultOf(await tx.post(s, { clawback }), false));
  return { results, replayed: false };
}

function linkedOp(specs: TransferSpec[]) {
  return { accounts: keysOf(specs), transfers: specs.map((s) => s.id) };
}

/** One transfer. Same id + same body again → the first result (replayed). */
export async function transfer(spec: TransferSpec): Promise<TransferResult> {
  return transferOn(ledgerEngine, spec);
}

/** `transfer` through a given engine (tests run two engines to act as two processes). */
export async function transferOn(engine: LedgerEngine, spec: TransferSpec): Promise<TransferResult> {
  const [valid] = validateLinked([spec]);
  return observed(engine.submit({ ...linkedOp([valid!]), run: async (tx) => (await postLinked(tx, [valid!])).results[0]! }), (r) => [r]);
}

/** Linked transfers, all or nothing (e.g. a gift: creator share + platform fee). */
export async function transferBatch(specs: TransferSpec[]): Promise<TransferResult[]> {
  const valid = validateLinked(specs);
  return observed(ledgerEngine.submit({ ...linkedOp(valid), run: async (tx) => (await postLinked(tx, valid)).results }), (r) => r);
}

/**
 * The transfer(s) and the caller's writes commit as one unit. `write` gets the transaction's
 * session and must do all its writes with it; it may run more than once (a retried batch), so it
 * must have no side effects outside the session. On a replay `write` does not run.
 */
export async function withTransfer<T>(
  specs: TransferSpec | TransferSpec[],
  write: (session: ClientSession) => Promise<T>,
): Promise<{ transfers: TransferResult[]; result: T | undefined; replayed: boolean }> {
  const valid = validateLinked(Array.isArray(specs) ? specs : [specs]);
  const work = ledgerEngine.submit({
    ...linkedOp(valid),
    run: async (tx) => {
      const { results, replayed } = await postLinked(tx, valid);
      if (replayed) return { transfers: results, result: undefined, replayed };
      return { transfers: results, result: await write(tx.session), replayed };
    },
  });
  return observed(work, (r) => r.transfers);
}

/**
 * A refund clawback (payments): takes the value back even if the user already spent it. The user
 * balance may go below zero; if it does, the account is flagged `wallet_flagged` and cannot spend
 * until an admin clears it. Idempotent by id like any transfer.
 */
export async function clawback(spec: TransferSpec): Promise<TransferResult> {
  const [valid] = validateLinked([spec]);
  if (!("userId" in valid!.debit)) throw economyErrors.invalidTransfer("A clawback debits a user account.");
  return observed(ledgerEngine.submit({ ...linkedOp([valid!]), run: async (tx) => (await postLinked(tx, [valid!], true)).results[0]! }), (r) => [r]);
}

/** Clear `wallet_flagged` on every account of the user. */
export async function unflagWallet(userId: string): Promise<Wallet> {
  const keys = CURRENCIES.map((c) => accountKey({ userId }, c));
  await ledgerEngine.submit({
    accounts: keys,
    run: async (tx) => {
      for (const k of keys) {
        const acc = await tx.existingAccount(k);
        if (acc?.flagged) tx.setAccount({ ...acc, flagged: false });
      }
    },
  });
  return getWallet(userId);
}

function welcomeGrantId(userId: string, currency: Currency): string {
  return `welcome:${userId}:${currency}`;
}

/** The welcome grants (currencies.ts), once per user: their ids are fixed per user, so a second call replays. */
export async function grantWelcome(userId: string): Promise<TransferResult[]> {
  return transferBatch(
    WELCOME_GRANTS.map((g) => ({
      id: welcomeGrantId(userId, g.currency),
      debit: { system: "promo" },
      credit: { userId },
      currency: g.currency,
      amount: g.amount,
      reason: "welcome_grant",
    })),
  );
}

async function userAccounts(userId: string): Promise<Map<Currency, AccountState>> {
  const docs = (await AccountModel.find({ _id: { $in: CURRENCIES.map((c) => accountKey({ userId }, c)) } }).lean()) as unknown as AccountState[];
  return new Map(docs.map((d) => [d.currency, d]));
}

/** Credit keys earned since the last change (a ledger transfer from issuance), if any are due. */
async function regenerateKeys(userId: string): Promise<void> {
  const key = accountKey({ userId }, "keys");
  await ledgerEngine.submit({ accounts: [key], run: async (tx) => void (await tx.regenerated(key, "keys")) });
}

/** The user's wallet; keys regenerate lazily here (and on spend). */
export async function getWallet(userId: string): Promise<Wallet> {
  // a user from before the economy, or a registration that crashed before its grant: grant now
  // (idempotent), but only to a user that exists — an id alone never mints value
  if (!(await TransferModel.exists({ _id: welcomeGrantId(userId, WELCOME_GRANTS[0]!.currency) })) && (await findUserById(userId))) {
    await grantWelcome(userId);
  }
  let accounts = await userAccounts(userId);
  const keysAcc = accounts.get("keys");
  if (keysAcc && applyRegeneration(keysAcc, clock.now()).gained > 0) {
    await regenerateKeys(userId);
    accounts = await userAccounts(userId);
  }
  const balances = {} as Record<Currency, number>;
  const held = {} as Record<Currency, number>;
  for (const c of CURRENCIES) {
    balances[c] = accounts.get(c)?.balance ?? 0;
    held[c] = accounts.get(c)?.held ?? 0;
  }
  const policy = regenPolicyOf("keys")!;
  const keys = accounts.get("keys");
  const nextAt = keys ? nextRegenAt({ balance: keys.balance, anchor: keys.regen_anchor?.getTime() ?? null }, policy) : null;
  return {
    user_id: userId,
    balances,
    held,
    keys: {
      balance: balances.keys,
      cap: policy.cap,
      next_at: nextAt === null ? null : new Date(nextAt).toISOString(),
      interval_seconds: policy.intervalMs / 1000,
    },
    flagged: [...accounts.values()].some((a) => a.flagged),
  };
}

/** The user's ledger entries, newest first, cursor-paged. */
export async function listLedger(userId: string, q: { currency?: Currency; limit: number; cursor?: string }): Promise<Page<LedgerEntry>> {
  const after = decodeCursor(q.cursor, timeIdCursor);
  const filter = { user_id: userId, ...(q.currency ? { currency: q.currency } : {}), ...afterTimeId(after) };
  const rows = await EntryModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(q.limit + 1).lean();
  const page = toPage(rows, q.limit, (r) => timeIdKey(r.created_at, r._id));
  return {
    items: page.items.map((r) => ({
      id: String(r._id),
      transfer_id: r.transfer_id,
      currency: r.currency as Currency,
      amount: r.amount,
      balance_after: r.balance_after,
      reason: r.reason,
      ref: r.ref ?? null,
      created_at: r.created_at,
    })),
    next_cursor: page.next_cursor,
  };
}
