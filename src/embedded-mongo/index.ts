/**
 * Entry point of the embedded MongoDB-compatible store: `startEmbeddedMongo()` boots the engine (recovering
 * from `dataDir` when given), listens on loopback and returns the connection string.
 */
import { Engine, type Persistence } from "./engine/engine";
import { WireServer } from "./server";
import type { Logger } from "./dispatch";
import type { FsyncPolicy, Journal, JournalRecord } from "./journal.types";
import { openJournal, type JournalOpenOptions } from "./journal";

export interface EmbeddedMongoOptions {
  /** 0 (default) picks an ephemeral port */
  port?: number;
  /** default 127.0.0.1; anything else requires allowNonLoopback, since the store has no authentication */
  host?: string;
  allowNonLoopback?: boolean;
  /** enables the journal; without it everything lives in memory */
  dataDir?: string;
  fsync?: FsyncPolicy;
  /**
   * with dataDir: once the journal grows past this many bytes, the live state is written to a snapshot and
   * the journal restarts empty (default 64 MiB); smaller bounds recovery time, larger means fewer rewrites
   */
  compactAfterBytes?: number;
  /** how often expired TTL documents are removed; mongod's default is 60 s */
  ttlMonitorIntervalMs?: number;
  logger?: Logger;
}

export interface EmbeddedMongo {
  uri: string;
  port: number;
  stop(): Promise<void>;
}

const DEFAULT_TTL_INTERVAL_MS = 60_000;
/** mongod's transactionLifetimeLimitSeconds default: an abandoned transaction releases its locks after 60 s */
const TXN_LIFETIME_MS = 60_000;
/** housekeeping cadence for idle cursors, sessions and expired transactions */
const HOUSEKEEPING_MS = 5_000;

const SILENT: Logger = { info() {}, warn() {}, error() {} };

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

export async function startEmbeddedMongo(opts: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = opts.host ?? "127.0.0.1";
  if (!isLoopback(host) && !opts.allowNonLoopback) {
    throw new Error(`refusing to listen on non-loopback host ${host}: the embedded store has no authentication (pass allowNonLoopback: true to override)`);
  }
  if (opts.compactAfterBytes !== undefined && !(Number.isFinite(opts.compactAfterBytes) && opts.compactAfterBytes > 0)) {
    throw new Error(`compactAfterBytes must be a positive number of bytes, got ${opts.compactAfterBytes}`);
  }
  const logger = opts.logger ?? SILENT;
  const engine = new Engine();
  let journal: Journal | undefined;
  if (opts.dataDir) {
    // the contract type (OpenJournal) only knows the portable options; snapshotSource is this journal's own
    const journalOpts: JournalOpenOptions = {
      dir: opts.dataDir,
      fsync: opts.fsync ?? "batch",
      compactAfterBytes: opts.compactAfterBytes,
      snapshotSource: () => engine.dump(),
    };
    const opened = await openJournal(journalOpts, (r: JournalRecord) => engine.apply(r));
    journal = opened.journal;
    const j = journal;
    const persistence: Persistence = { append: (batch) => j.append(batch) };
    engine.persistence = persistence;
    const r = opened.report;
    logger.info(`recovered ${r.recordsReplayed} records in ${r.batchesReplayed} batches${r.snapshotLoaded ? " after snapshot" : ""}`);
    if (r.corruptTail) logger.warn(`journal tail ignored: ${r.corruptTail.reason} (${r.corruptTail.bytesIgnored} bytes)`);
  }

  const server = new WireServer(engine, { host, port: 0, startedAt: new Date() }, logger);
  const port = await server.listen(opts.port ?? 0, host);

  const ttlTimer = setInterval(() => {
    try {
      const rec: JournalRecord[] = [];
      const n = engine.expireTtl(Date.now(), rec);
      if (rec.length) engine.persistence.append(rec).catch((e) => logger.error("TTL journal append failed", e));
      if (n) logger.info(`TTL monitor removed ${n} documents`);
    } catch (e) {
      logger.error("TTL monitor failed", e);
    }
  }, opts.ttlMonitorIntervalMs ?? DEFAULT_TTL_INTERVAL_MS);
  ttlTimer.unref();
  const houseTimer = setInterval(() => {
    engine.reapTxns(TXN_LIFETIME_MS);
    engine.reapSessions(Date.now());
    server.cursors.reap(Date.now());
  }, HOUSEKEEPING_MS);
  houseTimer.unref();

  let stopped: Promise<void> | undefined;
  const uriHost = host.includes(":") ? `[${host}]` : host;
  return {
    uri: `mongodb://${uriHost}:${port}/?directConnection=true`,
    port,
    stop() {
      stopped ??= (async () => {
        clearInterval(ttlTimer);
        clearInterval(houseTimer);
        await server.close();
        for (const t of [...engine.activeTxns]) engine.abortTxn(t);
        server.cursors.clear();
        if (journal) await journal.close();
      })();
      return stopped;
    },
  };
}
