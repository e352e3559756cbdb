import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ColyseusSDK, type Room } from "@colyseus/sdk";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { spawnServer, type ServerProcess, callProcess as call } from "../support/process";
import { deleteRedisKeys, testRedisUrl } from "../support/redis";

/**
 * With REDIS_URL the rate-limit counters live in Redis: two real processes spend from one budget
 * per user (REST and room messages alike) and per address.
 */
describe("rate limits on Redis: two server processes share each budget", function () {
  this.timeout(120_000);
  let redisUrl: string;
  let store: { uri: string; stop(): Promise<void> } | undefined;
  const servers: ServerProcess[] = [];
  const rooms: Room<any>[] = [];

  const deleteCounters = () => deleteRedisKeys(redisUrl, "ratelimit:*");

  before(async function () {
    const url = await testRedisUrl();
    if (!url) {
      console.warn("\n  !!! SKIPPING rate limits on Redis processes: no Redis reachable\n");
      this.skip();
    }
    redisUrl = url!;
    await deleteCounters();
    store = await startEmbeddedMongo({ port: 0 });
  });

  after(async () => {
    await Promise.all(rooms.map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop("SIGTERM").catch(() => s.stop("SIGKILL"))));
    if (redisUrl) await deleteCounters();
    await store?.stop();
  });

  it("6 requests a minute per user or address, 4 room messages: spent on A and B alike, refused on either", async () => {
    const shared = {
      REDIS_URL: redisUrl,
      MONGODB_URI: store!.uri.replace(/\/\?/, "/limelight_rl?"),
      JWT_SECRET: randomBytes(32).toString("hex"),
      RATE_LIMIT_TIERS: JSON.stringify({ standard: { api: 6, realtime: 4 } }),
      AUTH_RATE_LIMIT_PER_MINUTE: "100",
    };
    const [a, b] = await Promise.all([spawnServer(shared), spawnServer(shared)]);
    servers.push(a, b);
    // the counting below must fit in one minute window (windows are aligned to the clock)
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 40_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    await deleteCounters();

    // three anonymous calls from 127.0.0.1, on both processes, out of the address's 6
    const register = async (base: string, username: string) => (await call(base, "POST", "/api/v1/auth/register", undefined, { username, password: "s3cret-pass", roles: ["creator"] })).body;
    const authors = [await register(a.url, "rl_author_a"), await register(b.url, "rl_author_b")];
    const user = await register(a.url, "rl_user");
    for (const [i, author] of authors.entries()) {
      const posted = await call(i === 0 ? a.url : b.url, "POST", "/api/v1/stories", author.access_token, { story_type: "text", text_content: "hi", privacy: "public" });
      assert.equal(posted.status, 201, JSON.stringify(posted.body));
      author.storyId = posted.body.id;
    }

    const seen = [];
    for (let i = 0; i < 7; i++) seen.push(await call(i % 2 === 0 ? a.url : b.url, "GET", "/api/v1/auth/profile", user.access_token));
    assert.deepEqual(seen.map((r) => r.status), [200, 200, 200, 200, 200, 200, 429], "the 7th, on A, sees what B spent");
    assert.deepEqual(seen.map((r) => r.headers.get("ratelimit-remaining")), ["5", "4", "3", "2", "1", "0", "0"]);
    assert.equal(seen[6]!.body.error.code, "rate_limited");

    const anon = [];
    for (let i = 0; i < 4; i++) anon.push((await call(i % 2 === 0 ? b.url : a.url, "GET", "/api/v1/books")).status);
    assert.deepEqual(anon, [200, 200, 200, 429], "registering spent 3 of the address's 6, on both processes");

    // room messages: one author's room is created on A, the other's on B; the user's budget is one
    const join = (url: string, authorId: string) => {
      const sdk = new ColyseusSDK(url);
      sdk.auth.token = user.access_token;
      return sdk.joinOrCreate("story", { authorId });
    };
    const onA = await join(a.url, authors[0].user.id);
    const onB = await join(b.url, authors[1].user.id);
    rooms.push(onA, onB);
    for (const r of rooms) r.onMessage("error", () => undefined); // a refused request's details arrive as one
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [room, author] = i % 2 === 0 ? [onA, authors[0]] : [onB, authors[1]];
      outcomes.push(await room.request("view", { storyId: author.storyId }).then(() => "ok", (e: { code: string }) => e.code));
    }
    assert.deepEqual(outcomes, ["ok", "ok", "ok", "ok", "rate_limited"]);
    assert.ok(onA.connection.isOpen && onB.connection.isOpen, "refused, not disconnected");
  });
});
