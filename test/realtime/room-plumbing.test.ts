import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import type { Room } from "@colyseus/sdk";
import { config, setConfig } from "../../src/config";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { nextMessage, sdkClient, untilState } from "../support/sdk";
import { postStory } from "../support/stories";

/**
 * What every room gets from src/realtime (shown on the story room): reconnection after a dropped
 * socket, malformed frames answered instead of disconnecting, one room per key.
 */

/** Drop the socket the way a phone losing its network does: not a clean leave (4010 = may reconnect). */
function dropSocket(room: Room<any>): void {
  room.connection.close(4010, "network lost");
}

function onceReconnected(room: Room<any>, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not reconnected within ${ms} ms`)), ms);
    room.onReconnect(() => (clearTimeout(timer), resolve()));
  });
}

function onceLeft(room: Room<any>, ms = 8000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no leave within ${ms} ms`)), ms);
    room.onLeave((code: number) => (clearTimeout(timer), resolve(code)));
  });
}

/** A raw frame: protocol byte, msgpack fixstr type, then `payload` bytes. */
function frame(protocol: number, type: string, payload: number[]): Uint8Array {
  const name = Buffer.from(type, "utf8");
  return Uint8Array.from([protocol, 0xa0 | name.length, ...name, ...payload]);
}

const ROOM_DATA = 13;

