/**
 * The `failCommand` fail point, as mongod implements it for driver tests: `configureFailPoint` arms it, and
 * dispatch consults it before running each command. It can fail a command with an error code, close the
 * connection without replying, delay it (`blockConnection`), or run it and attach a `writeConcernError`.
 * Our own application tests use it to exercise retry and failure paths against the embedded store.
 */
import type { Document } from "bson";
import type { Engine } from "../engine/engine";
import { fail, MongoServerError } from "../engine/errors";
import { isPlainObject, toNumber } from "../engine/types";
import type { Handler } from "./context";

/** Returned by dispatch instead of a reply: the server must drop the connection without answering. */
export const CLOSE_CONNECTION: Document = Object.freeze({ closeConnection: true });

interface FailCommand {
  /** remaining activations; Infinity for alwaysOn or after the skip count ran out */
  times: number;
  /** matching commands to let through before activating */
  skip: number;
  commands: Set<string>;
  data: Document;
  appName?: string;
}

/** Error codes mongod labels RetryableWriteError on retryable writes (retryable-writes spec, "retryable error"). */
const RETRYABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 234, 133]);

/** Commands that are retryable writes when they carry a txnNumber outside a transaction. */
const RETRYABLE_WRITES = new Set(["insert", "update", "delete", "findAndModify", "findandmodify", "bulkWrite"]);

/** Commands already past the fail point (re-dispatched after a delay or for writeConcernError), run as is. */
const passed = new WeakSet<Document>();

/** Fail point state per store instance (tests run several stores in one process). */
const armed = new WeakMap<Engine, FailCommand>();

/** appName each connection announced in its hello, for `data.appName`. Entries are dropped on disconnect. */
const appNames = new WeakMap<Engine, Map<number, string>>();

export function rememberAppName(engine: Engine, connectionId: number, appName: unknown): void {
  if (typeof appName !== "string") return;
  let m = appNames.get(engine);
  if (!m) appNames.set(engine, (m = new Map()));
  m.set(connectionId, appName);
}

export function forgetConnection(engine: Engine, connectionId: number): void {
  appNames.get(engine)?.delete(connectionId);
}

const configureFailPoint: Handler = (cmd, ctx) => {
  if (ctx.db !== "admin") fail("Unauthorized", "configureFailPoint may only be run against the admin database.");
  const name = cmd.configureFailPoint;
  if (name !== "failCommand") fail("BadValue", `Cannot find failpoint: ${String(name)}`);
  const mode = cmd.mode;
  const previous = armed.get(ctx.engine);
  if (mode === "off") {
    armed.delete(ctx.engine);
    return { count: 0, ok: 1 };
  }
  let times = Number.POSITIVE_INFINITY;
  let skip = 0;
  if (mode === "alwaysOn") {
    /* defaults */
  } else if (isPlainObject(mode) && mode.times !== undefined) {
    times = toNumber(mode.times);
  } else if (isPlainObject(mode) && mode.skip !== undefined) {
    skip = toNumber(mode.skip);
  } else {
    fail("BadValue", "mode must be 'off', 'alwaysOn', {times: n} or {skip: n}");
  }
  const data = isPlainObject(cmd.data) ? cmd.data : {};
  if (!Array.isArray(data.failCommands)) fail("BadValue", "failCommand fail point requires data.failCommands (an array of command names)");
  armed.set(ctx.engine, {
    times,
    skip,
    commands: new Set(data.failCommands.map(String)),
    data,
    appName: typeof data.appName === "string" ? data.appName : undefined,
  });
  return { count: previous ? 1 : 0, ok: 1 };
};

/**
 * What the armed fail point does to this command: null to run it normally, CLOSE_CONNECTION, an error reply,
 * or `then` (run the command, then post-process its reply) — possibly after a delay.
 */
