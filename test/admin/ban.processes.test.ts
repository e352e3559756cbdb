import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ColyseusSDK } from "@colyseus/sdk";
import Redis from "ioredis";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { callProcess as call, spawnServer, type ServerProcess } from "../support/process";
import { testRedisUrl } from "../support/redis";
import { CLOSE_ACCOUNT_REFUSED } from "../../src/realtime/app-room";
import { USER_EXISTS_TTL_MS } from "../../src/auth/user-existence";

/**
 * A ban made on process A reaches process B through presence pub/sub on Redis: B closes the
 * user's connected client and refuses their token well inside the standing cache's TTL.
 */
describe("admin: a platform ban across two server processes on Redis", function () {
  this.timeout(120_000);
  let store: { uri: string; stop(): Promise<void> } | undefined;
  let redisUrl: string | undefined;
  const servers: ServerProcess[] = [];

  before(async function () {
    redisUrl = await testRedisUrl();
    if (!redisUrl) {
      console.warn("\n  !!! SKIPPING ban across processes: no Redis reachable\n");
      this.skip();
    }
    store = await startEmbeddedMongo({ port: 0 });
    const shared = {
      REDIS_URL: redisUrl!,
      MONGODB_URI: store.uri.replace(/\/\?/, `/limelight_ban_${process.pid}?`),
      JWT_SECRET: randomBytes(32).toString("hex"),
      ADMIN_USERNAMES: "ban_admin",
      AUTH_RATE_LIMIT_PER_MINUTE: "1000", // three sign-ups from one IP per run, shared through Redis
    };
    servers.push(...(await Promise.all([spawnServer(shared), spawnServer(shared)])));
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop("SIGTERM").catch(() => s.stop("SIGKILL"))));
    await store?.stop();
    if (!redisUrl) return;
    // our sign-ups counted against 127.0.0.1's shared auth budget: give the next multi-process test a fresh one
    const redis = new Redis(redisUrl);
    const keys = await redis.keys("ratelimit:auth:*");
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("closes the user's client on the other process and refuses their token there", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const register = async (base: string, username: string) => (await call(base, "POST", "/api/v1/auth/register", undefined, { username, password: "s3cret-pass" })).body;
    const admin = await register(a.url, "ban_admin");
    const author = await register(b.url, "ban_author");
    const user = await register(b.url, "ban_target");
    assert.ok(admin.user.roles.includes("admin"));
    assert.equal((await call(b.url, "POST", "/api/v1/stories", author.access_token, { story_type: "text", text_content: "hi", privacy: "public" })).status, 201);

    const sdk = new ColyseusSDK(b.url);
    sdk.auth.token = user.access_token;
    const room = await sdk.joinOrCreate("story", { authorId: author.user.id });
    assert.equal((await call(b.url, "GET", "/api/v1/auth/profile", user.access_token)).status, 200, "B has the user's standing cached");
    const left = new Promise<{ code: number; reason?: string }>((resolve) => room.onLeave((code, reason) => resolve({ code, reason })));

    // B re-confirms the standing just before the ban: on the TTL alone it would accept the token for ~2 s more
    assert.equal((await call(b.url, "GET", "/api/v1/auth/profile", user.access_token)).status, 200);
    const bannedAt = Date.now();
    assert.equal((await call(a.url, "POST", `/api/v1/admin/users/${user.user.id}/ban`, admin.access_token, { reason: "spam" })).status, 200);
    const closed = await Promise.race([left, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("B did not close the client within 5 s")), 5000))]);
    assert.equal(closed.code, CLOSE_ACCOUNT_REFUSED);
    assert.equal(closed.reason, "account_banned");

    let refusedAfter = -1;
    while (Date.now() - bannedAt < 5000) {
      const res = await call(b.url, "GET", "/api/v1/auth/profile", user.access_token);
      if (res.status === 403 && res.body.error.code === "account_banned") {
        refusedAfter = Date.now() - bannedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(refusedAfter >= 0, "B refuses the banned token");
    assert.ok(refusedAfter < USER_EXISTS_TTL_MS / 2, `B refused it after ${refusedAfter} ms: the event, not the ${USER_EXISTS_TTL_MS} ms cache expiry`);

    assert.equal((await call(a.url, "DELETE", `/api/v1/admin/users/${user.user.id}/ban`, admin.access_token)).status, 200);
    let restored = false;
    for (let i = 0; i < 100 && !restored; i++) {
      restored = (await call(b.url, "GET", "/api/v1/auth/profile", user.access_token)).status === 200;
      if (!restored) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(restored, "the unban reaches B too");
  });
});