describe("room plumbing (src/realtime) through the story room", () => {
  const open: Room<any>[] = [];
  const track = async (p: Promise<Room<any>>) => {
    const room = await p;
    open.push(room);
    return room;
  };
  const original = config();

  before(testServer);
  beforeEach(resetState);
  afterEach(async () => {
    setConfig(original);
    await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
  });

  describe("reconnection", () => {
    it("a dropped socket comes back to the same room, seat and state, and sees what changed meanwhile", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const first = await postStory(author);
      const watcher = await track(sdkClient(author.token).joinOrCreate("story", { authorId: author.id }));
      const room = await track(sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id }));
      room.reconnection.minUptime = 0; // the SDK only reconnects rooms up for 5 s by default
      await untilState(watcher, (s) => s.watchingNow === 2, "two watching");
      const { roomId, sessionId } = room;

      const back = onceReconnected(room);
      dropSocket(room);
      await untilState(watcher, (s) => s.watchingNow === 1, "the dropped client no longer counted");
      const second = await postStory(author); // happens while the viewer is away
      await back;

      assert.equal(room.roomId, roomId, "same room");
      assert.equal(room.sessionId, sessionId, "same seat");
      const state = await untilState(room, (s) => Object.keys(s.stories ?? {}).length === 2, "both stories");
      assert.deepEqual(Object.keys(state.stories).sort(), [first, second].sort());
      await untilState(watcher, (s) => s.watchingNow === 2, "counted again");
      const reply = await room.request("view", { storyId: first });
      assert.deepEqual(reply, { counted: true, viewCount: 1 }, "the returning client acts as itself");
    });

    it("after the grace period the seat is gone: reconnecting fails and the client has left", async () => {
      setConfig({ ...original, ROOM_RECONNECT_GRACE_MS: 200 });
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      await postStory(author);
      const watcher = await track(sdkClient(author.token).joinOrCreate("story", { authorId: author.id }));
      const room = await track(sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id }));
      Object.assign(room.reconnection, { minUptime: 0, minDelay: 800, delay: 800, maxRetries: 1 }); // first retry after the grace
      await untilState(watcher, (s) => s.watchingNow === 2, "two watching");

      const left = onceLeft(room);
      dropSocket(room);
      assert.equal(await left, 4003, "the SDK gives up: FAILED_TO_RECONNECT");
      const rooms = await matchMaker.query({ name: "story" });
      assert.equal(rooms.length, 1);
      assert.equal(rooms[0]!.clients, 1, "the seat was released");
      assert.equal(watcher.state.toJSON().watchingNow, 1);
    });
  });

  describe("malformed frames", () => {
    it("answers an unknown type, raw bytes, bad msgpack and an unreadable header with an error, and keeps the client", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const storyId = await postStory(author);
      const other = await track(sdkClient(author.token).joinOrCreate("story", { authorId: author.id }));
      const room = await track(sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id }));

      let error = nextMessage(room, "error");
      room.send("no-such-type", { a: 1 });
      assert.deepEqual(await error, { type: "no-such-type", code: "unknown_message", message: 'This room has no "no-such-type" message.' });

      error = nextMessage(room, "error");
      room.sendBytes("view", new Uint8Array([1, 2, 3]));
      const bytes: any = await error;
      assert.equal(bytes.code, "unknown_message");
      assert.equal(bytes.type, "view");

      error = nextMessage(room, "error");
      room.connection.send(frame(ROOM_DATA, "view", [0x92, 0x01])); // an array of 2 with one element: truncated msgpack
      assert.deepEqual(await error, { type: "view", code: "malformed_message", message: "This message could not be read (not valid msgpack)." });

      error = nextMessage(room, "error");
      room.connection.send(Uint8Array.from([ROOM_DATA, 0xd9])); // a str8 type header with no length byte
      assert.ok(["malformed_message", "unknown_message"].includes(((await error) as any).code), "answered, not closed");

      room.connection.send(Uint8Array.from([0xff, 0x00, 0x13])); // no such protocol code: ignored

      assert.equal(room.connection.isOpen, true, "still connected");
      assert.deepEqual(await room.request("view", { storyId }), { counted: true, viewCount: 1 }, "and still served");
      assert.equal((await matchMaker.query({ name: "story" }))[0]!.clients, 2);
      assert.equal(other.connection.isOpen, true);
    });

    it("a request's error keeps its details; a frame over 4 KiB closes only its own connection", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const storyId = await postStory(author);
      const other = await track(sdkClient(author.token).joinOrCreate("story", { authorId: author.id }));
      const room = await track(sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id }));

      const details = nextMessage(room, "error");
      await assert.rejects(room.request("view", { storyId: "x" }), (err: any) => err.code === "invalid_message");
      const e: any = await details;
      assert.equal(e.request, true);
      assert.equal(e.code, "invalid_message");
      assert.deepEqual(e.details.map((d: any) => d.path), ["storyId"]);

      const left = onceLeft(room);
      room.reconnection.enabled = false;
      room.send("reply", { storyId, text: "x".repeat(5000) });
      assert.equal(await left, 1009, "ws refuses the frame (message too big)");
      assert.deepEqual(await other.request("view", { storyId }), { counted: false, viewCount: 0 }, "the other client is unaffected");
    });
  });

  describe("one room per key", () => {
    it("create for an author who has a room is refused, also when 10 arrive at once; joinOrCreate joins it", async () => {
      const author = await createUser({ roles: ["creator"] });
      const creates = await Promise.allSettled(Array.from({ length: 10 }, () => sdkClient(author.token).create("story", { authorId: author.id })));
      const created = creates.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<Room<any>>).value);
      open.push(...created);
      assert.equal(created.length, 1, "exactly one create succeeds");
      for (const r of creates) if (r.status === "rejected") assert.match(String(r.reason?.message), /room_key_taken/);

      for (let i = 0; i < 5; i++) await assert.rejects(sdkClient(author.token).create("story", { authorId: author.id }), /room_key_taken/);
      const joined = await track(sdkClient(author.token).joinOrCreate("story", { authorId: author.id }));
      assert.equal(joined.roomId, created[0]!.roomId);
      assert.equal((await matchMaker.query({ name: "story" })).length, 1);

      // the key is free again once the room is gone
      await Promise.all(open.splice(0).map((r) => r.leave()));
      for (let i = 0; i < 40 && (await matchMaker.query({ name: "story" })).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      const again = await track(sdkClient(author.token).create("story", { authorId: author.id }));
      assert.notEqual(again.roomId, created[0]!.roomId);
    });
  });
});
