import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { ColyseusSDK, type Room } from "@colyseus/sdk";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { runSeed, spawnServer, type ServerProcess } from "../support/process";
import { TEST_REDIS_DB, testRedisUrl } from "../support/redis";

/**
 * Shards of one stream over two server processes on Redis with LIVE_ROOM_MAX_CLIENTS=2: viewers
 * spread over several shard rooms on both processes see the same chat and command sequence, once
 * each and in the same order; viewerCount is the total; a timeout and a ban apply on every shard.
 */
/** A database of its own, flushed first (the servers' presence keys are not prefixed); beside the run's TEST_REDIS_DB, so parallel work trees do not share it. */
const REDIS_DB = (TEST_REDIS_DB + 8) % 16;

async function until<T>(check: () => T | undefined | false, what: string, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

describe("live shards: two server processes on Redis", function () {
  this.timeout(120_000);
  let store: { uri: string; stop(): Promise<void> } | undefined;
  const servers: ServerProcess[] = [];
  const rooms: Room<any>[] = [];

  before(async function () {
    const reachable = await testRedisUrl(); // throws in CI without Redis
    if (!reachable) {
      console.warn("\n  !!! SKIPPING live shard tests: no Redis\n");
      return this.skip();
    }
    const redisUrl = reachable.replace(/\/\d+$/, `/${REDIS_DB}`);
    const admin = new Redis(redisUrl);
    await admin.flushdb();
    admin.disconnect();
    store = await startEmbeddedMongo({ port: 0 });
    const env = {
      REDIS_URL: redisUrl,
      MONGODB_URI: store.uri.replace(/\/\?/, "/limelight_live_shards?"),
      JWT_SECRET: randomBytes(32).toString("hex"),
      LIVE_ROOM_MAX_CLIENTS: "2",
      AUTH_RATE_LIMIT_PER_MINUTE: "1000",
    };
    await runSeed(env.MONGODB_URI);
    servers.push(...(await Promise.all([spawnServer(env), spawnServer(env)])));
  });

  after(async () => {
    await Promise.all(rooms.map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop("SIGTERM").catch(() => s.stop("SIGKILL"))));
    await store?.stop();
  });

  it("chat and a command gift reach every viewer on every shard once, in one order; viewerCount is the total; a ban holds everywhere", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const call = async (base: string, method: string, p: string, body?: unknown, token?: string) => {
      const res = await fetch(base + p, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const register = async (base: string, name: string, roles?: string[]) => {
      const r = await call(base, "POST", "/api/v1/auth/register", { username: name, password: "s3cret-pass", ...(roles ? { roles } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { token: r.body.access_token as string, id: r.body.user.id as string };
    };
    const creator = await register(a.url, "shard_host", ["creator"]);
    const created = await call(a.url, "POST", "/api/v1/streams", { title: "Big show", category: "music" }, creator.token);
    const streamId = created.body.id;
    assert.equal((await call(b.url, "POST", `/api/v1/streams/${streamId}/go-live`, {}, creator.token)).status, 200);

    const viewers = [];
    for (let i = 0; i < 6; i++) viewers.push(await register(i % 2 ? b.url : a.url, `shard_viewer_${i}`));
    const join = async (user: { token: string }, base: string) => {
      const sdk = new ColyseusSDK(base);
      sdk.auth.token = user.token;
      const room = await sdk.joinOrCreate("live", { streamId });
      rooms.push(room);
      return room;
    };
    const host = await join(creator, a.url);
    const vr: Room<any>[] = [];
    for (let i = 0; i < viewers.length; i++) vr.push(await join(viewers[i]!, i % 2 ? b.url : a.url));
    const all = [host, ...vr];
    const shardIds = new Set(all.map((r) => r.roomId));
    assert.ok(shardIds.size >= 4, `7 clients at 2 per room make at least 4 shards (got ${shardIds.size})`);
    const processOf = (r: Room<any>): string => (r.connection as any).transport?.ws?.url?.split("/")[2] ?? "";
    const processes = new Set(all.map(processOf));
    assert.ok([...processes].some((u) => u.includes(String(a.port))) && [...processes].some((u) => u.includes(String(b.port))), `shards on both processes: ${[...processes].join(", ")}`);

    await until(() => all.every((r) => r.state.toJSON().viewerCount === 7), "viewerCount 7 on every shard");

    const commands = all.map((r) => {
      const got: any[] = [];
      r.onMessage("command", (m) => got.push(m));
      return got;
    });
    await vr[0]!.request("chat", { text: "hello from shard A" });
    await vr[1]!.request("chat", { text: "hello from shard B" });
    await vr[1]!.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "shard-gift-0001" });
    await vr[2]!.request("gift", { giftCode: "shoutout", quantity: 1, idempotencyKey: "shard-gift-0002", command: { text: "hi all" } });
    await vr[3]!.request("chat", { text: "third line" });
    const chats = await until(() => {
      const lists = all.map((r) => (r.state.toJSON() as any).chat.map((c: any) => `${c.seq}:${c.text}`).join("|"));
      return lists.every((l) => l.split("|").length === 3) && lists;
    }, "3 chat lines on every shard");
    assert.equal(new Set(chats).size, 1, `same chat, same order on every shard: ${chats.join(" / ")}`);
    await until(() => commands.every((c) => c.length >= 2), "both commands everywhere");
    await new Promise((r) => setTimeout(r, 300));
    const orders = commands.map((c) => c.map((m) => `${m.seq}:${m.action}`).join(","));
    assert.equal(new Set(orders).size, 1, `one command order: ${orders.join(" / ")}`);
    assert.equal(commands[0]!.length, 2, "each command once");

    // the creator bans a viewer whose shard lives on the other process
    const target = vr.findIndex((r) => processOf(r) !== processOf(host));
    assert.ok(target >= 0);
    // first a timeout: the shard on the other process refuses that viewer's very next line
    await host.request("timeout", { userId: viewers[target]!.id, seconds: 60 });
    const refused = await vr[target]!.request("chat", { text: "am I muted?" }).then(() => "accepted", (e: { code: string }) => e.code);
    assert.equal(refused, "timed_out", "a timeout issued on one process refuses the next line on the other at once");
    const others = vr.filter((_, i) => i !== target && processOf(vr[i]!) === processOf(vr[target]!));
    if (others[0]) assert.ok((await others[0].request("chat", { text: "others still chat" })).seq > 0);
    const victim = vr[target]!;
    const victimUser = viewers[target]!;
    const left = new Promise<number>((resolve) => victim.onLeave((code: number) => resolve(code)));
    await host.request("ban", { userId: victimUser.id });
    assert.equal(await left, 4403);
    for (const base of [a.url, b.url]) {
      const sdk = new ColyseusSDK(base);
      sdk.auth.token = victimUser.token;
      await assert.rejects(sdk.joinOrCreate("live", { streamId }), /banned/);
    }
    await until(() => all.filter((r) => r !== victim).every((r) => r.state.toJSON().viewerCount === 6), "viewerCount 6 after the ban");
  });
});
