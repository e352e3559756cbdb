/**
 * Runs one command: resolves the session and transaction it belongs to, calls the handler, journals the
 * writes it produced, and shapes errors the way mongod does (codes, codeName, transaction error labels).
 */
import { Long, type Document } from "bson";
import type { JournalRecord } from "./journal.types";
import { COMMANDS } from "./commands";
import type { CommandContext, ServerInfo } from "./commands/context";
import type { CursorStore } from "./commands/cursors";
import { sessionKey } from "./commands/sessions";
import type { Engine } from "./engine/engine";
import { fail, MongoServerError, toServerError } from "./engine/errors";
import { noSuchTransaction, type Session, type Txn } from "./engine/transactions";

export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface DispatchEnv {
  engine: Engine;
  cursors: CursorStore;
  server: ServerInfo;
  logger: Logger;
  /** called after a batch was journaled, so the owner can decide to compact */
  afterAppend?: () => void;
}

/** Fields every command may carry that are not part of its own arguments. */
function txnNumberOf(cmd: Document): bigint | undefined {
  const t = cmd.txnNumber;
  if (t === undefined) return undefined;
  if (Long.isLong(t)) return t.toBigInt();
  if (typeof t === "number") return BigInt(t);
  return undefined;
}

/** Commands that may run inside a transaction besides CRUD (mongod's allow-list, abridged). */
const TXN_ALLOWED = new Set([
  "find", "getMore", "killCursors", "insert", "update", "delete", "findAndModify", "findandmodify", "aggregate",
  "count", "distinct", "commitTransaction", "abortTransaction", "create", "createIndexes", "explain",
]);

function resolveTxn(env: DispatchEnv, name: string, cmd: Document, session: Session | undefined): Txn | undefined {
  if (cmd.autocommit === undefined) {
    if (name === "commitTransaction" || name === "abortTransaction") fail("NoSuchTransaction", "no transaction in progress");
    return undefined;
  }
  if (cmd.autocommit !== false) fail("InvalidOptions", "autocommit must be false");
  const txnNumber = txnNumberOf(cmd);
  if (!session || txnNumber === undefined) fail("InvalidOptions", "Transactions require a session id and txnNumber");
  if (!TXN_ALLOWED.has(name)) fail("OperationNotSupportedInTransaction", `Cannot run '${name}' in a multi-document transaction.`);
  if (cmd.startTransaction === true) {
    if (txnNumber < session.txnNumber) {
      fail("TransactionTooOld", `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.txnNumber} has already started.`);
    }
    if (txnNumber === session.txnNumber && session.txn) {
      fail("ConflictingOperationInProgress", `Cannot start transaction ${txnNumber} on session because it has already started.`);
    }
    return env.engine.beginTxn(session, txnNumber);
  }
  const txn = session.txn;
  if (!txn || txn.txnNumber !== txnNumber) {
    throw noSuchTransaction(txnNumber, " Given transaction number does not match any in-progress transactions.");
  }
  if (txn.state === "aborted" && name !== "abortTransaction") throw noSuchTransaction(txnNumber);
  if (txn.state === "committed" && name !== "commitTransaction") {
    fail("TransactionCommitted", `Transaction ${txnNumber} has been committed.`);
  }
  return txn;
}

export async function dispatch(env: DispatchEnv, db: string, cmd: Document, connectionId: number): Promise<Document> {
  const name = Object.keys(cmd)[0];
  const handler = name === undefined ? undefined : COMMANDS.get(name);
  if (!handler) {
    return { ok: 0, errmsg: `no such command: '${name ?? ""}'`, code: 59, codeName: "CommandNotFound" };
  }
  const sid = sessionKey(cmd.lsid);
  const session = sid ? env.engine.session(sid) : undefined;
  let txn: Txn | undefined;
  const rec: JournalRecord[] = [];
  const appends: Promise<void>[] = [];
  const flush = (): void => {
    if (rec.length === 0) return;
    appends.push(env.engine.persistence.append(rec.splice(0)));
    env.afterAppend?.();
  };
  try {
    txn = resolveTxn(env, name, cmd, session);
    const ctx: CommandContext = {
      engine: env.engine,
      db,
      connectionId,
      cursors: env.cursors,
      server: env.server,
      session,
      txn,
      rec,
      flush,
    };
    const pending = handler(cmd, ctx);
    // synchronous handlers changed memory in this very step: journal now, before anything else runs
    if (!(pending instanceof Promise)) flush();
    const reply = await pending;
    if (txn && txn.state === "active" && Array.isArray(reply.writeErrors) && reply.writeErrors.length) {
      // any failed statement aborts the transaction in mongod
      env.engine.abortTxn(txn);
    }
    flush();
    await Promise.all(appends);
    return reply;
  } catch (err) {
    // writes applied before the failure (e.g. an implicitly created collection) are still journaled
    try {
      flush();
      await Promise.all(appends);
    } catch (e) {
      env.logger.error("journal append failed", e);
      return new MongoServerError("InternalError", `journal append failed: ${(e as Error).message}`).toReply();
    }
    const e = toServerError(err);
    if (!(err instanceof MongoServerError)) env.logger.error(`command ${name} failed`, err);
    if (txn && txn.state === "active" && name !== "commitTransaction") env.engine.abortTxn(txn, e);
    const reply = e.toReply();
    if (txn && (e.code === 112 || e.code === 251) && !reply.errorLabels) reply.errorLabels = ["TransientTransactionError"];
    if (!txn && e.code === 112) delete reply.errorLabels;
    return reply;
  }
}
