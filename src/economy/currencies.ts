import { config } from "../config";
import type { RegenPolicy } from "./key-regen.rules";
import type { Currency } from "./economy.types";

/**
 * Currencies as data: what each one is and whether it regenerates. Amounts are always integers in
 * the minor unit named here.
 */
export interface CurrencyDef {
  code: Currency;
  unit: string;
  /** present for regenerating currencies (keys): cap and interval come from configuration */
  regen?: () => RegenPolicy;
}

export const CURRENCY_DEFS: Readonly<Record<Currency, CurrencyDef>> = {
  tokens: { code: "tokens", unit: "token" },
  diamonds: { code: "diamonds", unit: "diamond" },
  keys: {
    code: "keys",
    unit: "key",
    regen: () => ({ cap: config().KEYS_REGEN_CAP, intervalMs: config().KEYS_REGEN_INTERVAL_SECONDS * 1000 }),
  },
  inr: { code: "inr", unit: "paisa" },
};

export function regenPolicyOf(currency: Currency): RegenPolicy | undefined {
  return CURRENCY_DEFS[currency].regen?.();
}

/** Welcome grants as data: every new user gets these once, each a ledger transfer from promo. */
export const WELCOME_GRANTS: ReadonlyArray<{ currency: Currency; amount: number }> = [
  { currency: "tokens", amount: 100 },
  { currency: "keys", amount: 5 },
];
