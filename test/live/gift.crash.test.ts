import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { ColyseusSDK, type Room } from "@colyseus/sdk";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { runSeed, spawnServer, type ServerProcess } from "../support/process";

/**
 * kill -9 while viewers send gifts, the database surviving the app process (as a real MongoDB
 * does), then a restart: the boot re-run finishes every gift whose money committed but whose
 * effects did not, so goal progress and both sides' XP match the gift events exactly, and every
 * gift has its one ordered event.
 */
describe("live gifts: crash safety of a gift's side effects (kill -9)", function () {
  this.timeout(180_000);
  let store: { uri: string; stop(): Promise<void> } | undefined;
  let server: ServerProcess | undefined;
  let db: mongoose.Connection | undefined;
  const rooms: Room<any>[] = [];

  before(async () => {
    store = await startEmbeddedMongo({ port: 0 });
  });
  after(async () => {
    await Promise.all(rooms.map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
    await server?.stop("SIGKILL").catch(() => undefined);
    await db?.close();
    await store?.stop();
  });

  it("after a restart, goals and XP match the gift events; none is half-applied", async () => {
    const uri = store!.uri.replace(/\/\?/, "/limelight_gift_crash?");
    const env = { MONGODB_URI: uri, JWT_SECRET: randomBytes(32).toString("hex"), AUTH_RATE_LIMIT_PER_MINUTE: "10000", LIVE_GIFTS_PER_MINUTE: "10000" };
    await runSeed(uri);
    db = await mongoose.createConnection(uri).asPromise();
    server = await spawnServer(env);
    const call = async (method: string, p: string, body?: unknown, token?: string) => {
      const res = await fetch(server!.url + p, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    const register = async (name: string, roles?: string[]) => {
      const r = await call("POST", "/api/v1/auth/register", { username: name, password: "s3cret-pass", ...(roles ? { roles } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { token: r.body.access_token as string, id: r.body.user.id as string };
    };
    const creator = await register("crash_host", ["creator"]);
    const streamId = (await call("POST", "/api/v1/streams", { title: "Crash show", category: "music" }, creator.token)).body.id;
    assert.equal((await call("POST", `/api/v1/streams/${streamId}/go-live`, {}, creator.token)).status, 200);
    const viewers = [];
    for (let i = 0; i < 6; i++) viewers.push(await register(`crash_fan_${i}`));
    const join = async (token: string) => {
      const sdk = new ColyseusSDK(server!.url);
      sdk.auth.token = token;
      const room = await sdk.joinOrCreate("live", { streamId });
      rooms.push(room);
      return room;
    };
    const host = await join(creator.token);
    await host.request("add_goal", { kind: "tokens", target: 1_000_000, title: "A million" });
    await host.request("add_goal", { kind: "gifts", target: 1_000_000, title: "Many gifts" });

    // every fan sends roses (5 tokens) one after another from the welcome grant, until the kill
    const acked: string[] = [];
    let killed = false;
    const fanRooms = await Promise.all(viewers.map((v) => join(v.token)));
    const senders = fanRooms.map(async (room, f) => {
      for (let n = 0; !killed && n < 20; n++) {
        try {
          const receipt = await room.request("gift", { giftCode: "rose", quantity: 1, idempotencyKey: `crash-${f}-${n}-key` });
          acked.push(receipt.gift_event_id);
        } catch {
          return; // the process died under the request: not acknowledged
        }
      }
    });
    while (acked.length < 30) {
      assert.equal(server.child.exitCode, null, `the server died on its own:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    server.child.kill("SIGKILL");
    killed = true;
    await new Promise((r) => (server!.child.exitCode !== null || server!.child.signalCode !== null ? r(null) : server!.child.once("exit", r)));
    await Promise.race([Promise.all(senders), new Promise((r) => setTimeout(r, 3000))]);

    const gifts = db.collection("gift_events");
    const undoneAtKill = await gifts.countDocuments({ stream_id: streamId, effects_done: false });
    assert.ok(undoneAtKill > 0, "the kill landed with gifts whose money committed and whose effects had not run (else this proves nothing)");

    // a transaction the dead process left open holds its locks until the store's transaction lifetime ends (60 s)
    server = await spawnServer(env, 120_000);
    assert.match(server.output(), /gift effects re-run at boot/);
    const all = await gifts.find({ stream_id: streamId }).toArray();
    for (const id of acked) assert.ok(all.some((g) => String(g._id) === id), `acknowledged gift ${id} is there`);
    assert.equal(all.filter((g) => g.effects_done !== true).length, 0, "every gift's effects finished");
    const tokens = all.reduce((s, g) => s + g.tokens, 0);
    const quantity = all.reduce((s, g) => s + g.quantity, 0);
    const goals = await db.collection("live_goals").find({ stream_id: streamId }).toArray();
    assert.equal(goals.find((g) => g.kind === "tokens")!.progress, tokens, "token goal = the gifts' tokens");
    assert.equal(goals.find((g) => g.kind === "gifts")!.progress, quantity, "gift-count goal = the gifts' count");

    const awards = db.collection("xp_awards");
    for (const g of all) {
      assert.equal(await awards.countDocuments({ user_id: g.sender_id, event_id: `gift:${g._id}`, source: "gift_sent" }), 1, "the sender's XP, once");
      assert.equal(await awards.countDocuments({ user_id: g.creator_id, event_id: `gift:${g._id}`, source: "gift_received" }), 1, "the creator's XP, once");
    }
    const progress = await db.collection<{ _id: string; xp: number }>("progress").findOne({ _id: creator.id });
    const received = await awards.find({ user_id: creator.id, source: "gift_received" }).toArray();
    assert.equal(received.length, all.length);
    assert.ok(progress && progress.xp >= received.reduce((s, a) => s + a.xp, 0), "the creator's XP counter includes every gift");
    // each gift has a seq and exactly one ordered `gift` event under it
    const events = await db.collection("live_events").find({ stream_id: streamId, type: "gift" }).toArray();
    assert.equal(events.length, all.length);
    assert.deepEqual(new Set(events.map((e) => e.seq)), new Set(all.map((g) => g.seq)));
    assert.equal(await server.stop("SIGTERM"), 0);
    server = undefined;
  });
});
