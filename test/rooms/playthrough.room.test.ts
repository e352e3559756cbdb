import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { manualClock, resetState, testServer } from "../support/server";
import type { TestUser } from "../support/factories";
import { sdkClient, untilState } from "../support/sdk";
import { api } from "../support/http";
import { seedSampleBook } from "../../src/fiction/seed";
import { getWallet } from "../../src/economy";
import { EntryModel } from "../../src/economy/ledger.model";
import { ProgressModel } from "../../src/fiction/progress.model";
import { KEY_CHECK_MS } from "../../rooms/playthrough.room";
import { createReader, drainKeys, grantDiamonds } from "../fiction/fiction.fixtures";

/**
 * The `playthrough` room through real SDK clients: one room per player and book shared by the
 * player's devices, the story walked and chosen through messages, money and progress moving
 * together exactly once, and keys regenerating on the app clock.
 */

async function join(user: TestUser, bookId: string, userId = user.id): Promise<Room<any>> {
  const room = await sdkClient(user.token).joinOrCreate("playthrough", { bookId, userId });
  room.onMessage("error", () => undefined); // refusals are asserted on the rejected requests
  return room;
}

const stateOf = (room: Room<any>): any => room.state.toJSON();

const until = untilState;

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: any) => (err.code === code ? true : assert.fail(`expected ${code}, got ${err.code}: ${err.message}`)));
}

