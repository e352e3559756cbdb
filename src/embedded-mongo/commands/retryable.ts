/**
 * Retryable writes: a write sent with `lsid` + `txnNumber` (and no `autocommit`) executes at most once per
 * session and transaction number. The driver resends it after a network error or a retryable error label;
 * if the first attempt already executed (its reply was lost), mongod answers from its record of that
 * execution instead of writing again. The store keeps the last such write and its reply per session, and
 * journals it in the write's own batch (`retryableWriteRecord`), so the answer survives a restart too.
 */
import { Long, type Document } from "bson";
import { MongoServerError } from "../engine/errors";
import { retryableWriteRecord, type Engine } from "../engine/engine";
import type { JournalRecord } from "../journal.types";
import { sessionKey } from "./sessions";

/** The commands the retryable-writes spec lets the driver retry. */
const RETRYABLE = new Set(["insert", "update", "delete", "findAndModify", "findandmodify"]);

/** Commands already being executed on behalf of runRetryableWrite, so the re-dispatch runs them as is. */
const executing = new WeakSet<Document>();

function txnNumberOf(cmd: Document): bigint | undefined {
  const t = cmd.txnNumber;
  if (Long.isLong(t)) return t.toBigInt();
  if (typeof t === "number" && Number.isInteger(t)) return BigInt(t);
  return undefined;
}

/**
 * Runs a retryable write once per (session, txnNumber), or returns null when `cmd` is not one (no session,
 * no txnNumber, part of a transaction, not a write). `run` dispatches the command itself.
 */
export function runRetryableWrite(
  engine: Engine,
  name: string,
  cmd: Document,
  run: () => Document | Promise<Document>,
): Document | Promise<Document> | null {
  if (cmd.autocommit !== undefined || !RETRYABLE.has(name) || executing.has(cmd)) return null;
  const txnNumber = txnNumberOf(cmd);
  const sid = sessionKey(cmd.lsid);
  if (txnNumber === undefined || sid === undefined) return null;
  const session = engine.session(sid);
  const last = session.lastWrite;
  if (last && last.txnNumber === txnNumber) return last.reply;
  if (txnNumber < session.txnNumber) {
    return new MongoServerError("TransactionTooOld", `Cannot start transaction ${txnNumber} on session ${sid} because a newer transaction ${session.txnNumber} has already started.`).toReply();
  }
  session.txnNumber = txnNumber;
  executing.add(cmd);
  const reply = run();
  const record = (r: Document): Document => {
    // a failed command executed nothing (statement failures are writeErrors inside an ok reply), so a retry
    // must run it again rather than replay the error
    if (r.ok !== 1 && session.lastWrite?.txnNumber === txnNumber) session.lastWrite = undefined;
    return r;
  };
  if (reply instanceof Promise) {
    const settled = reply.then(record);
    session.lastWrite = { txnNumber, reply: settled };
    // once settled, keep the plain reply so a late retry does not hold on to the promise chain
    void settled.then((r) => {
      if (session.lastWrite?.reply === settled && r.ok === 1) session.lastWrite = { txnNumber, reply: r };
    });
    return settled;
  }
  if (reply.ok === 1) session.lastWrite = { txnNumber, reply };
  return reply;
}

/**
 * The journal record of a retryable write that just executed with `reply`, or undefined when `cmd` is not
 * one being executed by runRetryableWrite. Goes into the write's own batch: the write and the record of
 * its execution are recovered together or not at all.
 */
export function retryableRecordFor(cmd: Document, reply: Document, lastUse: number): JournalRecord | undefined {
  if (reply.ok !== 1 || !executing.has(cmd)) return undefined;
  const sid = sessionKey(cmd.lsid);
  const txnNumber = txnNumberOf(cmd);
  if (sid === undefined || txnNumber === undefined) return undefined;
  return retryableWriteRecord(sid, txnNumber, reply, lastUse);
}
