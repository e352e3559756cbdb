/**
 * Runs one command: resolves the session and transaction it belongs to, calls the handler, journals the
 * writes it produced, and shapes errors the way mongod does (codes, codeName, transaction error labels).
 */
import { Long, type Document } from "bson";
import type { JournalRecord } from "./journal.types";
import { COMMANDS } from "./commands";
import type { CommandContext, ServerInfo } from "./commands/context";
import type { CursorStore } from "./commands/cursors";
import { failCommandAction, withFailPoint } from "./commands/failpoints";
import { runRetryableWrite } from "./commands/retryable";
import { sessionKey } from "./commands/sessions";
import { MEMORY_ONLY, type Engine } from "./engine/engine";
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

/**
 * Per-command state. A class rather than an object literal with a `flush` closure: the hot path then
 * allocates one object per command and no function.
 */
class Ctx implements CommandContext {
  readonly rec: JournalRecord[] = [];
  /** journal appends issued so far; null until the first, so read-only commands allocate nothing */
  appends: Promise<void>[] | null = null;
  txn?: Txn;

  constructor(
    readonly env: DispatchEnv,
    readonly engine: Engine,
    readonly db: string,
    readonly connectionId: number,
    readonly session: Session | undefined,
  ) {}

  get cursors(): CursorStore {
    return this.env.cursors;
  }

  get server(): ServerInfo {
    return this.env.server;
  }

  flush(): void {
    const rec = this.rec;
    if (rec.length === 0) return;
    const persistence = this.engine.persistence;
    if (persistence === MEMORY_ONLY) {
      // nothing to make durable: drop the records instead of handing them to a no-op journal
      rec.length = 0;
      return;
    }
    (this.appends ??= []).push(persistence.append(rec.splice(0)));
    this.env.afterAppend?.();
  }
}

/**
 * Runs one command. Returns the reply directly when nothing needs awaiting (a synchronous handler in memory
 * mode, the common case for reads), so the caller can answer in the same tick without promise machinery.
 */
export function dispatch(env: DispatchEnv, db: string, cmd: Document, connectionId: number): Document | Promise<Document> {
  let name: string | undefined;
  // for-in instead of Object.keys: no array per command; own keys come first, and only an own key names one
  for (const k in cmd) {
    if (Object.hasOwn(cmd, k)) name = k;
    break;
  }
  const handler = name === undefined ? undefined : COMMANDS.get(name);
  if (!handler || name === undefined) {
    return { ok: 0, errmsg: `no such command: '${name ?? ""}'`, code: 59, codeName: "CommandNotFound" };
  }
  // a retried write that already executed is answered from the session's record (checked before the fail
  // point, which then sees the command once, when it actually executes)
  const retried = runRetryableWrite(env.engine, name, cmd, () => dispatch(env, db, cmd, connectionId));
  if (retried) return retried;
  const fp = failCommandAction(env.engine, name, cmd, connectionId);
  if (fp) return withFailPoint(fp, cmd, () => dispatch(env, db, cmd, connectionId));
  const sid = sessionKey(cmd.lsid);
  const session = sid ? env.engine.session(sid) : undefined;
  const ctx = new Ctx(env, env.engine, db, connectionId, session);
  let pending: Document | Promise<Document>;
  try {
    ctx.txn = resolveTxn(env, name, cmd, session);
    pending = handler(cmd, ctx);
  } catch (err) {
    return failed(env, ctx, name, err);
  }
  if (pending instanceof Promise) return pending.then((reply) => finish(ctx, reply), (err) => failed(env, ctx, name, err));
  // a synchronous handler changed memory in this very step: journal now, before anything else runs
  return finish(ctx, pending);
}

function finish(ctx: Ctx, reply: Document): Document | Promise<Document> {
  const txn = ctx.txn;
  if (txn && txn.state === "active" && Array.isArray(reply.writeErrors) && reply.writeErrors.length) {
    // any failed statement aborts the transaction in mongod
    ctx.engine.abortTxn(txn);
  }
  ctx.flush();
  const appends = ctx.appends;
  if (appends === null) return reply;
  const done = appends.length === 1 ? appends[0] : Promise.all(appends);
  return done.then(
    () => reply,
    (e) => journalFailed(ctx.env, e),
  );
}

function journalFailed(env: DispatchEnv, e: unknown): Document {
  env.logger.error("journal append failed", e);
  return new MongoServerError("InternalError", `journal append failed: ${(e as Error).message}`).toReply();
}

function failed(env: DispatchEnv, ctx: Ctx, name: string, err: unknown): Document | Promise<Document> {
  // writes applied before the failure (e.g. an implicitly created collection) are still journaled
  let appends: Promise<void>[] | null;
  try {
    ctx.flush();
    appends = ctx.appends;
  } catch (e) {
    return journalFailed(env, e);
  }
  if (appends === null) return errorReply(env, ctx, name, err);
  return Promise.all(appends).then(
    () => errorReply(env, ctx, name, err),
    (e) => journalFailed(env, e),
  );
}

function errorReply(env: DispatchEnv, ctx: Ctx, name: string, err: unknown): Document {
  const txn = ctx.txn;
  const e = toServerError(err);
  if (!(err instanceof MongoServerError)) env.logger.error(`command ${name} failed`, err);
  if (txn && txn.state === "active" && name !== "commitTransaction") env.engine.abortTxn(txn, e);
  const reply = e.toReply();
  if (txn && (e.code === 112 || e.code === 251) && !reply.errorLabels) reply.errorLabels = ["TransientTransactionError"];
  if (!txn && e.code === 112) delete reply.errorLabels;
  return reply;
}
