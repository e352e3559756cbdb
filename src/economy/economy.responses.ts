import { z } from "zod";
import { isoDateTime, pageOf, responseOf } from "../http/response-schema";
import { CURRENCIES, SYSTEM_ACCOUNTS, type LedgerEntry, type ReconcileReport, type Wallet } from "./economy.types";
import type { transferJson } from "./economy.router";

/** Response schemas of /api/v1/wallet and /admin/economy, tied to the services' output (src/http/response-schema.ts). */
const USER = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";
const perCurrency = z.object(Object.fromEntries(CURRENCIES.map((c) => [c, z.number().int()])) as Record<(typeof CURRENCIES)[number], z.ZodNumber>).strict();
const balancesExample = { tokens: 100, diamonds: 20, keys: 4, inr: 0 };

/** Keys regenerate over time: the balance now, the cap, when the next one arrives. */
export const keyStatusSchema = z
  .object({ balance: z.number().int(), cap: z.number().int(), next_at: z.iso.datetime().nullable().meta({ description: "null at the cap" }), interval_seconds: z.number().int() })
  .strict();
export const keyStatusExample = { balance: 4, cap: 5, next_at: "2026-01-01T14:00:00.000Z", interval_seconds: 7200 };

export const walletResponse = responseOf<Wallet>()(
  z
    .object({ user_id: z.string(), balances: perCurrency, held: perCurrency.meta({ description: "amounts held for pending deals, not spendable" }), keys: keyStatusSchema, flagged: z.boolean() })
    .strict()
    .meta({ id: "Wallet", example: { user_id: USER, balances: balancesExample, held: { tokens: 0, diamonds: 0, keys: 0, inr: 0 }, keys: keyStatusExample, flagged: false } }),
);

export const ledgerPageResponse = responseOf<{ items: LedgerEntry[]; next_cursor: string | null }>()(
  pageOf(
    z
      .object({
        id: z.string(),
        transfer_id: z.string(),
        currency: z.enum(CURRENCIES),
        amount: z.number().int().meta({ description: "signed: negative when this wallet paid" }),
        balance_after: z.number().int(),
        reason: z.string(),
        ref: z.string().nullable(),
        created_at: isoDateTime,
      })
      .strict(),
  ).meta({ id: "LedgerPage", example: { items: [{ id: "t1:credit", transfer_id: "t1", currency: "tokens", amount: 100, balance_after: 100, reason: "welcome", ref: null, created_at: AT }], next_cursor: null } }),
);

export const reconcileResponse = responseOf<ReconcileReport>()(
  z
    .object({
      ok: z.boolean(),
      accounts_checked: z.number().int().min(0),
      mismatches: z.array(
        z
          .object({
            kind: z.enum(["account_balance", "currency_sum", "held"]),
            account: z.string().optional(),
            currency: z.enum(CURRENCIES).optional(),
            stored: z.number().optional(),
            expected: z.number(),
            actual: z.number(),
          })
          .strict(),
      ),
    })
    .strict()
    .meta({ id: "ReconcileReport", example: { ok: true, accounts_checked: 12, mismatches: [] } }),
);

const accountRef = z.union([z.object({ user_id: z.string() }).strict(), z.object({ system: z.enum(SYSTEM_ACCOUNTS) }).strict()]);
export const transferResponse = responseOf<ReturnType<typeof transferJson>>()(
  z
    .object({
      id: z.string(),
      currency: z.enum(CURRENCIES),
      amount: z.number().int().min(1),
      debit: accountRef,
      credit: accountRef,
      reason: z.string(),
      ref: z.string().nullable(),
      created_at: isoDateTime,
      balances: z.record(z.string(), z.number()).meta({ description: "balances after the transfer, by account" }),
    })
    .strict()
    .meta({
      id: "Transfer",
      example: { id: "admin_grant:7f3c", currency: "tokens", amount: 50, debit: { system: "promo" }, credit: { user_id: USER }, reason: "goodwill", ref: "admin:" + USER, created_at: AT, balances: { [USER]: 150 } },
    }),
);
