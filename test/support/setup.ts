// Mocha root setup (see .mocharc.json): loaded before every spec file.
// The environment is fixed here, before any module reads config().
process.env.NODE_ENV = "test";
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";
process.env.EMBEDDED_DB = "memory";
// tests drive auth flows in bulk; the limit itself is exercised by the rate-limit test
process.env.AUTH_RATE_LIMIT_PER_MINUTE = process.env.AUTH_RATE_LIMIT_PER_MINUTE ?? "1000";
delete process.env.MONGODB_URI;
delete process.env.REDIS_URL; // Redis tests start their own processes with REDIS_URL set explicitly

export const mochaHooks = {
  async afterAll() {
    const { shutdownTestServer } = await import("./server");
    await shutdownTestServer();
  },
};
