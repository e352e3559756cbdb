import mongoose, { type ClientSession } from "mongoose";

export type Session = ClientSession;

/**
 * Run `fn` as one MongoDB transaction: every write made with the given session commits together or
 * not at all. The driver re-runs `fn` on a TransientTransactionError (a WriteConflict between two
 * transactions) and retries the commit on UnknownTransactionCommitResult, so `fn` must be safe to
 * run more than once: no side effects outside the session (events, sends) until it resolves.
 * Works the same on a real MongoDB replica set and on the embedded store.
 */
export async function inTransaction<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = await mongoose.startSession();
  try {
    return await session.withTransaction(fn, {
      readConcern: { level: "snapshot" },
      writeConcern: { w: "majority" },
      readPreference: "primary",
    });
  } finally {
    await session.endSession();
  }
}
