import type { ClientSession } from "mongoose";
import { inTransaction } from "../infra/transaction";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { logger } from "../logger";
import { AccountModel, EntryModel, HoldModel, TransferModel, type HoldDoc } from "./ledger.model";
import {
  accountKey,
  applyRegeneration,
  creditAccount,
  debitAccount,
  newAccountState,
  sameTransferBody,
  transferIdReused,
  type AccountState,
  type DebitOptions,
  type EntryDraft,
  type TransferRecord,
} from "./ledger.rules";
import type { AccountRef, Currency, TransferSpec } from "./economy.types";

/**
 * The ledger engine: group commit, the way TigerBeetle batches. Every change to the ledger is an
 * operation submitted here; operations that arrive while a batch is being written wait and then go
 * out together as ONE MongoDB transaction (load the accounts, transfers and holds they name with
 * `$in`, apply each operation in memory in arrival order, write the changed accounts, the new
 * transfers, entries and holds, commit). So:
 *
 * - a hot account (a creator receiving thousands of gifts) is read and written once per batch, not
 *   once per gift: no WriteConflict storm, and the cost of a transfer is a share of a batch;
 * - each operation is all-or-nothing on its own: a failing one (insufficient funds, a reused id)
 *   leaves no trace, and the others in its batch still commit;
 * - correctness never depends on being the only writer: a batch reads under snapshot isolation and
 *   every account write is conditional on the version it read, so two processes (or two engines)
 *   writing the same account make one of them retry from fresh state.
 *
 * An operation may also run caller writes with the batch's session (withTransfer); those commit
 * with the batch. If they fail, the batch is rolled back and re-run without that operation.
 */

/** A ledger reference: a public AccountRef or a hold's own account. */
export type LedgerRef = AccountRef | { hold: string };

export function ledgerKey(ref: LedgerRef, currency: Currency): string {
  return "hold" in ref ? `h:${ref.hold}` : accountKey(ref, currency);
}

export interface Posting {
  id: string;
  debit: LedgerRef;
  credit: LedgerRef;
  currency: Currency;
  amount: number;
  reason: string;
  ref?: string | null;
}

export interface OpDef<R> {
  /** what to load up front (anything else is loaded on first use) */
  accounts?: string[];
  transfers?: string[];
  holds?: string[];
  run(tx: LedgerTx): Promise<R> | R;
}

interface PendingOp<R = unknown> extends OpDef<R> {
  resolve(value: R): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Batch-wide state for one attempt: what was read (with the version read) and what changes. */
class BatchState {
  readonly accounts = new Map<string, AccountState | null>();
  readonly transfers = new Map<string, TransferRecord | null>();
  readonly holds = new Map<string, HoldDoc | null>();
  /** account key -> version read (0: not stored) */
  readonly baseVersion = new Map<string, number>();
  readonly dirtyAccounts = new Set<string>();
  readonly newTransfers: TransferRecord[] = [];
  readonly entries: EntryDraft[] = [];
  /** hold id -> status read (null: not stored) */
  readonly baseHoldStatus = new Map<string, string | null>();
  readonly dirtyHolds = new Set<string>();

  constructor(
    readonly session: ClientSession,
    readonly now: Date,
  ) {}

  async loadAccounts(keys: string[]): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.accounts.has(k));
    if (missing.length === 0) return;
    const docs = (await AccountModel.collection.find({ _id: { $in: missing } } as never, { session: this.session }).toArray()) as unknown as AccountState[];
    for (const k of missing) this.accounts.set(k, null);
    for (const d of docs) this.accounts.set(d._id, d);
    for (const k of missing) this.baseVersion.set(k, this.accounts.get(k)?.version ?? 0);
  }

  async loadTransfers(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((k) => !this.transfers.has(k));
    if (missing.length === 0) return;
    const docs = (await TransferModel.collection.find({ _id: { $in: missing } } as never, { session: this.session }).toArray()) as unknown as TransferRecord[];
    for (const k of missing) this.transfers.set(k, null);
    for (const d of docs) this.transfers.set(d._id, d);
  }

  async loadHolds(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((k) => !this.holds.has(k));
    if (missing.length === 0) return;
    const docs = (await HoldModel.collection.find({ _id: { $in: missing } } as never, { session: this.session }).toArray()) as unknown as HoldDoc[];
    for (const k of missing) this.holds.set(k, null);
    for (const d of docs) this.holds.set(d._id, d);
    for (const k of missing) this.baseHoldStatus.set(k, this.holds.get(k)?.status ?? null);
  }

  /** Write everything this attempt changed, in the transaction. */
  async flush(): Promise<void> {
    const { session, now } = this;
    const inserts: AccountState[] = [];
    const updates: Array<{ updateOne: { filter: object; update: object } }> = [];
    for (const key of this.dirtyAccounts) {
      const acc = this.accounts.get(key)!;
      const base = this.baseVersion.get(key) ?? 0;
      const doc = { ...acc, version: base + 1, updated_at: now };
      if (base === 0) inserts.push(doc);
      else {
        const { _id, ...fields } = doc;
        updates.push({ updateOne: { filter: { _id, version: base }, update: { $set: fields } } });
      }
    }
    if (updates.length > 0) {
      const res = await AccountModel.collection.bulkWrite(updates as never, { session, ordered: false });
      if (res.matchedCount !== updates.length) throw new StaleRead("an account changed since it was read");
    }
    if (inserts.length > 0) await AccountModel.collection.insertMany(inserts as never, { session, ordered: false });
    if (this.newTransfers.length > 0) await TransferModel.collection.insertMany(this.newTransfers as never, { session, ordered: false });
    if (this.entries.length > 0) await EntryModel.collection.insertMany(this.entries as never, { session, ordered: false });
    for (const id of this.dirtyHolds) {
      const hold = this.holds.get(id)!;
      const base = this.baseHoldStatus.get(id) ?? null;
      if (base === null) await HoldModel.collection.insertOne(hold as never, { session });
      else {
        const res = await HoldModel.collection.replaceOne({ _id: id, status: base } as never, hold as never, { session });
        if (res.matchedCount !== 1) throw new StaleRead("a hold changed since it was read");
      }
    }
  }
}

