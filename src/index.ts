import { createServer } from "./app.config";
import { config } from "./config";
import { logger } from "./logger";

/** Boot: listen, and shut down gracefully (rooms disposed and persisted, then the database) within a bound. */
async function main() {
  const cfg = config();
  const server = createServer(cfg);
  // PORT is this process's own port (PM2 gives each process its own; see ecosystem.config.js)
  await server.listen(cfg.PORT);
  process.send?.("ready");
  logger.info({ port: cfg.PORT, embeddedDb: !cfg.MONGODB_URI, redis: !!cfg.REDIS_URL }, "Limelight listening");

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error({ timeoutMs: cfg.SHUTDOWN_TIMEOUT_MS }, "shutdown timed out; exiting");
      process.exit(1);
    }, cfg.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server.gracefullyShutdown(false).then(
      () => {
        logger.info("shutdown complete");
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err) => {
  // a ConfigError message names the bad variable; print it plainly for the operator
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
