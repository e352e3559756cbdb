/** Session and transaction commands; the transaction state machine itself lives in dispatch.ts. */
import { UUID, type Document } from "bson";
import { fail } from "../engine/errors";
import { SESSION_TIMEOUT_MINUTES } from "../engine/transactions";
import { explainFind } from "./crud";
import { aggregateCommands } from "./aggregate";
import type { Handler } from "./context";

const commitTransaction: Handler = (_cmd, ctx) => {
  const txn = ctx.txn;
  if (!txn) fail("NoSuchTransaction", "Given transaction number does not match any in-progress transactions.");
  // a retried commit of an already committed transaction succeeds, as the driver's retry relies on it
  if (txn.state === "committed") return { ok: 1 };
  ctx.engine.commitTxn(txn, ctx.rec);
  return { ok: 1 };
};

const abortTransaction: Handler = (_cmd, ctx) => {
  const txn = ctx.txn;
  if (!txn || txn.state === "aborted") fail("NoSuchTransaction", "Transaction has been aborted.");
  if (txn.state === "committed") fail("TransactionCommitted", "Transaction has been committed.");
  ctx.engine.abortTxn(txn);
  return { ok: 1 };
};

const endSessions: Handler = (cmd, ctx) => {
  const ids = Array.isArray(cmd.endSessions) ? cmd.endSessions : [];
  for (const raw of ids) {
    const id = sessionKey(raw);
    const s = id ? ctx.engine.sessions.get(id) : undefined;
    if (s) {
      if (s.txn) ctx.engine.abortTxn(s.txn);
      ctx.engine.sessions.delete(s.id);
    }
  }
  return { ok: 1 };
};

const explain: Handler = (cmd, ctx) => {
  const inner = cmd.explain as Document;
  const verbosity = typeof cmd.verbosity === "string" ? cmd.verbosity : "allPlansExecution";
  if (!inner || typeof inner !== "object") fail("FailedToParse", "explain command requires a nested object");
  const name = Object.keys(inner)[0];
  if (name === "find") return explainFind(inner, ctx, verbosity);
  if (name === "aggregate") {
    return aggregateCommands.aggregate({ ...inner, explain: true }, ctx);
  }
  if (name === "count" || name === "distinct" || name === "update" || name === "delete" || name === "findAndModify") {
    const filter = (inner.query ?? inner.filter ?? (Array.isArray(inner.updates) ? inner.updates[0]?.q : Array.isArray(inner.deletes) ? inner.deletes[0]?.q : undefined)) as Document | undefined;
    return explainFind({ find: inner[name], filter }, ctx, verbosity);
  }
  fail("CommandNotFound", `Explain failed due to unknown command: ${name}`);
};

/** lsid documents carry a UUID; its hex identifies the session across connections. */
export function sessionKey(lsid: unknown): string | undefined {
  if (!lsid || typeof lsid !== "object") return undefined;
  const id = (lsid as Document).id as { toString(enc?: string): string; buffer?: Uint8Array } | undefined;
  if (!id) return undefined;
  if (id.buffer) return Buffer.from(id.buffer).toString("hex");
  return String(id);
}

export const sessionCommands: Record<string, Handler> = {
  commitTransaction,
  abortTransaction,
  endSessions,
  startSession: () => ({ id: { id: new UUID() }, timeoutMinutes: SESSION_TIMEOUT_MINUTES, ok: 1 }),
  refreshSessions: () => ({ ok: 1 }),
  killSessions: endSessions,
  killAllSessions: () => ({ ok: 1 }),
  explain,
};