/** Another writer changed something this batch read: re-run the batch from fresh state. */
class StaleRead extends Error {}

/** An operation's own writes failed: roll back and re-run the batch without it. */
class OperationFailed extends Error {
  constructor(
    readonly op: PendingOp,
    readonly failure: unknown,
  ) {
    super("operation failed");
  }
}

function isTransient(err: unknown): boolean {
  const labels = (err as { errorLabels?: unknown })?.errorLabels;
  if (labels instanceof Set) return labels.has("TransientTransactionError");
  return Array.isArray(labels) && labels.includes("TransientTransactionError");
}

/**
 * One operation's view of a batch: reads go through to the batch, changes stay local until the
 * operation succeeds, so a failing operation leaves nothing behind.
 */
export class LedgerTx {
  private readonly accounts = new Map<string, AccountState>();
  private readonly transfers = new Map<string, TransferRecord>();
  private readonly holds = new Map<string, HoldDoc>();
  private readonly entries: EntryDraft[] = [];
  /** set once caller writes ran with the session: a failure then needs a rollback */
  externalWrites = false;

  constructor(private readonly batch: BatchState) {}

  get now(): Date {
    return this.batch.now;
  }

  /** The transaction's session for the caller's own writes. */
  get session(): ClientSession {
    this.externalWrites = true;
    return this.batch.session;
  }

  async account(key: string, currency: Currency): Promise<AccountState> {
    const local = this.accounts.get(key);
    if (local) return local;
    if (!this.batch.accounts.has(key)) await this.batch.loadAccounts([key]);
    return this.batch.accounts.get(key) ?? newAccountState(key, currency, this.now);
  }

  /** Stored accounts only (no fresh ones), for read-mostly operations. */
  async existingAccount(key: string): Promise<AccountState | null> {
    const local = this.accounts.get(key);
    if (local) return local;
    if (!this.batch.accounts.has(key)) await this.batch.loadAccounts([key]);
    return this.batch.accounts.get(key) ?? null;
  }

  setAccount(acc: AccountState): void {
    this.accounts.set(acc._id, acc);
  }

  async transfer(id: string): Promise<TransferRecord | null> {
    const local = this.transfers.get(id);
    if (local) return local;
    if (!this.batch.transfers.has(id)) await this.batch.loadTransfers([id]);
    return this.batch.transfers.get(id) ?? null;
  }

  async hold(id: string): Promise<HoldDoc | null> {
    const local = this.holds.get(id);
    if (local) return local;
    if (!this.batch.holds.has(id)) await this.batch.loadHolds([id]);
    return this.batch.holds.get(id) ?? null;
  }

  setHold(doc: HoldDoc): void {
    this.holds.set(doc._id, { ...doc, updated_at: this.now });
  }

  /** Is this transfer already applied with the same body? Throws `transfer_id_reused` on a different body. */
  async existing(spec: TransferSpec): Promise<TransferRecord | null> {
    const found = await this.transfer(spec.id);
    if (found && !sameTransferBody(found, spec)) throw transferIdReused(spec.id);
    return found;
  }

  /** Apply keys regeneration to an account before it is read for a change; recorded as a transfer from issuance. */
  async regenerated(key: string, currency: Currency): Promise<AccountState> {
    const acc = await this.account(key, currency);
    const { account, gained, fromAnchor } = applyRegeneration(acc, this.now);
    if (account === acc) return acc;
    if (gained === 0) {
      this.setAccount(account);
      return account;
    }
    const issuanceKey = accountKey({ system: "issuance" }, currency);
    const issuance = debitAccount(await this.account(issuanceKey, currency), gained, this.now);
    this.setAccount(issuance);
    this.setAccount(account);
    const id = `regen:${key}:${fromAnchor}`;
    this.record({ id, debit: { system: "issuance" }, credit: { userId: acc.user_id! }, currency, amount: gained, reason: "key_regen" }, issuance, account);
    return account;
  }

