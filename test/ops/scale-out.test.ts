import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { ColyseusSDK } from "@colyseus/sdk";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { spawnServer, freePort, type ServerProcess } from "../support/process";
import { TEST_REDIS_DB } from "../support/redis";

/**
 * With REDIS_URL, processes share presence and the matchmaker driver: a client that asks process A
 * joins the room process B created. CI provides Redis (.ci/run); elsewhere the test starts a
 * redis-server when one is installed, and otherwise skips loudly.
 */
async function reachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

describe("scale-out with Redis: two server processes", function () {
  this.timeout(120_000);
  let redisUrl: string;
  let ownRedis: ChildProcess | undefined;
  let store: { uri: string; stop(): Promise<void> } | undefined;
  const servers: ServerProcess[] = [];

  before(async function () {
    const candidate = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
    if (await reachable(candidate)) {
      redisUrl = candidate;
    } else {
      const port = await freePort();
      ownRedis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
      ownRedis.on("error", () => undefined);
      redisUrl = `redis://127.0.0.1:${port}`;
      for (let i = 0; i < 50 && !(await reachable(redisUrl)); i++) await new Promise((r) => setTimeout(r, 100));
      if (!(await reachable(redisUrl))) {
        if (process.env.CI) throw new Error(`Redis is required in CI (tried ${candidate} and starting redis-server)`);
        console.warn(`\n  !!! SKIPPING scale-out tests: no Redis at ${candidate} and redis-server could not be started\n`);
        this.skip();
      }
    }
    // a private Redis database so leftovers from other runs cannot leak in
    redisUrl = `${redisUrl.replace(/\/\d*$/, "")}/${TEST_REDIS_DB}`;
    const admin = new Redis(redisUrl);
    await admin.flushdb();
    admin.disconnect();
    store = await startEmbeddedMongo({ port: 0 });
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop("SIGTERM").catch(() => s.stop("SIGKILL"))));
    await store?.stop();
    ownRedis?.kill("SIGKILL");
  });

  it("a client of process A joins the room created on process B", async () => {
    const shared = {
      REDIS_URL: redisUrl,
      MONGODB_URI: store!.uri.replace(/\/\?/, "/limelight_scale?"),
      JWT_SECRET: randomBytes(32).toString("hex"), // both processes must verify each other's tokens
    };
    const [a, b] = await Promise.all([spawnServer(shared), spawnServer(shared)]);
    servers.push(a, b);

    const post = async (base: string, p: string, body: unknown, token?: string) => {
      const res = await fetch(base + p, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const author = await post(b.url, "/api/v1/auth/register", { username: "author_b", password: "s3cret-pass", roles: ["creator"] });
    const viewer = await post(a.url, "/api/v1/auth/register", { username: "viewer_a", password: "s3cret-pass" });
    assert.equal(author.status, 201);
    assert.equal(viewer.status, 201);
    const story = await post(b.url, "/api/v1/stories", { story_type: "text", text_content: "hello from B", privacy: "public" }, author.body.access_token);
    assert.equal(story.status, 201, JSON.stringify(story.body));

    const onB = new ColyseusSDK(b.url);
    onB.auth.token = author.body.access_token;
    const roomOnB = await onB.joinOrCreate("story", { authorId: author.body.user.id });

    const onA = new ColyseusSDK(a.url);
    onA.auth.token = viewer.body.access_token;
    const joinedViaA = await onA.joinOrCreate("story", { authorId: author.body.user.id });
    assert.equal(joinedViaA.roomId, roomOnB.roomId, "process A matched the room that lives on process B");

    await new Promise((r) => setTimeout(r, 300));
    const state = joinedViaA.state.toJSON() as any;
    assert.equal(Object.keys(state.stories).length, 1, "the viewer sees the author's story through the shared room");
    await joinedViaA.leave();
    await roomOnB.leave();

    // one room per key across processes: 10 concurrent creates for one author, split over A and B
    const creates = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => {
        const sdk = new ColyseusSDK(i % 2 === 0 ? a.url : b.url);
        sdk.auth.token = viewer.body.access_token;
        return sdk.create("story", { authorId: viewer.body.user.id });
      }),
    );
    const created = creates.filter((r) => r.status === "fulfilled");
    assert.equal(created.length, 1, `exactly one create wins: ${creates.map((r) => (r.status === "rejected" ? String(r.reason?.message) : "ok")).join(" | ")}`);
    for (const r of creates) if (r.status === "rejected") assert.match(String(r.reason?.message), /room_key_taken/);
    await (created[0] as PromiseFulfilledResult<Awaited<ReturnType<ColyseusSDK["create"]>>>).value.leave();
  });
});
