/**
 * Contract between the in-memory engine and the durability layer (journal.ts).
 *
 * The engine applies a write in memory, hands the resulting after-images to the journal as ONE batch,
 * and replies to the client only after `append()` resolves. A batch is atomic on recovery: either every
 * record of it is recovered or none (a torn batch at the tail is dropped and reported).
 * A committed transaction is one batch; a single insert/update/delete command is one batch.
 */
import type { Document, Long } from "bson";

export type JournalRecord =
  /** full after-image of a document, keyed by doc._id (insert, update, upsert, replace) */
  | { op: "put"; db: string; coll: string; doc: Document }
  /** document removed; `id` is the document's _id value */
  | { op: "del"; db: string; coll: string; id: unknown }
  | { op: "createCollection"; db: string; coll: string; options?: Document }
  | { op: "dropCollection"; db: string; coll: string }
  | { op: "dropDatabase"; db: string }
  /** index spec as given to createIndexes: { key, name, unique?, sparse?, partialFilterExpression?, expireAfterSeconds?, ... } */
  | { op: "createIndex"; db: string; coll: string; spec: Document }
  | { op: "dropIndex"; db: string; coll: string; name: string }
  /** collMod: the collection's (or view's) options from now on, replacing the previous ones */
  | { op: "collMod"; db: string; coll: string; options: Document }
  /**
   * a retryable write's outcome (mongod's config.transactions entry): session `lsid` (hex of its UUID)
   * executed `txnNumber` with `reply`, last used at `at`; journaled in the write's own batch
   */
  | { op: "retryableWrite"; db: "config"; lsid: string; txnNumber: Long; reply: Document; at: Date };

/** always: fsync before acknowledging; batch (default): group commit, one fsync per flush window, still before ack; never: leave it to the OS. */
export type FsyncPolicy = "always" | "batch" | "never";

export interface JournalOptions {
  dir: string;
  fsync?: FsyncPolicy;
  /** compact (snapshot + truncate journal) when the journal grows past this many bytes */
  compactAfterBytes?: number;
}

export interface RecoveryReport {
  batchesReplayed: number;
  recordsReplayed: number;
  snapshotLoaded: boolean;
  /** set when the journal tail was torn/corrupt: bytes after the last valid batch were ignored */
  corruptTail?: { offset: number; bytesIgnored: number; reason: string };
}

export interface Journal {
  /** durable per policy when resolved; resolution order equals call order */
  append(batch: JournalRecord[]): Promise<void>;
  /** write a full snapshot from `dump` (every live collection, index and document as records) and reset the journal */
  compact(dump: () => Iterable<JournalRecord>): Promise<void>;
  /** bytes currently in the journal file since the last snapshot */
  readonly journalBytes: number;
  close(): Promise<void>;
}

/**
 * journal.ts exports:
 *   openJournal(opts: JournalOptions, apply: (rec: JournalRecord) => void): Promise<{ journal: Journal; report: RecoveryReport }>
 * `apply` is called for every recovered record in order (snapshot first, then journal batches) before the promise resolves.
 */
export type OpenJournal = (
  opts: JournalOptions,
  apply: (rec: JournalRecord) => void,
) => Promise<{ journal: Journal; report: RecoveryReport }>;
