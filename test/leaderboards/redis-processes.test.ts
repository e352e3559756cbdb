import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { spawnServer, type ServerProcess, callProcess as call } from "../support/process";
import { deleteRedisKeys, testRedisUrl } from "../support/redis";

/**
 * With REDIS_URL the server keeps leaderboards in Redis sorted sets: two real processes share them.
 * A story posted on B and viewed on A gives XP (each award on the process that made the change),
 * and both processes then read the same XP board, which lives in Redis and not in the store.
 */
describe("leaderboards on Redis: two server processes", function () {
  this.timeout(120_000);
  let redisUrl: string;
  let store: { uri: string; stop(): Promise<void> } | undefined;
  const servers: ServerProcess[] = [];

  // the server's own key prefix (redis.backend.ts default); these tests delete only those keys
  const deleteBoardKeys = () => deleteRedisKeys(redisUrl, "lb:*");

  before(async function () {
    const url = await testRedisUrl();
    if (!url) {
      console.warn("\n  !!! SKIPPING leaderboards on Redis processes: no Redis reachable\n");
      this.skip();
    }
    redisUrl = url!;
    await deleteBoardKeys();
    store = await startEmbeddedMongo({ port: 0 });
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop("SIGTERM").catch(() => s.stop("SIGKILL"))));
    if (redisUrl) await deleteBoardKeys();
    await store?.stop();
  });

  it("XP boards written on either process are one Redis board, read alike on both", async () => {
    const mongoUri = store!.uri.replace(/\/\?/, "/limelight_lb?");
    const shared = { REDIS_URL: redisUrl, MONGODB_URI: mongoUri, JWT_SECRET: randomBytes(32).toString("hex") };
    const [a, b] = await Promise.all([spawnServer(shared), spawnServer(shared)]);
    servers.push(a, b);
    const author = (await call(b.url, "POST", "/api/v1/auth/register", undefined, { username: "lb_author", password: "s3cret-pass" })).body;
    const viewer = (await call(a.url, "POST", "/api/v1/auth/register", undefined, { username: "lb_viewer", password: "s3cret-pass" })).body;
    const story = await call(b.url, "POST", "/api/v1/stories", author.access_token, { story_type: "text", text_content: "hi", privacy: "public" });
    assert.equal(story.status, 201, JSON.stringify(story.body));
    assert.equal((await call(a.url, "POST", `/api/v1/stories/${story.body.id}/view`, viewer.access_token, {})).status, 200);

    // awards follow the story write asynchronously: wait until the author's XP shows it
    let xp = 0;
    for (let i = 0; i < 100 && xp < 11; i++) {
      xp = (await call(a.url, "GET", "/api/v1/progression/me", author.access_token)).body.xp;
      if (xp < 11) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(xp, 11, "10 for posting (on B) + 1 for being viewed (on A)");

    const expected = [
      [author.user.id, 11],
      [viewer.user.id, 1],
    ];
    for (const server of [a, b]) {
      let items: any[] = [];
      for (let i = 0; i < 50; i++) {
        items = (await call(server.url, "GET", "/api/v1/leaderboards/xp_all_time", viewer.access_token)).body.items;
        if (items.length === 2 && items[0].score === 11) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(items.map((i) => [i.user.id, i.score]), expected, server.url);
    }
    const redis = new Redis(redisUrl);
    try {
      assert.ok((await redis.zscore("lb:xp_all_time:global:all", author.user.id)) !== null, "the board is a Redis sorted set");
    } finally {
      redis.disconnect();
    }
    const mongo = await MongoClient.connect(mongoUri);
    try {
      assert.equal(await mongo.db().collection("leaderboard_records").countDocuments(), 0, "and not in the store");
      assert.equal(await mongo.db().collection("xp_awards").countDocuments(), 3, "XP itself is in the store: post, view (viewer, author)");
    } finally {
      await mongo.close();
    }
  });
});
