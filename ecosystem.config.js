/**
 * PM2: `npm run build && pm2 start ecosystem.config.js`. The layout follows the environment:
 * - no REDIS_URL: one process (local presence and driver; rooms cannot be shared across processes),
 *   with the embedded store in-process unless MONGODB_URI is set;
 * - REDIS_URL and MONGODB_URI: WEB_CONCURRENCY workers (default: one per core) sharing presence and
 *   matchmaking through Redis, all on that MongoDB;
 * - REDIS_URL without MONGODB_URI (one machine, no MongoDB): the embedded store runs once as its own
 *   app (`limelight-db`, `npm run db` built: DATA_DIR/db on 127.0.0.1:EMBEDDED_DB_PORT) and every
 *   worker connects to it. A data directory can only be opened by one process (a lock socket in it):
 *   workers that each opened DATA_DIR would refuse to start.
 * Each worker listens on its own port (PORT + its index) and advertises its own public address:
 * Colyseus does not proxy between processes, so a client is sent to the process that holds its
 * room. PUBLIC_HOST is how clients reach this machine (e.g. behind a proxy mapping one path or port
 * per process). `forEnv(env)` builds the definition for another environment (tests use it).
 */
const os = require("node:os");
const path = require("node:path");

const KILL_TIMEOUT_MS = 15000; // > SHUTDOWN_TIMEOUT_MS default (10 s): let graceful shutdown finish

function forEnv(env) {
  const scaled = Boolean(env.REDIS_URL);
  const instances = scaled ? Number(env.WEB_CONCURRENCY || os.cpus().length) : 1;
  if (!scaled && Number(env.WEB_CONCURRENCY || 1) > 1) {
    throw new Error(
      `WEB_CONCURRENCY=${env.WEB_CONCURRENCY} needs REDIS_URL: without it processes share neither rooms nor rate limits (and would each open DATA_DIR). Set REDIS_URL, or drop WEB_CONCURRENCY.`,
    );
  }
  const basePort = Number(env.PORT || 2567);
  const publicHost = env.PUBLIC_HOST || "localhost";
  const apps = [];
  let mongoUri;
  if (scaled && !env.MONGODB_URI) {
    const dbPort = Number(env.EMBEDDED_DB_PORT || 27017);
    apps.push({
      name: "limelight-db",
      script: "dist/src/embedded-mongo/cli.js",
      args: ["--port", String(dbPort), "--data", path.resolve(env.DATA_DIR || "./data", "db"), "--fsync", env.EMBEDDED_DB_FSYNC || "batch"],
      exec_mode: "fork",
      env: {},
      kill_timeout: KILL_TIMEOUT_MS, // the journal is flushed and closed on SIGTERM
    });
    // the database name the in-process store uses: switching layouts keeps the data
    mongoUri = `mongodb://127.0.0.1:${dbPort}/limelight`;
  }
  for (let i = 0; i < instances; i++) {
    apps.push({
      name: instances > 1 ? `limelight-${i}` : "limelight",
      script: "dist/src/index.js",
      exec_mode: "fork",
      env: {
        NODE_ENV: env.NODE_ENV || "production",
        PORT: String(basePort + i),
        PUBLIC_ADDRESS: `${publicHost}:${basePort + i}`,
        ...(mongoUri ? { MONGODB_URI: mongoUri } : {}),
      },
      kill_timeout: KILL_TIMEOUT_MS,
      max_memory_restart: "1G",
    });
  }
  return { apps };
}

module.exports = forEnv(process.env);
// not enumerable: PM2 reads the definition's own keys (apps, deploy)
Object.defineProperty(module.exports, "forEnv", { value: forEnv });
