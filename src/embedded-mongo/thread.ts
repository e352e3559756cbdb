/**
 * The embedded store on its own thread: `startEmbeddedMongoThread()` runs `startEmbeddedMongo()` in
 * a worker thread and answers with the same handle. The app talks to it over loopback exactly as
 * before (the wire protocol, the driver, the journal are unchanged), but query execution, BSON on
 * the store's side and journal encoding no longer take turns with the app's requests on one event
 * loop: on a machine with two cores the store gets the second one, as a separate mongod would.
 *
 * The worker lives and dies with the process: kill -9 takes both, as it took the in-process store,
 * and what the journal acknowledged is on disk either way. If the store's thread fails after it
 * started, the process has lost its database: it logs and exits, so the supervisor restarts it.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { EmbeddedMongo, EmbeddedMongoOptions } from "./index";

type ThreadOptions = Omit<EmbeddedMongoOptions, "logger">;

type FromStore =
  | { type: "ready"; uri: string; port: number }
  | { type: "failed"; message: string; code?: string; stack?: string }
  | { type: "stopped" }
  | { type: "stop_failed"; message: string };

const MARKER = "limelight-embedded-mongo-thread";

/**
 * What the worker needs to load this file. Under tsx started from the CLI the loader is in execArgv
 * and the worker inherits it (undefined: inherit everything, V8 flags included). Under mocha (tsx
 * registered by `require`) it is not, so it is added; a list given explicitly may not carry V8 or
 * process-wide flags (`--expose-gc`, heap sizes), which apply to every thread anyway.
 */
function workerExecArgv(): string[] | undefined {
  if (!__filename.endsWith(".ts") || process.execArgv.some((a) => a.includes("tsx"))) return undefined;
  return [...withoutPerProcessFlags(process.execArgv), "--require", require.resolve("tsx/cjs")];
}

/**
 * `argv` without the V8 and process-wide flags a Worker refuses in an explicit `execArgv`
 * (`ERR_WORKER_INVALID_EXEC_ARGV`); they apply to every thread of the process anyway.
 */
export function withoutPerProcessFlags(argv: readonly string[]): string[] {
  return argv.filter((a) => !/^--(expose-gc|trace-gc|max-semi-space-size|max-old-space-size|stack-size)/.test(a));
}

export function startEmbeddedMongoThread(opts: ThreadOptions = {}, onFatal?: (err: Error) => void): Promise<EmbeddedMongo> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { [MARKER]: true, opts }, execArgv: workerExecArgv() });
    let started = false;
    let stopping: Promise<void> | undefined;
    let settleStop: { resolve: () => void; reject: (e: Error) => void } | undefined;
    const fatal = (err: Error) => {
      if (stopping) return settleStop?.reject(err);
      if (!started) return reject(err);
      (onFatal ?? defaultFatal)(err);
    };
    worker.on("error", fatal);
    worker.on("exit", (code) => {
      if (stopping) return settleStop?.resolve();
      fatal(new Error(`the embedded store's thread exited (code ${code})`));
    });
    worker.on("message", (m: FromStore) => {
      switch (m.type) {
        case "ready":
          started = true;
          resolve({
            uri: m.uri,
            port: m.port,
            stop() {
              stopping ??= new Promise<void>((res, rej) => {
                settleStop = { resolve: res, reject: rej };
                worker.postMessage({ type: "stop" });
              });
              return stopping;
            },
          });
          return;
        case "failed":
          // the error as the in-process store would have thrown it (DATA_DIR_LOCKED keeps its code)
          reject(Object.assign(new Error(m.message), { code: m.code, stack: m.stack }));
          void worker.terminate();
          return;
        case "stopped":
          void worker.terminate();
          return;
        case "stop_failed":
          settleStop?.reject(new Error(m.message));
          void worker.terminate();
          return;
      }
    });
  });
}

function defaultFatal(err: Error): never {
  console.error("the embedded store's thread failed; exiting", err);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// The worker side
// ---------------------------------------------------------------------------------------------

if (!isMainThread && (workerData as Record<string, unknown> | undefined)?.[MARKER]) {
  const port = parentPort!;
  const { opts } = workerData as { opts: ThreadOptions };
  const send = (m: FromStore) => port.postMessage(m);
  // loaded here, not at the top: the app's thread only needs the launcher above
  const { startEmbeddedMongo } = require("./index") as typeof import("./index");
  startEmbeddedMongo(opts).then(
    (store) => {
      port.on("message", (m: { type: string }) => {
        if (m.type !== "stop") return;
        store.stop().then(
          () => send({ type: "stopped" }),
          (e: Error) => send({ type: "stop_failed", message: e.message }),
        );
      });
      send({ type: "ready", uri: store.uri, port: store.port });
    },
    (e: Error & { code?: string }) => send({ type: "failed", message: e.message, code: e.code, stack: e.stack }),
  );
}
