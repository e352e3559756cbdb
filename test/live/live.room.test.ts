import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { api } from "../support/http";
import { createUser, type TestUser } from "../support/factories";
import { nextMessage } from "../support/sdk";
import { collect, createStream, grantTokens, joinLive, liveStream, requestError, settle, until, withConfig, liveSuite } from "../support/live";
import { config } from "../../src/config";
import { LiveEventModel } from "../../src/live/live-event.model";
import { RestrictionModel } from "../../src/live/stream.model";
import { matchMaker } from "@colyseus/core";

/**
 * The `live` room through real SDK clients: who may join, what the state holds (bounded lists,
 * viewerCount, staff-only parts), chat limits and moderation.
 */
describe("live room", () => {
  let creator: TestUser;
  const { track } = liveSuite(async () => {
    creator = await createUser({ roles: ["creator"] });
  });

  describe("joining", () => {
    it("refuses a stream that is not live (lobby opens 15 minutes before a scheduled start), a bad id, no token", async () => {
      const viewer = await createUser();
      const later = await createStream(creator, { scheduled_at: new Date(Date.now() + 3600_000).toISOString() });
      await assert.rejects(joinLive(viewer, later), /stream_not_live/);
      const soon = await createStream(creator, { scheduled_at: new Date(Date.now() + 10 * 60_000).toISOString() });
      const lobby = await track(joinLive(viewer, soon));
      const s = await until(lobby, (s) => s.status === "scheduled", "lobby state");
      assert.equal(s.viewerCount, 1);
      await assert.rejects(joinLive(viewer, "nope" as string), /streamId/);
      await assert.rejects(joinLive({ ...viewer, token: "" }, soon), /token|required/i);
      const id = await liveStream(creator);
      await api("POST", `/api/v1/streams/${id}/end`, { token: creator.token, body: {} });
      await assert.rejects(joinLive(viewer, id), /stream_not_live/);
    });

    it("access rules: followers-only lets followers in; ticketed needs a ticket; the creator always", async () => {
      const fan = await createUser();
      const stranger = await createUser();
      await api("POST", `/api/v1/users/${creator.id}/follow`, { token: fan.token });
      const followers = await liveStream(creator, { access: "followers" });
      await assert.rejects(joinLive(stranger, followers), /followers_only/);
      await track(joinLive(fan, followers));
      await track(joinLive(creator, followers));
      await api("POST", `/api/v1/streams/${followers}/end`, { token: creator.token, body: {} });
      const ticketed = await liveStream(creator, { access: "ticketed", ticket_price: 10 });
      await assert.rejects(joinLive(fan, ticketed), /ticket_required/);
      await grantTokens(fan, 10);
      assert.equal((await api("POST", `/api/v1/streams/${ticketed}/tickets`, { token: fan.token, body: {} })).status, 201);
      await track(joinLive(fan, ticketed));
      await assert.rejects(joinLive(stranger, ticketed), /ticket_required/);
    });

    it("a banned user is dropped at once and cannot rejoin; an unban lets them back", async () => {
      const id = await liveStream(creator);
      const troll = await createUser();
      const host = await track(joinLive(creator, id));
      const room = await track(joinLive(troll, id));
      const banned = nextMessage(room, "banned");
      const left = new Promise<number>((resolve) => room.onLeave((code: number) => resolve(code)));
      await host.send("ban", { userId: troll.id });
      await banned;
      assert.equal(await left, 4403);
      await assert.rejects(joinLive(troll, id), /banned/);
      await until(host, (s) => s.viewerCount === 1, "the troll no longer counted");
      assert.equal((await host.request("unban", { userId: troll.id })).ok, true);
      await track(joinLive(troll, id));
    });
  });

  describe("state", () => {
    it("viewerCount, never a viewer list; the last 50 chat lines; the chat is persisted for replay", () => withConfig({ LIVE_CHAT_BURST: 100, LIVE_ROOM_FLOOD_PER_S: 1000 }, async () => {
      const id = await liveStream(creator);
      const viewers = [await createUser(), await createUser(), await createUser()];
      const rooms = await Promise.all(viewers.map((v) => track(joinLive(v, id))));
      const s = await until(rooms[0]!, (s) => s.viewerCount === 3, "3 viewers");
      assert.equal(JSON.stringify(s).includes(viewers[1]!.id), false, "no viewer ids in the state");
      for (let i = 0; i < 55; i++) await rooms[i % 3]!.request("chat", { text: `line ${i}` });
      const after = await until(rooms[2]!, (s) => s.chat.length === 50 && s.chat[49].text === "line 54", "50 lines");
      assert.equal(after.chat[0].text, "line 5");
      assert.deepEqual(after.chat.map((c: any) => c.seq), [...after.chat.map((c: any) => c.seq)].sort((a: number, b: number) => a - b));
      assert.equal(await LiveEventModel.countDocuments({ stream_id: id, type: "chat" }), 55);
    }));

    it("reports and timeouts reach the creator and moderators only (StateView); a granted moderator starts seeing them", async () => {
      const id = await liveStream(creator);
      const [mod, viewer, noisy] = [await createUser(), await createUser(), await createUser()];
      const host = await track(joinLive(creator, id));
      const modRoom = await track(joinLive(mod, id));
      const viewerRoom = await track(joinLive(viewer, id));
      const noisyRoom = await track(joinLive(noisy, id));
      const { seq } = await noisyRoom.request("chat", { text: "buy followers" });
      await viewerRoom.request("report", { seq, reason: "spam" });
      await until(host, (s) => s.staff?.reports?.length === 1, "the report for the creator");
      assert.equal(stateOf(modRoom).staff, undefined);
      await host.request("add_moderator", { userId: mod.id });
      const modState = await until(modRoom, (s) => s.staff?.reports?.length === 1, "the moderator sees reports");
      assert.equal(modState.staff.reports[0].reason, "spam");
      await modRoom.request("timeout", { userId: noisy.id, seconds: 60 });
      await until(host, (s) => s.staff.timeouts[noisy.id] !== undefined, "the timeout listed");
      await settle(150);
      assert.equal(stateOf(viewerRoom).staff, undefined, "viewers never receive the staff part");
      const err = await requestError(noisyRoom.request("chat", { text: "hello?" }));
      assert.equal(err.code, "timed_out");
      assert.equal((await requestError(viewerRoom.request("timeout", { userId: noisy.id }))).code, "moderators_only");
    });
  });

  describe("chat", () => {
    it("a flood is throttled with rate_limited and retry_after_ms while the room keeps serving others", async () => {
      const id = await liveStream(creator);
      const [spammer, calm] = [await createUser(), await createUser()];
      const spam = await track(joinLive(spammer, id));
      const other = await track(joinLive(calm, id));
      const errors = collect(spam, "error");
      for (let i = 0; i < 12; i++) spam.send("chat", { text: `spam ${i}` });
      await settle(300);
      const limited = errors.filter((e) => e.code === "rate_limited");
      assert.equal(limited.length, 12 - config().LIVE_CHAT_BURST);
      assert.ok(limited.every((e) => e.details.retry_after_ms > 0 && e.details.retry_after_ms <= 1000));
      const reply = await other.request("chat", { text: "still here" });
      assert.ok(reply.seq > 0);
      const s = await until(other, (s) => s.chat.some((c: any) => c.text === "still here"), "the calm line");
      assert.equal(s.chat.filter((c: any) => c.text.startsWith("spam")).length, config().LIVE_CHAT_BURST);
    });

    it("room-wide flood limit: many users together are capped per second", () => withConfig({ LIVE_ROOM_FLOOD_PER_S: 4 }, async () => {
      {
        const id = await liveStream(creator);
        const users = await Promise.all(Array.from({ length: 8 }, () => createUser()));
        const rooms = await Promise.all(users.map((u) => track(joinLive(u, id))));
        const outcomes = await Promise.allSettled(rooms.map((r, i) => r.request("chat", { text: `hi ${i}` })));
        const refused = outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason.code);
        assert.ok(refused.length >= 4 && refused.every((c) => c === "rate_limited"), JSON.stringify(refused));
      }
    }));

    it("slow mode, blocked words (masked), links refused unless allowed — set by the creator", async () => {
      const id = await liveStream(creator);
      const viewer = await createUser();
      const host = await track(joinLive(creator, id));
      const room = await track(joinLive(viewer, id));
      assert.equal((await requestError(room.request("chat", { text: "visit spam.com" }))).code, "links_not_allowed");
      await host.request("settings", { slow_mode_s: 30, blocked_words: ["darn"], links_allowed: true });
      await until(room, (s) => s.settings.slowModeS === 30, "slow mode in the state");
      const masked = await room.request("chat", { text: "darn it, see https://ok.example" });
      assert.equal(masked.text, "**** it, see https://ok.example");
      const slow = await requestError(room.request("chat", { text: "again" }));
      assert.equal(slow.code, "slow_mode");
      await host.request("chat", { text: "creator is exempt" });
      await host.request("chat", { text: "from slow mode" });
      assert.equal((await requestError(room.request("settings", { slow_mode_s: 0 }))).code, "moderators_only");
    });

    it("a moderator deletes a line and pins another; both reach every client", async () => {
      const id = await liveStream(creator);
      const viewer = await createUser();
      const host = await track(joinLive(creator, id));
      const room = await track(joinLive(viewer, id));
      const bad = await room.request("chat", { text: "bad line" });
      const good = await room.request("chat", { text: "good line" });
      assert.equal((await requestError(room.request("delete_message", { seq: bad.seq }))).code, "moderators_only");
      await host.request("delete_message", { seq: bad.seq });
      await host.request("pin", { seq: good.seq });
      const s = await until(room, (s) => s.pinned?.text === "good line" && !s.chat.some((c: any) => c.text === "bad line"), "deleted and pinned");
      assert.equal(s.chat.length, 1);
      assert.equal((await requestError(host.request("delete_message", { seq: 9999 }))).code, "message_not_found");
    });

    it("a timeout refuses the viewer's lines from the moment it is issued — held by the room, not read per line; a room opened later loads it", async () => {
      const id = await liveStream(creator);
      const noisy = await createUser();
      const host = await track(joinLive(creator, id));
      const room = await track(joinLive(noisy, id));
      await room.request("chat", { text: "first" });
      await host.request("timeout", { userId: noisy.id, seconds: 60 });
      const refused = await requestError(room.request("chat", { text: "right after the timeout" }));
      assert.equal(refused.code, "timed_out");
      // the room holds the stream's timeouts: with the stored row gone, the next line is still refused
      await RestrictionModel.deleteMany({ stream_id: id });
      assert.equal((await requestError(room.request("chat", { text: "still timed out" }))).code, "timed_out");
      await host.request("timeout", { userId: noisy.id, seconds: 60 });
      // every client leaves, the room closes; the next one loads the timeout from the database
      await Promise.all([room.leave(), host.leave()]);
      for (let waited = 0; (await matchMaker.query({ name: "live" })).length > 0 && waited < 3000; waited += 50) await settle(50);
      assert.deepEqual(await matchMaker.query({ name: "live" }), []);
      const again = await track(joinLive(noisy, id));
      assert.equal((await requestError(again.request("chat", { text: "new room, same timeout" }))).code, "timed_out");
      assert.deepEqual((await LiveEventModel.find({ stream_id: id, type: "chat" }).lean()).map((e) => e.data.text), ["first"]);
    });

    it("bad messages are answered with an error and change nothing", async () => {
      const id = await liveStream(creator);
      const room = await track(joinLive(await createUser(), id));
      for (const [type, body] of [["chat", {}], ["chat", { text: 5 }], ["gift", { giftCode: "x" }], ["react", { reaction: "meh" }], ["ban", { userId: "x" }]] as const) {
        assert.equal((await requestError(room.request(type, body))).code, "invalid_message", type);
      }
      assert.equal(await LiveEventModel.countDocuments({ stream_id: id, type: "chat" }), 0);
    });
  });
});

function stateOf(room: Room<any>): any {
  return room.state.toJSON();
}