describe("playthrough room", () => {
  let reader: TestUser;
  let bookId: string;
  const rooms: Room<any>[] = [];
  before(testServer);
  beforeEach(async () => {
    await resetState();
    reader = await createReader();
    bookId = (await seedSampleBook()).book_id;
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => r.leave().catch(() => undefined)));
  });
  const open = async (user: TestUser = reader, userId?: string) => {
    const room = await join(user, bookId, userId);
    rooms.push(room);
    return room;
  };

  it("is one room per player and book: a second device shares it; nobody else may join it", async () => {
    const phone = await open();
    const tablet = await open();
    assert.equal(phone.roomId, tablet.roomId);
    const other = await createReader();
    const theirs = await open(other);
    assert.notEqual(theirs.roomId, phone.roomId);
    await assert.rejects(join(other, bookId, reader.id), /not_your_playthrough/);
    await assert.rejects(sdkClient().joinOrCreate("playthrough", { bookId, userId: reader.id }), /token|required/i);
    await assert.rejects(join(reader, "nope"), /invalid_join_options/);

    await phone.request("start", { chapter: 1 });
    const seen = await until(tablet, (s) => s.sceneId === "gate", "the tablet sees the phone's start");
    assert.equal(seen.mode, "story");
    assert.equal(seen.keys, 4);
    assert.deepEqual(seen.current, { character: "Drake", text: "Halt! Who goes there?", expression: "stern" });
    assert.deepEqual(seen.options.map((o: any) => [o.id, o.cost, o.affordable]), [["demand", 0, true], ["persuade", 0, true], ["bribe", 20, false]]);
  });

  it("walks the timeline, applies choices and effects, refuses what is not available or not affordable", async () => {
    const room = await open();
    await rejectsWith(room.request("advance", {}), "no_active_chapter");
    await room.request("start", { chapter: 1 });
    await room.request("advance", {});
    let s = await until(room, (x) => x.line === 1, "line 1");
    assert.equal(s.current.text, "I am here to see the Prince.");
    assert.equal(s.lineCount, 3);

    await rejectsWith(room.request("choose", { optionId: "gown" }), "choice_not_available");
    await rejectsWith(room.request("choose", { optionId: "bribe" }), "insufficient_funds");
    await rejectsWith(room.request("choose", { optionId: "persuade", cost: 0 }), "invalid_message");
    s = stateOf(room);
    assert.deepEqual([s.sceneId, s.step, s.diamonds], ["gate", 0, 0], "refusals change nothing");

    const reply = await room.request("choose", { optionId: "persuade" });
    assert.deepEqual(reply, { applied: true, optionId: "persuade", cost: 0, effects: { relationships: { drake: 5 } } });
    s = await until(room, (x) => x.sceneId === "persuade", "the persuade scene");
    assert.deepEqual(s.relationships, { drake: 5 });
    assert.equal(s.step, 1);
  });

  it("applies one premium choice sent 20 times at once from two devices: one debit, one step", async () => {
    await grantDiamonds(reader.id, 50);
    const phone = await open();
    const tablet = await open();
    await phone.request("start", { chapter: 1 });
    await until(tablet, (s) => s.sceneId === "gate" && s.diamonds === 50, "both devices at the gate");
    const sends = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? phone : tablet).request("choose", { optionId: "bribe", step: 0 }));
    const replies = (await Promise.all(sends)) as any[];
    assert.equal(replies.filter((r) => r.applied).length, 1, "applied once");
    assert.equal(replies.filter((r) => !r.applied).length, 19, "the other 19 are acknowledged repeats");
    assert.equal((await getWallet(reader.id)).balances.diamonds, 30);
    assert.equal(await EntryModel.countDocuments({ user_id: reader.id, reason: "premium_choice" }), 1, "one ledger entry");
    const progress = await ProgressModel.findById(`${reader.id}:${bookId}`).lean();
    assert.equal(progress!.run.cursor.step, 1, "one progress step");
    assert.equal(progress!.run.cursor.sceneId, "bribe");
    const s = await until(tablet, (x) => x.sceneId === "bribe", "the tablet sees the bribe");
    assert.deepEqual([s.diamonds, s.step, s.flags], [30, 1, { bribed_guard: true }]);
  });

  // in practice the free write commits first (the premium one waits for a ledger batch), so this
  // exercises a premium choice whose progress write loses inside withTransfer: no diamonds move
  it("races a premium and a free option at one choice point: one wins, diamonds move only if the premium one did", async () => {
    await grantDiamonds(reader.id, 50);
    const phone = await open();
    const tablet = await open();
    await phone.request("start", { chapter: 1 });
    const sends = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? phone.request("choose", { optionId: "bribe", step: 0 }) : tablet.request("choose", { optionId: "persuade", step: 0 }),
    );
    const results = await Promise.allSettled(sends);
    const applied = results.filter((r) => r.status === "fulfilled" && (r.value as any).applied).map((r) => (r as PromiseFulfilledResult<any>).value.optionId);
    assert.equal(applied.length, 1, "one choice applied");
    const loser = applied[0] === "bribe" ? "persuade" : "bribe";
    for (const r of results) {
      if (r.status === "rejected") assert.equal((r.reason as any).code, "choice_not_available");
      else if (!(r.value as any).applied) assert.equal((r.value as any).optionId, applied[0], "repeats are of the winner only");
    }
    assert.ok(results.some((r) => r.status === "rejected"), `the ${loser} copies are refused`);
    const progress = await ProgressModel.findById(`${reader.id}:${bookId}`).lean();
    assert.equal(progress!.run.cursor.step, 1);
    assert.equal(progress!.run.cursor.sceneId, applied[0]);
    const paid = applied[0] === "bribe" ? 20 : 0;
    assert.equal((await getWallet(reader.id)).balances.diamonds, 50 - paid);
    assert.equal(await EntryModel.countDocuments({ user_id: reader.id, reason: "premium_choice" }), paid > 0 ? 1 : 0);
  });

  it("with 0 diamonds the premium choice is insufficient_funds 20 times and nothing changes", async () => {
    const phone = await open();
    const tablet = await open();
    await phone.request("start", { chapter: 1 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? phone : tablet).request("choose", { optionId: "bribe", step: 0 })));
    assert.ok(results.every((r) => r.status === "rejected" && (r.reason as any).code === "insufficient_funds"));
    const progress = await ProgressModel.findById(`${reader.id}:${bookId}`).lean();
    assert.deepEqual([progress!.run.cursor.sceneId, progress!.run.cursor.step, progress!.owned_options], ["gate", 0, []]);
    assert.equal(await EntryModel.countDocuments({ user_id: reader.id, reason: "premium_choice" }), 0);
  });

  it("regenerates keys at the boundary on the app clock: not a millisecond early", async () => {
    const clock = manualClock(Date.now());
    await drainKeys(reader.id);
    const room = await open();
    const s0 = await until(room, (s) => s.keys === 0 && s.nextKeyAt > 0, "no keys, a next key time");
    const interval = (await getWallet(reader.id)).keys.interval_seconds * 1000;
    assert.equal(s0.nextKeyAt, clock.now().getTime() + interval);
    await rejectsWith(room.request("start", { chapter: 1 }), "insufficient_funds");

    clock.set(s0.nextKeyAt - 1);
    await new Promise((r) => setTimeout(r, KEY_CHECK_MS * 3));
    assert.equal(stateOf(room).keys, 0, "one millisecond before: still none");
    await rejectsWith(room.request("start", { chapter: 1 }), "insufficient_funds");

    clock.set(s0.nextKeyAt);
    const s1 = await until(room, (s) => s.keys === 1, "the key at the boundary");
    assert.equal(s1.nextKeyAt, s0.nextKeyAt + interval);
    await room.request("start", { chapter: 1 });
    const s2 = await until(room, (s) => s.sceneId === "gate", "chapter 1 started");
    assert.equal(s2.keys, 0);
    assert.equal(s2.nextKeyAt, s0.nextKeyAt + interval, "spending below the cap keeps the running interval");
  });

  it("shows a step made over the REST fallback to the player's open room", async () => {
    const room = await open();
    await room.request("start", { chapter: 1 });
    const res = await api("POST", "/api/v1/play/choice", { token: reader.token, body: { book_id: bookId, scene_id: "gate", choice_id: "demand" } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const s = await until(room, (x) => x.sceneId === "confront", "the REST choice in the room");
    assert.deepEqual(s.relationships, { drake: -5 });
  });

  it("reaches the end of a chapter through the room and replays it free", async () => {
    await grantDiamonds(reader.id, 100);
    const room = await open();
    await room.request("start", { chapter: 1 });
    await room.request("choose", { optionId: "demand" });
    await room.request("advance", {});
    await room.request("choose", { optionId: "gown" });
    await room.request("advance", {});
    let s = await until(room, (x) => x.ended, "the end of chapter 1");
    assert.deepEqual(s.completedChapters, [1]);
    assert.deepEqual(s.outfits, ["silver_gown"]);
    await room.request("start", { chapter: 1 });
    s = await until(room, (x) => x.mode === "replay", "a replay");
    assert.equal(s.keys, 4, "no key for a replay");
    assert.equal(s.sceneId, "gate");
  });
});
