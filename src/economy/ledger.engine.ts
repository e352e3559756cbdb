import { AsyncLocalStorage } from "node:async_hooks";
import { randomInt } from "node:crypto";
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
  /** account key -> version read (0: not stored; versions are random, see nextVersion) */
  readonly baseVersion = new Map<string, number>();
  readonly dirtyAccounts = new Set<string>();
  readonly newTransfers: TransferRecord[] = [];
  readonly entries: EntryDraft[] = [];
  /** hold id -> status read (null: not stored) */
  readonly baseHoldStatus = new Map<string, string | null>();
  readonly dirtyHolds = new Set<string>();

  /** account key -> the version this attempt writes */
  private readonly writtenVersion = new Map<string, number>();
  /** accounts taken from the engine's cache rather than read in this transaction */
  readonly cachedKeys = new Set<string>();

  constructor(
    readonly session: ClientSession,
    readonly now: Date,
    private readonly cache: AccountCache | null,
  ) {}

  /** Read the documents with these ids not yet known to this batch into `into` (null: absent); returns the ids read. */
  private async readInto<T extends { _id: string }>(
    collection: { find(filter: never, opts: object): { toArray(): Promise<unknown[]> } },
    into: Map<string, T | null>,
    ids: string[],
  ): Promise<string[]> {
    if (ids.length === 0) return ids;
    const docs = (await collection.find({ _id: { $in: ids } } as never, { session: this.session }).toArray()) as T[];
    for (const id of ids) into.set(id, null);
    for (const d of docs) into.set(d._id, d);
    return ids;
  }

  private unknown<T>(ids: string[], known: Map<string, T>): string[] {
    return [...new Set(ids)].filter((id) => !known.has(id));
  }

  async loadAccounts(keys: string[]): Promise<void> {
    const missing = this.unknown(keys, this.accounts).filter((k) => {
      const hit = this.cache?.get(k);
      if (!hit) return true;
      this.accounts.set(k, hit);
      this.baseVersion.set(k, hit.version);
      this.cachedKeys.add(k);
      return false;
    });
    for (const k of await this.readInto(AccountModel.collection, this.accounts, missing)) this.baseVersion.set(k, this.accounts.get(k)?.version ?? 0);
  }

  async loadTransfers(ids: string[]): Promise<void> {
    await this.readInto(TransferModel.collection, this.transfers, this.unknown(ids, this.transfers));
  }

  async loadHolds(ids: string[]): Promise<void> {
    for (const k of await this.readInto(HoldModel.collection, this.holds, this.unknown(ids, this.holds))) this.baseHoldStatus.set(k, this.holds.get(k)?.status ?? null);
  }

  /** The committed state of every account this batch read or wrote (for the engine's cache). */
  committedAccounts(): AccountState[] {
    const out: AccountState[] = [];
    for (const [key, acc] of this.accounts) {
      if (!acc) continue;
      const version = this.writtenVersion.get(key);
      out.push(version === undefined ? acc : { ...acc, version, updated_at: this.now });
    }
    return out;
  }

  /** Write everything this attempt changed, in the transaction. */
  async flush(): Promise<void> {
    const { session, now } = this;
    const inserts: AccountState[] = [];
    const updates: Array<{ updateOne: { filter: object; update: object } }> = [];
    for (const key of this.dirtyAccounts) {
      const acc = this.accounts.get(key)!;
      const base = this.baseVersion.get(key) ?? 0;
      const doc = { ...acc, version: nextVersion(), updated_at: now };
      this.writtenVersion.set(key, doc.version);
      if (base === 0) inserts.push(doc);
      else {
        // only what a posting changes: smaller updates, less to serialize and journal
        const { balance, held, flagged, regen_anchor, version, updated_at } = doc;
        updates.push({ updateOne: { filter: { _id: key, version: base }, update: { $set: { balance, held, flagged, regen_anchor, version, updated_at } } } });
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

/**
 * A fresh random version per write, never a counter: an account deleted and re-created (a wiped
 * database, a test reset) can never come back with the version a cache or a reader remembers.
 */
function nextVersion(): number {
  return randomInt(1, 2 ** 48);
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
  private readonly touched = new Set<string>();

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
    this.touched.add(key);
    const local = this.accounts.get(key);
    if (local) return local;
    if (!this.batch.accounts.has(key)) await this.batch.loadAccounts([key]);
    return this.batch.accounts.get(key) ?? newAccountState(key, currency, this.now);
  }

  /** Did this operation see an account from the cache (which another process may have changed)? */
  usedCache(): boolean {
    for (const k of this.touched) if (this.batch.cachedKeys.has(k)) return true;
    return false;
  }

  /** Stored accounts only (no fresh ones), for read-mostly operations. */
  async existingAccount(key: string): Promise<AccountState | null> {
    this.touched.add(key);
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
    const owner = (acc: AccountState) => (acc.user_id === null ? {} : { user_id: acc.user_id });
    this.entries.push({ ...base, account: debit._id, ...owner(debit), amount: -p.amount, balance_after: debit.balance });
    this.entries.push({ ...base, account: credit._id, ...owner(credit), amount: p.amount, balance_after: credit.balance });
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

/**
 * The last committed state of recently used accounts, so a batch need not read them again. Safe
 * because it is only a guess: every write is conditional on the cached version (a stale entry makes
 * the batch fail and re-run from fresh reads), and a refusal (insufficient funds, flagged) decided
 * on a cached account is re-checked against fresh reads before it is answered.
 */
class AccountCache {
  private readonly map = new Map<string, AccountState>();
  constructor(private readonly capacity: number) {}

  get(key: string): AccountState | undefined {
    return this.map.get(key);
  }

  store(accounts: AccountState[]): void {
    for (const acc of accounts) {
      this.map.delete(acc._id); // re-insert: Map order is the eviction order
      this.map.set(acc._id, acc);
    }
    for (const key of this.map.keys()) {
      if (this.map.size <= this.capacity) break;
      this.map.delete(key);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

/** Accounts kept in the cache: ~1 KB each, so about 100 MB at most. */
const CACHE_CAPACITY = 100_000;

/** After a stale cache hit, this many batches read fresh (another process is writing the same accounts). */
const CACHE_BYPASS_BATCHES = 32;

/** Refusals that read account state (the only state the cache holds). */
function dependsOnBalances(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "insufficient_funds" || code === "wallet_flagged" || code === "amount_overflow";
}

/** A refusal decided on cached state: re-run the batch on fresh reads before answering it. */
class VerifyFresh extends Error {}

/** Batches larger than this gain little and hold the transaction open longer. */
const MAX_BATCH = 512;
/** Re-runs after stale reads or id races before the batch gives up with the error. */
const MAX_ATTEMPTS = 50;

/** Set while an operation runs: a ledger call from inside it (e.g. from a withTransfer write) would wait for its own batch forever. */
const runningOp = new AsyncLocalStorage<true>();

export class LedgerEngine {
  private readonly queue: PendingOp[] = [];
  private draining = false;
  private readonly cache = new AccountCache(CACHE_CAPACITY);
  /** the accounts of the attempt that committed (set inside the transaction, stored after it) */
  private pendingCache: AccountState[] = [];
  /**
   * Batches left that read fresh instead of trusting the cache. A single writer (the embedded
   * store belongs to one process) never sees a stale entry; with several processes on one MongoDB
   * a stale hit costs a re-run, so after one the engine reads fresh for a while.
   */
  private cacheBypass = 0;
  /** counters for benchmarks and diagnostics: committed batches, operations in them, re-runs by cause */
  readonly stats = { batches: 0, ops: 0, stale: 0, verify: 0, conflicts: 0 };

  constructor(private readonly maxBatch = MAX_BATCH) {}

  submit<R>(op: OpDef<R>): Promise<R> {
    if (runningOp.getStore()) {
      return Promise.reject(new Error("A ledger call inside a withTransfer write would wait for its own batch: pass all transfers to withTransfer instead."));
    }
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
    let runs = this.cacheBypass > 0 ? 1 : 0;
    if (this.cacheBypass > 0) this.cacheBypass--;
    for (let attempt = 1; live.length > 0; attempt++) {
      try {
        // the first run of a batch trusts the cache; any re-run (a conflict, a stale version, a
        // refusal to verify) reads everything fresh
        let calls = 0;
        const outcomes = await inTransaction((session) => {
          if (calls++ > 0) this.stats.conflicts++; // the driver re-ran it after a WriteConflict
          return this.attempt(session, live, runs++ === 0);
        });
        this.cache.store(this.pendingCache);
        this.stats.batches++;
        this.stats.ops += live.length;
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
        if (err instanceof StaleRead && runs === 1) this.cacheBypass = CACHE_BYPASS_BATCHES;
        if (err instanceof StaleRead) this.stats.stale++;
        if (err instanceof VerifyFresh) this.stats.verify++;
        if (isDuplicateKeyError(err)) this.stats.conflicts++;
        if ((err instanceof StaleRead || err instanceof VerifyFresh || isDuplicateKeyError(err)) && attempt < MAX_ATTEMPTS) continue;
        this.cache.clear();
        logger.error({ err, ops: live.length }, "ledger batch failed");
        for (const op of live) op.reject(err);
        return;
      }
    }
  }

  private async attempt(session: ClientSession, ops: PendingOp[], trustCache: boolean): Promise<Outcome[]> {
    const batch = new BatchState(session, clock.now(), trustCache ? this.cache : null);
    await batch.loadAccounts(ops.flatMap((o) => o.accounts ?? []));
    await batch.loadTransfers(ops.flatMap((o) => o.transfers ?? []));
    await batch.loadHolds(ops.flatMap((o) => o.holds ?? []));
    const outcomes: Outcome[] = [];
    for (const op of ops) {
      const tx = new LedgerTx(batch);
      try {
        const value = await runningOp.run(true, () => op.run(tx));
        tx.merge();
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (isTransient(error) || error instanceof StaleRead) throw error;
        if (tx.externalWrites) throw new OperationFailed(op, error);
        if (dependsOnBalances(error) && tx.usedCache()) throw new VerifyFresh();
        outcomes.push({ ok: false, error });
      }
    }
    await batch.flush();
    this.pendingCache = batch.committedAccounts();
    return outcomes;
  }
}

/** The process's engine: one batch in flight at a time. */
export const ledgerEngine = new LedgerEngine();