  /** Post one balanced transfer (not yet applied: the caller checked `existing`). */
  async post(p: Posting, opts: DebitOptions & { heldDelta?: { key: string; delta: number } } = {}): Promise<TransferRecord> {
    const debitKey = ledgerKey(p.debit, p.currency);
    const creditKey = ledgerKey(p.credit, p.currency);
    const debit = debitAccount(await this.regenerated(debitKey, p.currency), p.amount, this.now, opts);
    this.setAccount(debit);
    const credit = creditAccount(await this.regenerated(creditKey, p.currency), p.amount, this.now);
    this.setAccount(credit);
    if (opts.heldDelta) {
      const acc = await this.account(opts.heldDelta.key, p.currency);
      this.setAccount({ ...acc, held: acc.held + opts.heldDelta.delta });
    }
    return this.record(p, this.accounts.get(debitKey)!, this.accounts.get(creditKey)!);
  }

  private record(p: Posting, debit: AccountState, credit: AccountState): TransferRecord {
    const ref = p.ref ?? null;
    const balances: Record<string, number> = {};
    for (const acc of [debit, credit]) if (acc.kind === "user") balances[acc.user_id!] = acc.balance;
    const rec: TransferRecord = {
      _id: p.id,
      debit: p.debit as AccountRef,
      credit: p.credit as AccountRef,
      debit_account: debit._id,
      credit_account: credit._id,
      currency: p.currency,
      amount: p.amount,
      reason: p.reason,
      ref,
      created_at: this.now,
      balances,
    };
    this.transfers.set(p.id, rec);
    const base = { currency: p.currency, transfer_id: p.id, reason: p.reason, ref, created_at: this.now };
    this.entries.push({ ...base, account: debit._id, user_id: debit.user_id, amount: -p.amount, balance_after: debit.balance });
    this.entries.push({ ...base, account: credit._id, user_id: credit.user_id, amount: p.amount, balance_after: credit.balance });
    return rec;
  }

  /** The operation succeeded: its changes join the batch. */
  merge(): void {
    const b = this.batch;
    for (const [k, acc] of this.accounts) {
      if (!b.baseVersion.has(k)) b.baseVersion.set(k, 0);
      b.accounts.set(k, acc);
      b.dirtyAccounts.add(k);
    }
    for (const [id, rec] of this.transfers) {
      b.transfers.set(id, rec);
      b.newTransfers.push(rec);
    }
    for (const [id, h] of this.holds) {
      if (!b.baseHoldStatus.has(id)) b.baseHoldStatus.set(id, null);
      b.holds.set(id, h);
      b.dirtyHolds.add(id);
    }
    b.entries.push(...this.entries);
  }
}

/** Batches larger than this gain little and hold the transaction open longer. */
const MAX_BATCH = 512;
/** Re-runs after stale reads or id races before the batch gives up with the error. */
const MAX_ATTEMPTS = 50;

export class LedgerEngine {
  private readonly queue: PendingOp[] = [];
  private draining = false;

  constructor(private readonly maxBatch = MAX_BATCH) {}

  submit<R>(op: OpDef<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ ...op, resolve, reject } as PendingOp);
      if (!this.draining) {
        this.draining = true;
        // let the requests that arrive in this turn of the event loop join the first batch
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runBatch(this.queue.splice(0, this.maxBatch));
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(ops: PendingOp[]): Promise<void> {
    let live = ops;
    for (let attempt = 1; live.length > 0; attempt++) {
      try {
        const outcomes = await inTransaction((session) => this.attempt(session, live));
        live.forEach((op, i) => {
          const o = outcomes[i]!;
          if (o.ok) op.resolve(o.value);
          else op.reject(o.error);
        });
        return;
      } catch (err) {
        if (err instanceof OperationFailed) {
          err.op.reject(err.failure);
          live = live.filter((op) => op !== err.op);
          continue;
        }
        if ((err instanceof StaleRead || isDuplicateKeyError(err)) && attempt < MAX_ATTEMPTS) continue;
        logger.error({ err, ops: live.length }, "ledger batch failed");
        for (const op of live) op.reject(err);
        return;
      }
    }
  }

  private async attempt(session: ClientSession, ops: PendingOp[]): Promise<Outcome[]> {
    const batch = new BatchState(session, clock.now());
    await batch.loadAccounts(ops.flatMap((o) => o.accounts ?? []));
    await batch.loadTransfers(ops.flatMap((o) => o.transfers ?? []));
    await batch.loadHolds(ops.flatMap((o) => o.holds ?? []));
    const outcomes: Outcome[] = [];
    for (const op of ops) {
      const tx = new LedgerTx(batch);
      try {
        const value = await op.run(tx);
        tx.merge();
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (isTransient(error) || error instanceof StaleRead) throw error;
        if (tx.externalWrites) throw new OperationFailed(op, error);
        outcomes.push({ ok: false, error });
      }
    }
    await batch.flush();
    return outcomes;
  }
}

/** The process's engine: one batch in flight at a time. */
export const ledgerEngine = new LedgerEngine();