export function failCommandAction(
  engine: Engine,
  name: string,
  cmd: Document,
  connectionId: number,
): { delayMs: number; reply?: Document; then?: (reply: Document) => Document } | null {
  const fp = armed.get(engine);
  if (!fp || !fp.commands.has(name) || passed.has(cmd)) return null;
  if (fp.appName !== undefined && appNames.get(engine)?.get(connectionId) !== fp.appName) return null;
  if (fp.skip > 0) {
    fp.skip--;
    return null;
  }
  if (--fp.times <= 0) armed.delete(engine);
  const d = fp.data;
  const delayMs = d.blockConnection === true ? toNumber(d.blockTimeMS ?? 0) : 0;
  if (d.closeConnection === true) return { delayMs, reply: CLOSE_CONNECTION };
  if (d.errorCode !== undefined) {
    const code = toNumber(d.errorCode);
    const reply = new MongoServerError([code, codeNameOf(code)], "Failing command via 'failCommand' failpoint").toReply();
    const labels = errorLabels(d, name, cmd, code);
    if (labels.length) reply.errorLabels = labels;
    return { delayMs, reply };
  }
  if (isPlainObject(d.writeConcernError)) {
    const wce = d.writeConcernError;
    return {
      delayMs,
      then: (reply) => {
        if (reply.ok !== 1) return reply;
        const out: Document = { ...reply, writeConcernError: wce };
        const labels = Array.isArray(d.errorLabels) ? d.errorLabels : errorLabels(d, name, cmd, toNumber(wce.code ?? 0));
        if (labels.length) out.errorLabels = labels;
        return out;
      },
    };
  }
  return delayMs > 0 ? { delayMs } : null;
}

/** Carries out a fail point action; `run` dispatches the command itself (it will pass the fail point). */
export function withFailPoint(
  action: NonNullable<ReturnType<typeof failCommandAction>>,
  cmd: Document,
  run: () => Document | Promise<Document>,
): Document | Promise<Document> {
  const go = (): Document | Promise<Document> => {
    if (action.reply) return action.reply;
    passed.add(cmd);
    const reply = run();
    const then = action.then;
    if (!then) return reply;
    return reply instanceof Promise ? reply.then(then) : then(reply);
  };
  if (action.delayMs <= 0) return go();
  return new Promise<void>((resolve) => setTimeout(resolve, action.delayMs)).then(go);
}

/** Explicit labels win; otherwise mongod adds RetryableWriteError to retryable errors of retryable writes. */
function errorLabels(data: Document, name: string, cmd: Document, code: number): string[] {
  if (Array.isArray(data.errorLabels)) return data.errorLabels.map(String);
  const retryableWrite = cmd.txnNumber !== undefined && cmd.autocommit === undefined && RETRYABLE_WRITES.has(name);
  const txnEnd = name === "commitTransaction" || name === "abortTransaction";
  return (retryableWrite || txnEnd) && RETRYABLE_CODES.has(code) ? ["RetryableWriteError"] : [];
}

/** Names for the codes driver tests use most; any other code gets mongod's generic "Location<code>". */
const CODE_NAMES: Record<number, string> = {
  1: "InternalError",
  2: "BadValue",
  6: "HostUnreachable",
  7: "HostNotFound",
  8: "UnknownError",
  50: "MaxTimeMSExpired",
  89: "NetworkTimeout",
  91: "ShutdownInProgress",
  112: "WriteConflict",
  121: "DocumentValidationFailure",
  189: "PrimarySteppedDown",
  251: "NoSuchTransaction",
  262: "ExceededTimeLimit",
  9001: "SocketException",
  10107: "NotWritablePrimary",
  11600: "InterruptedAtShutdown",
  11602: "InterruptedDueToReplStateChange",
  13435: "NotPrimaryNoSecondaryOk",
  13436: "NotPrimaryOrSecondary",
  63: "StaleShardVersion",
  150: "StaleEpoch",
  234: "RetryChangeStream",
  133: "FailedToSatisfyReadPreference",
};

function codeNameOf(code: number): string {
  return (Object.hasOwn(CODE_NAMES, code) ? CODE_NAMES[code] : undefined) ?? `Location${code}`;
}

export const failPointCommands: Record<string, Handler> = { configureFailPoint };
