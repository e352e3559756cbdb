import path from "node:path";
import mongoose from "mongoose";
import { ConfigError, type Config } from "../config";
import { logger } from "../logger";
import { observeCommands } from "../metrics/db.metrics";

/**
 * MONGODB_URI → a real MongoDB. Without it the embedded MongoDB-wire-compatible store starts
 * in this process, on its own thread (persisting under DATA_DIR/db, or in memory for tests), and
 * mongoose connects to it over loopback: the same driver, the same code path, only the URI differs.
 */
export interface DatabaseHandle {
  uri: string;
  embedded: boolean;
  stop(): Promise<void>;
}

let handle: DatabaseHandle | undefined;

export async function connectDatabase(cfg: Config): Promise<DatabaseHandle> {
  if (handle) return handle;
  let uri: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (cfg.MONGODB_URI) {
    uri = cfg.MONGODB_URI;
  } else {
    // loaded lazily: a production process on a real MongoDB never loads the embedded store
    const { startEmbeddedMongoThread } = require("../embedded-mongo/thread") as typeof import("../embedded-mongo/thread");
    const dataDir = cfg.EMBEDDED_DB === "memory" ? undefined : path.resolve(cfg.DATA_DIR, "db");
    const onFatal = (err: Error) => {
      logger.fatal({ err }, "the embedded store's thread failed: exiting so the supervisor restarts the process");
      process.exit(1);
    };
    const store = await startEmbeddedMongoThread({ port: 0, dataDir, fsync: cfg.EMBEDDED_DB_FSYNC }, onFatal).catch((err) => {
      throw (err as { code?: string }).code === "DATA_DIR_LOCKED" ? sharedDataDirError(dataDir!, err as Error) : err;
    });
    uri = store.uri;
    stopEmbedded = () => store.stop();
    logger.info({ dataDir: dataDir ?? "(memory)" }, "embedded MongoDB-compatible store started");
  }
  mongoose.set("strictQuery", true);
  // command monitoring feeds the latency histogram, on a real MongoDB and the embedded store alike
  await mongoose.connect(uri, { dbName: cfg.MONGODB_URI ? undefined : "limelight", serverSelectionTimeoutMS: 10_000, monitorCommands: true });
  observeCommands(mongoose.connection.getClient());
  // build every registered model's indexes before serving: unique indexes are correctness, not speed
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  const opened: DatabaseHandle = {
    uri,
    embedded: !cfg.MONGODB_URI,
    stop: async () => {
      handle = undefined;
      await mongoose.disconnect();
      await stopEmbedded?.();
    },
  };
  handle = opened;
  return opened;
}

/**
 * Another process has this data directory open (its lock socket answered): several processes on one
 * machine must share one store process instead of each opening the directory.
 */
function sharedDataDirError(dataDir: string, cause: Error): ConfigError {
  return new ConfigError(
    [
      `Invalid configuration:\n  DATA_DIR: the embedded store's ${dataDir} is already open in another process (${cause.message}).`,
      "  One data directory serves one process. To run several processes on this machine, run the store once",
      `  (\`npm run db -- --data ${dataDir} --port 27017\`; PM2's ecosystem.config.js does it when REDIS_URL is set`,
      "  without MONGODB_URI) and set MONGODB_URI=mongodb://127.0.0.1:27017/limelight on every process;",
      "  or give each process its own DATA_DIR.",
    ].join("\n"),
  );
}

export async function pingDatabase(): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return false;
  const res = await db.admin().command({ ping: 1 });
  return res.ok === 1;
}

export async function disconnectDatabase(): Promise<void> {
  await handle?.stop();
}
