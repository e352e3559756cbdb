/**
 * Multi-document transactions: snapshot reads at the commit sequence current when the transaction started,
 * eager per-document write locks (first writer wins, as in WiredTiger), and commit as one atomic batch.
 */
import type { Document } from "bson";
import { fail, MongoServerError } from "./errors";
import type { Collection } from "./collection";

export type TxnState = "active" | "committed" | "aborted";

/** mongod's logicalSessionTimeoutMinutes: an idle session, and its retryable-write record, expire after it */
export const SESSION_TIMEOUT_MINUTES = 30;
export const SESSION_TIMEOUT_MS = SESSION_TIMEOUT_MINUTES * 60_000;

export class Txn {
  state: TxnState = "active";
  /** per collection: id → after-image (null = deleted) */
  readonly writes = new Map<Collection, Map<string, Document | null>>();
  readonly started = Date.now();
  private resolveDone!: () => void;
  /** settles when the transaction commits or aborts; non-transactional writers blocked on a lock wait on it */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));
  /** the command that aborted it, so later statements report why */
  abortReason?: MongoServerError;

  constructor(
    readonly session: Session,
    readonly txnNumber: bigint,
    readonly snapshot: number,
  ) {}

  overlay(coll: Collection): Map<string, Document | null> | undefined {
    return this.writes.get(coll);
  }

  overlayFor(coll: Collection): Map<string, Document | null> {
    let m = this.writes.get(coll);
    if (!m) this.writes.set(coll, (m = new Map()));
    return m;
  }

  finish(state: "committed" | "aborted"): void {
    if (this.state !== "active") return;
    this.state = state;
    for (const [coll, m] of this.writes) {
      for (const id of m.keys()) if (coll.locks.get(id) === this) coll.locks.delete(id);
    }
    this.resolveDone();
  }
}

export class Session {
  txnNumber = -1n;
  txn?: Txn;
  lastUse = Date.now();
  /**
   * The last retryable write (txnNumber outside a transaction) and its reply, so a retry after a lost reply
   * gets the original answer instead of executing again. A promise while the first attempt is in flight.
   */
  lastWrite?: { txnNumber: bigint; reply: Document | Promise<Document> };
  /** serializes commands of one session (the driver never overlaps them, but a misbehaving client may) */
  tail: Promise<unknown> = Promise.resolve();

  constructor(readonly id: string) {}
}

export function noSuchTransaction(txnNumber: bigint | number, detail = ""): MongoServerError {
  return new MongoServerError("NoSuchTransaction", `Transaction with { txnNumber: ${txnNumber} } has been aborted.${detail}`, {
    errorLabels: ["TransientTransactionError"],
  });
}

export function assertActive(txn: Txn): void {
  if (txn.state === "aborted") throw txn.abortReason ? noSuchTransaction(txn.txnNumber) : noSuchTransaction(txn.txnNumber);
  if (txn.state === "committed") fail("IllegalOperation", `Transaction ${txn.txnNumber} has been committed.`);
}
