import { AccountModel, EntryModel, HoldModel } from "./ledger.model";
import { accountKey } from "./ledger.rules";
import type { Currency, ReconcileMismatch, ReconcileReport } from "./economy.types";

/**
 * Check the books: every account's stored balance equals the sum of its entries, every currency's
 * entries sum to zero (double entry), and every user account's `held` equals its pending holds.
 * Read-only; an admin runs it (GET /admin/economy/reconcile), the crash tests run it after a kill.
 */
export async function reconcile(): Promise<ReconcileReport> {
  const [accounts, sums, perCurrency, pending] = await Promise.all([
    AccountModel.find({}, { _id: 1, balance: 1, held: 1, kind: 1, currency: 1 }).lean(),
    EntryModel.aggregate<{ _id: string; sum: number }>([{ $group: { _id: "$account", sum: { $sum: "$amount" } } }]),
    EntryModel.aggregate<{ _id: Currency; sum: number }>([{ $group: { _id: "$currency", sum: { $sum: "$amount" } } }]),
    HoldModel.aggregate<{ _id: { user_id: string; currency: Currency }; sum: number }>([
      { $match: { status: "pending" } },
      { $group: { _id: { user_id: "$user_id", currency: "$currency" }, sum: { $sum: "$amount" } } },
    ]),
  ]);
  const mismatches: ReconcileMismatch[] = [];
  const entrySum = new Map(sums.map((s) => [s._id, s.sum]));
  const heldSum = new Map(pending.map((p) => [accountKey({ userId: p._id.user_id }, p._id.currency), p.sum]));
  const seen = new Set<string>();
  for (const acc of accounts) {
    const key = String(acc._id);
    seen.add(key);
    const actual = entrySum.get(key) ?? 0;
    if (acc.balance !== actual) mismatches.push({ kind: "account_balance", account: key, stored: acc.balance, expected: acc.balance, actual });
    if (acc.kind === "user") {
      const held = heldSum.get(key) ?? 0;
      if ((acc.held ?? 0) !== held) mismatches.push({ kind: "held", account: key, stored: acc.held ?? 0, expected: acc.held ?? 0, actual: held });
    }
  }
  // entries for an account that does not exist: value that no balance shows
  for (const [key, sum] of entrySum) {
    if (!seen.has(key)) mismatches.push({ kind: "account_balance", account: key, stored: 0, expected: 0, actual: sum });
  }
  for (const c of perCurrency) {
    if (c.sum !== 0) mismatches.push({ kind: "currency_sum", currency: c._id, expected: 0, actual: c.sum });
  }
  return { ok: mismatches.length === 0, accounts_checked: accounts.length, mismatches };
}
