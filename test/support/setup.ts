// Mocha root setup (see .mocharc.json): loaded before every spec file.
// The environment is fixed here, before any module reads config().
process.env.NODE_ENV = "test";
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";
process.env.EMBEDDED_DB = "memory";
// tests drive auth flows in bulk; the limit itself is exercised by the rate-limit test
process.env.AUTH_RATE_LIMIT_PER_MINUTE = process.env.AUTH_RATE_LIMIT_PER_MINUTE ?? "1000";
// likewise the API-wide limits (every test talks from 127.0.0.1); test/http/rate-limits.test.ts
// sets the real ones per test, and spawned servers get them through their env
process.env.RATE_LIMIT_TIERS ??= JSON.stringify({ standard: { api: 1_000_000, realtime: 1_000_000 }, high: { api: 1_000_000, realtime: 1_000_000 } });
// the scraper token the metrics tests present
process.env.METRICS_TOKEN = "test-metrics-token-0123456789";
delete process.env.MONGODB_URI;
// the in-process test server runs on local presence; Redis tests spawn their own processes with it
if (process.env.REDIS_URL) process.env.TEST_REDIS_URL ??= process.env.REDIS_URL;
delete process.env.REDIS_URL;

export const mochaHooks = {
  async afterAll() {
    // required here, not imported at the top: imports are hoisted above the env set-up
    const { shutdownTestServer } = require("./server") as typeof import("./server");
    await shutdownTestServer();
  },
};
