/** The economy's public surface (ECONOMY-CONTRACT.md): everything other features use comes from here. */
export type {
  AccountRef,
  CaptureOptions,
  Currency,
  Hold,
  HoldSpec,
  HoldStatus,
  LedgerEntry,
  ReconcileReport,
  SystemAccount,
  TransferResult,
  TransferSpec,
  Wallet,
} from "./economy.types";
export { CURRENCIES, SYSTEM_ACCOUNTS } from "./economy.types";
export { CURRENCY_DEFS, WELCOME_GRANTS } from "./currencies";
export { transfer, transferBatch, withTransfer, clawback, unflagWallet, grantWelcome, getWallet, listLedger } from "./ledger.service";
export { hold, captureHold, releaseHold, getHold, sweepExpiredHolds } from "./holds.service";
export { reconcile } from "./reconcile.service";
export { transferJson } from "./economy.router";
export { accountRefSchema, amountSchema, transferSpecSchema } from "./ledger.rules";
