import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser, createUsers, type TestUser } from "../support/factories";
import { collect, grantTokens, joinLive, liveStream, requestError, seedGiftCatalog, settle, tokensOf, until, withConfig, WELCOME_TOKENS, liveSuite } from "../support/live";
import { GiftEventModel, VelocityRefusalModel } from "../../src/live/gift.model";
import { useGiftRandom } from "../../src/live/gift.service";
import { getLeaderboard } from "../../src/leaderboards/leaderboard.service";
import { getProgressionProfile } from "../../src/progression/progression.service";
import { reconcile } from "../../src/economy";
import { manualClock } from "../support/server";

/** Gifts and command gifts through the room and REST: money exactly once, boards, XP, goals, commands in order. */
describe("live gifts", () => {
  let creator: TestUser;
  const { track } = liveSuite(async () => {
    await seedGiftCatalog();
    creator = await createUser({ roles: ["creator"] });
  });

  it("GET /gifts lists the seeded catalog (codes, costs, commands)", async () => {
    const res = await api("GET", "/api/v1/gifts", { token: creator.token });
    assert.equal(res.status, 200);
    const byCode = Object.fromEntries(res.body.items.map((g: any) => [g.code, g]));
    assert.deepEqual(byCode.rose, { code: "rose", name: "Rose", token_cost: 5, animation_key: "rose_spin", rarity: "common" });
    assert.equal(byCode.wheel.command.action, "spin_wheel");
    assert.equal((await seedGiftCatalog()) > 0, true, "seeding again is harmless");
    assert.equal((await api("GET", "/api/v1/gifts", { token: creator.token })).body.items.length, res.body.items.length);
  });

  it("a gift debits exactly once under retries and concurrent sends of one key; the reply carries the new balance", async () => {
    const id = await liveStream(creator);
    const fan = await createUser();
    await grantTokens(fan, 100);
    const room = await track(joinLive(fan, id));
    const body = { giftCode: "rocket", quantity: 1, idempotencyKey: "key-00000001" };
    const replies = await Promise.all(Array.from({ length: 6 }, () => room.request("gift", body)));
    assert.deepEqual(new Set(replies.map((r) => r.balance)), new Set([WELCOME_TOKENS + 100 - 100]));
    assert.equal(replies.filter((r) => !r.replayed).length, 1);
    assert.equal(new Set(replies.map((r) => r.gift_event_id)).size, 1);
    const retry = await room.request("gift", body);
    assert.deepEqual([retry.replayed, retry.balance, retry.seq], [true, WELCOME_TOKENS, replies[0].seq]);
    assert.equal(await tokensOf(fan), WELCOME_TOKENS);
    assert.equal(await tokensOf(creator), WELCOME_TOKENS + 70, "creator share 70%");
    assert.equal(await GiftEventModel.countDocuments({ stream_id: id }), 1);
    const reused = await requestError(room.request("gift", { ...body, giftCode: "rose" }));
    assert.equal(reused.code, "idempotency_key_reused");
    const poor = await requestError(room.request("gift", { giftCode: "crown", quantity: 1, idempotencyKey: "key-00000002" }));
    assert.equal(poor.code, "insufficient_funds");
    assert.equal(await GiftEventModel.countDocuments({ stream_id: id }), 1);
    assert.equal((await reconcile()).ok, true);
  });

  it("concurrent gifts from many viewers keep every balance, the creator's total and the boards exact", async () => {
    const id = await liveStream(creator);
    const fans = await createUsers(12);
    for (const fan of fans) await grantTokens(fan, 200);
    const rooms = await Promise.all(fans.map((f) => track(joinLive(f, id))));
    const sends = rooms.flatMap((room, i) => Array.from({ length: 3 }, (_, k) => room.request("gift", { giftCode: i % 2 ? "star" : "rose", quantity: k + 1, idempotencyKey: `fan-${i}-gift-${k}` })));
    const replies = await Promise.all(sends);
    const spent = (i: number) => (i % 2 ? 10 : 5) * (1 + 2 + 3);
    for (let i = 0; i < fans.length; i++) assert.equal(await tokensOf(fans[i]!), WELCOME_TOKENS + 200 - spent(i), `fan ${i}`);
    const total = fans.reduce((sum, _f, i) => sum + spent(i), 0);
    const creatorShare = replies.reduce((sum, r) => sum + (r.tokens - Math.ceil(r.tokens * 0.3)), 0);
    assert.equal(await tokensOf(creator), WELCOME_TOKENS + creatorShare);
    const board = await getLeaderboard("stream_gifters", { scope_id: id, limit: 20 });
    assert.equal(board.items.length, 12);
    assert.equal(board.items.reduce((s, it) => s + it.score, 0), total);
    assert.equal(board.items[0]!.score, 60);
    const weekly = await getLeaderboard("gifters_weekly", { limit: 20 });
    assert.equal(weekly.items.reduce((s, it) => s + it.score, 0), total);
    const s = await until(rooms[0]!, (s) => s.topGifters.length === 10 && s.topGifters[0].tokens === 60, "top 10 gifters in the state");
    assert.ok(s.topGifters.every((g: any, i: number) => i === 0 || s.topGifters[i - 1].tokens >= g.tokens));
    assert.equal(new Set(replies.map((r) => r.seq)).size, replies.length, "one seq per gift");
    const xp = await getProgressionProfile(creator.id);
    assert.ok(xp.xp > 0, "the creator earned XP");
    assert.equal((await reconcile()).ok, true);
    // ending the stream gives its top gifter (60 tokens; ties go to who got there first) the badge, once
    const leader = board.items[0]!.user.id;
    assert.equal((await api("POST", `/api/v1/streams/${id}/end`, { token: creator.token, body: {} })).status, 200);
    const badgesOf = async (userId: string) => (await getProgressionProfile(userId)).badges.filter((b) => b.id === "top_gifter").length;
    assert.equal(await badgesOf(leader), 1);
    assert.equal(await badgesOf(board.items[1]!.user.id), 0);
    await api("POST", `/api/v1/streams/${id}/archive`, { token: creator.token, body: {} });
    assert.equal(await badgesOf(leader), 1, "archive re-awards nothing");
  });

  it("goals advance with gifts and complete once", async () => {
    const id = await liveStream(creator);
    const fan = await createUser();
    await grantTokens(fan, 100);
    const host = await track(joinLive(creator, id));
    const room = await track(joinLive(fan, id));
    await host.request("add_goal", { kind: "tokens", target: 20, title: "20 tokens" });
    assert.equal((await requestError(room.request("add_goal", { kind: "gifts", target: 2, title: "x" }))).code, "not_stream_creator");
    await room.request("gift", { giftCode: "star", quantity: 1, idempotencyKey: "goal-gift-1" });
    await until(room, (s) => s.goals[0]?.progress === 10 && !s.goals[0].completed, "goal at 10");
    await room.request("gift", { giftCode: "star", quantity: 2, idempotencyKey: "goal-gift-2" });
    await until(room, (s) => s.goals[0].progress === 30 && s.goals[0].completed, "goal completed");
  });

  it("velocity: a burst past the per-minute limit and the daily cap is refused with its code and logged", () =>
    withConfig({ LIVE_GIFTS_PER_MINUTE: 3, LIVE_DAILY_SPEND_CAP: 40 }, async () => {
      const id = await liveStream(creator);
      const fan = await createUser();
      await grantTokens(fan, 500);
      const room = await track(joinLive(fan, id));
      for (let i = 0; i < 3; i++) await room.request("gift", { giftCode: "heart", quantity: 1, idempotencyKey: `burst-key-${i}` });
      assert.equal((await requestError(room.request("gift", { giftCode: "heart", quantity: 1, idempotencyKey: "burst-key-9" }))).code, "gift_rate_exceeded");
      const other = await createUser();
      await grantTokens(other, 500);
      const room2 = await track(joinLive(other, id));
      await room2.request("gift", { giftCode: "star", quantity: 4, idempotencyKey: "cap-key-01" });
      assert.equal((await requestError(room2.request("gift", { giftCode: "star", quantity: 1, idempotencyKey: "cap-key-02" }))).code, "daily_spend_cap");
      assert.deepEqual((await VelocityRefusalModel.find({}).lean()).map((r) => r.code).sort(), ["daily_spend_cap", "gift_rate_exceeded"]);
      assert.equal(await tokensOf(fan), WELCOME_TOKENS + 500 - 3);
    }));

  it("admin lists a stream's gift events with their transfer ids; others may not", async () => {
    const id = await liveStream(creator);
    const fan = await createUser();
    await grantTokens(fan, 50);
    const room = await track(joinLive(fan, id));
    await room.request("gift", { giftCode: "rose", quantity: 2, idempotencyKey: "admin-list-1" });
    const admin = await createUser({ roles: ["admin"] });
    const res = await api("GET", `/api/v1/admin/streams/${id}/gifts`, { token: admin.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 1);
    const g = res.body.items[0];
    assert.deepEqual([g.tokens, g.creator_tokens, g.platform_tokens, g.transfer_ids.length], [10, 7, 3, 2]);
    assert.equal((await api("GET", `/api/v1/admin/streams/${id}/gifts`, { token: fan.token })).status, 403);
  });

  describe("command gifts", () => {
    it("reach every client exactly once, in seq order, also across a reconnect (resume after the last seen seq)", async () => {
      const id = await liveStream(creator);
      const [a, b, c] = [await createUser(), await createUser(), await createUser()];
      for (const u of [a, b]) await grantTokens(u, 500);
      const ra = await track(joinLive(a, id));
      const rb = await track(joinLive(b, id));
      const rc = await track(joinLive(c, id));
      const got = [collect(ra, "command"), collect(rb, "command"), collect(rc, "command")];
      const restore = useGiftRandom(() => 0.5);
      try {
        await Promise.all([
          ra.request("gift", { giftCode: "shoutout", quantity: 1, idempotencyKey: "cmd-a-0001", command: { text: "<i>hello</i> world" } }),
          rb.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "cmd-b-0001" }),
          ra.request("gift", { giftCode: "wheel", quantity: 1, idempotencyKey: "cmd-a-0002" }),
        ]);
        await until(rc, (s) => s.commands.length === 3, "3 commands in the state");
        await settle(100);
        for (const list of got) {
          assert.equal(list.length, 3);
          assert.deepEqual(list.map((m) => m.seq), [...list.map((m) => m.seq)].sort((x, y) => x - y));
        }
        assert.deepEqual(got[0]!.map((m) => m.seq), got[2]!.map((m) => m.seq));
        const wheel = got[2]!.find((m) => m.action === "spin_wheel");
        assert.equal(wheel.payload.outcome, "answer a question");
        assert.equal(got[2]!.find((m) => m.action === "overlay").payload.text, "ihello/i world");
        // c misses two commands while away, then resumes after the last seq it saw
        const lastSeen = got[2]!.at(-1).seq;
        await rc.leave();
        await ra.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "cmd-a-0003" });
        await rb.request("gift", { giftCode: "shoutout", quantity: 1, idempotencyKey: "cmd-b-0002", command: { text: "yo" } });
        const back = await track(joinLive(c, id));
        const missed = await back.request("resume", { afterSeq: lastSeen });
        assert.deepEqual(missed.commands.map((m: any) => m.action), ["sound", "overlay"]);
        assert.ok(missed.commands[0].seq > lastSeen && missed.commands[1].seq > missed.commands[0].seq);
        assert.deepEqual(got[0]!.slice(3).map((m) => m.seq), missed.commands.map((m: any) => m.seq));
      } finally {
        restore();
      }
    });

    it("a dropped socket that reconnects within the grace receives the commands it missed, once, in order, then new ones live", async () => {
      const id = await liveStream(creator);
      const [giver, phone] = [await createUser(), await createUser()];
      await grantTokens(giver, 500);
      const watcher = await track(joinLive(creator, id));
      const room = await track(joinLive(phone, id));
      room.reconnection.minUptime = 0; // the SDK only reconnects rooms up for 5 s by default
      const [seen, onPhone] = [collect(watcher, "command"), collect(room, "command")];
      const giverRoom = await track(joinLive(giver, id));
      const gift = (n: number, giftCode = "airhorn") => giverRoom.request("gift", { giftCode, quantity: 1, idempotencyKey: `drop-cmd-${n}-key`, ...(giftCode === "shoutout" ? { command: { text: `line ${n}` } } : {}) });
      await gift(1);
      await until(room, (s) => s.commands.length === 1, "the first command");
      const { roomId, sessionId } = room;
      const back = new Promise<void>((resolve) => room.onReconnect(() => resolve()));
      room.connection.close(4010, "network lost"); // not a clean leave
      await until(watcher, (s) => s.viewerCount === 2, "the server noticed the drop");
      await gift(2, "shoutout");
      await gift(3);
      await gift(4, "shoutout");
      await back;
      assert.deepEqual([room.roomId, room.sessionId], [roomId, sessionId], "the same seat");
      await gift(5);
      await until(watcher, (s) => s.commands.length === 5, "five commands");
      const deadline = Date.now() + 3000;
      while (onPhone.length < 5 && Date.now() < deadline) await settle(20);
      await settle(150); // a duplicate would arrive by now
      assert.equal(seen.length, 5);
      assert.deepEqual(onPhone.map((m) => m.seq), seen.map((m) => m.seq), "each command once, in the stream's order");
      assert.deepEqual(onPhone.map((m) => m.payload.text ?? m.action), ["sound", "line 2", "sound", "line 4", "sound"]);
    });

    it("without a cooldown a command is never refused, also when its clock reads earlier than the last command's", async () => {
      const clock = manualClock();
      const id = await liveStream(creator);
      const fan = await createUser();
      await grantTokens(fan, 500);
      const room = await track(joinLive(fan, id));
      const at = clock.now().getTime();
      clock.set(at + 1000);
      await room.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "clock-key-1" });
      // what a concurrent command whose time was read first, but which commits second, looks like
      clock.set(at);
      await room.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "clock-key-2" });
      assert.equal(await tokensOf(fan), WELCOME_TOKENS + 500 - 15 - 15);
    });

    it("a creator turns commands off or sets a cooldown; refused gifts cost nothing", async () => {
      const id = await liveStream(creator);
      const fan = await createUser();
      await grantTokens(fan, 500);
      const host = await track(joinLive(creator, id));
      const room = await track(joinLive(fan, id));
      await host.request("settings", { commands_enabled: false });
      assert.equal((await requestError(room.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "off-key-1" }))).code, "commands_disabled");
      await host.request("settings", { commands_enabled: true, command_cooldown_s: 60 });
      await room.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "cool-key-1" });
      assert.equal((await requestError(room.request("gift", { giftCode: "airhorn", quantity: 1, idempotencyKey: "cool-key-2" }))).code, "command_cooldown");
      await room.request("gift", { giftCode: "rose", quantity: 1, idempotencyKey: "plain-key-1" });
      assert.equal(await tokensOf(fan), WELCOME_TOKENS + 500 - 15 - 5);
      const fanMod = await requestError(room.request("settings", { commands_enabled: true }));
      assert.equal(fanMod.code, "moderators_only");
    });

    it("a start_poll gift opens a poll every viewer can vote in once", async () => {
      const id = await liveStream(creator);
      const [fan, voter] = [await createUser(), await createUser()];
      await grantTokens(fan, 100);
      const room = await track(joinLive(fan, id));
      const vroom = await track(joinLive(voter, id));
      assert.equal((await requestError(room.request("gift", { giftCode: "poll_starter", quantity: 1, idempotencyKey: "poll-key-0" }))).code, "poll_required");
      await room.request("gift", { giftCode: "poll_starter", quantity: 1, idempotencyKey: "poll-key-1", command: { question: "Next song?", options: ["A", "B"] } });
      await until(vroom, (s) => s.poll?.question === "Next song?", "the poll");
      await vroom.request("vote", { option: 1 });
      assert.equal((await requestError(vroom.request("vote", { option: 0 }))).code, "already_voted");
      await until(room, (s) => s.poll.tallies[1] === 1 && s.poll.tallies[0] === 0, "the tally");
    });
  });
});
