/**
 * PM2: `pm2 start ecosystem.config.js`.
 * Without REDIS_URL: one process (local presence and driver; rooms cannot be shared across processes).
 * With REDIS_URL: WEB_CONCURRENCY processes (default: one per core) sharing presence and matchmaking
 * through Redis. Each listens on its own port (PORT + its index) and advertises its own public address: Colyseus does not proxy between processes, so a
 * client is sent to the process that holds its room. PUBLIC_HOST is how clients reach this machine
 * (e.g. behind a proxy mapping one path or port per process). Requires `npm run build` first.
 */
const os = require("node:os");

const scaled = Boolean(process.env.REDIS_URL);
const instances = scaled ? Number(process.env.WEB_CONCURRENCY || os.cpus().length) : 1;
const basePort = Number(process.env.PORT || 2567);
const publicHost = process.env.PUBLIC_HOST || "localhost";

module.exports = {
  apps: Array.from({ length: instances }, (_, i) => ({
    name: instances > 1 ? `limelight-${i}` : "limelight",
    script: "dist/src/index.js",
    exec_mode: "fork",
    env: {
      NODE_ENV: process.env.NODE_ENV || "production",
      PORT: String(basePort + i),
      PUBLIC_ADDRESS: `${publicHost}:${basePort + i}`,
    },
    kill_timeout: 15000, // > SHUTDOWN_TIMEOUT_MS default (10 s): let graceful shutdown finish
    max_memory_restart: "1G",
  })),
};
