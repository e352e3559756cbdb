import assert from "node:assert/strict";
import { maskBlockedWords, prepareChatLine, slowModeWaitMs, takeFloodSlot, takeToken } from "../../src/live/chat.rules";
import { resolveCommand, sanitizeOverlayText, splitGift, velocityRefusal, assertCommandAllowed, type CatalogGift } from "../../src/live/gift.rules";
import { addReaction, crossedOverlays, decay, emptyMood, moodOf, SATURATION } from "../../src/live/mood.rules";
import { SeqBuffer } from "../../src/live/sequence.rules";
import { CommandCatchUp } from "../../src/live/command-catch-up";
import { ChatRestrictions } from "../../src/live/room-gates";
import { assertMayWatch, roomIsOpen, STREAM_TRANSITIONS, transitionStream, LOBBY_OPENS_BEFORE_MS, STREAM_STATUSES, type StreamAction } from "../../src/live/stream.rules";

/** The live rules on plain data, no sockets. */
describe("live rules", () => {
  describe("stream life cycle", () => {
    it("allows exactly the table's transitions and refuses every other pair with invalid_stream_transition", () => {
      for (const status of STREAM_STATUSES) {
        for (const action of Object.keys(STREAM_TRANSITIONS) as StreamAction[]) {
          const t = STREAM_TRANSITIONS[action];
          if ((t.from as readonly string[]).includes(status)) assert.equal(transitionStream(status, action), t.to);
          else assert.throws(() => transitionStream(status, action), { code: "invalid_stream_transition" });
        }
      }
      assert.equal(transitionStream("scheduled", "go_live"), "live");
      assert.throws(() => transitionStream("ended", "go_live"), { code: "invalid_stream_transition" });
    });

    it("opens the lobby 15 minutes before a scheduled start, not earlier, and never after the end", () => {
      const now = new Date("2026-12-01T12:00:00Z");
      const at = (ms: number) => new Date(now.getTime() + ms);
      assert.equal(roomIsOpen({ status: "scheduled", scheduled_at: at(LOBBY_OPENS_BEFORE_MS) }, now), true);
      assert.equal(roomIsOpen({ status: "scheduled", scheduled_at: at(LOBBY_OPENS_BEFORE_MS + 1) }, now), false);
      assert.equal(roomIsOpen({ status: "scheduled", scheduled_at: null }, now), false);
      assert.equal(roomIsOpen({ status: "live", scheduled_at: null }, now), true);
      assert.equal(roomIsOpen({ status: "ended", scheduled_at: at(0) }, now), false);
    });

    it("access: followers, subscribers and ticket holders by rule; the creator always", () => {
      const none = { isCreator: false, isFollower: false, isSubscriber: false, hasTicket: false };
      assert.doesNotThrow(() => assertMayWatch("public", none));
      assert.throws(() => assertMayWatch("followers", none), { code: "followers_only" });
      assert.doesNotThrow(() => assertMayWatch("followers", { ...none, isFollower: true }));
      assert.throws(() => assertMayWatch("subscribers", { ...none, isFollower: true }), { code: "subscribers_only" });
      assert.throws(() => assertMayWatch("ticketed", { ...none, isSubscriber: true }), { code: "ticket_required" });
      assert.doesNotThrow(() => assertMayWatch("ticketed", { ...none, hasTicket: true }));
      assert.doesNotThrow(() => assertMayWatch("ticketed", { ...none, isCreator: true }));
    });
  });

  describe("chat", () => {
    it("token bucket: a burst of `capacity`, then one per refill interval, with the exact wait", () => {
      let b = undefined as ReturnType<typeof takeToken>["bucket"] | undefined;
      for (let i = 0; i < 3; i++) {
        const r = takeToken(b, 3, 2, 1000);
        assert.equal(r.retryAfterMs, 0);
        b = r.bucket;
      }
      const refused = takeToken(b, 3, 2, 1000);
      assert.equal(refused.retryAfterMs, 500);
      assert.equal(takeToken(refused.bucket, 3, 2, 1500).retryAfterMs, 0);
    });

    it("flood window: `limit` lines per second for the room, the rest wait for the next second", () => {
      let w = undefined as ReturnType<typeof takeFloodSlot>["window"] | undefined;
      for (let i = 0; i < 2; i++) w = takeFloodSlot(w, 2, 10_100).window;
      assert.equal(takeFloodSlot(w, 2, 10_400).retryAfterMs, 600);
      assert.equal(takeFloodSlot(w, 2, 11_000).retryAfterMs, 0);
    });

    it("bans and timeouts in a room's memory: loaded rows, then moderation events; a timeout runs out by the clock", () => {
      const t0 = Date.parse("2026-01-01T12:00:00Z");
      const r = new ChatRestrictions();
      r.load([{ user_id: "banned", kind: "ban", until: null }, { user_id: "quiet", kind: "timeout", until: new Date(t0 + 30_000) }]);
      assert.deepEqual(r.of("banned", t0), { banned: true, timeoutUntil: null });
      assert.deepEqual(r.of("quiet", t0), { banned: false, timeoutUntil: t0 + 30_000 });
      assert.deepEqual(r.of("quiet", t0 + 30_000), { banned: false, timeoutUntil: null }, "over at its end, with no event");
      r.apply({ action: "timeout", user_id: "loud", until: new Date(t0 + 5000).toISOString() });
      r.apply({ action: "unban", user_id: "banned" });
      r.apply({ action: "ban", user_id: "troll" });
      r.apply({ action: "report", user_id: "other" });
      assert.equal(r.of("loud", t0).timeoutUntil, t0 + 5000);
      assert.equal(r.of("banned", t0).banned, false);
      assert.equal(r.of("troll", t0).banned, true);
      r.apply({ action: "untimeout", user_id: "loud" });
      assert.deepEqual(r.of("loud", t0), { banned: false, timeoutUntil: null });
      assert.deepEqual(r.of("other", t0), { banned: false, timeoutUntil: null });
    });

    it("slow mode, blocked words masked (whole words, any case), links refused unless allowed", () => {
      assert.equal(slowModeWaitMs(1000, 10, 4000), 7000);
      assert.equal(slowModeWaitMs(1000, 0, 1001), 0);
      assert.deepEqual(maskBlockedWords("Darn it, DARN! darned", ["darn"]), { text: "**** it, ****! darned", masked: true });
      assert.throws(() => prepareChatLine("see https://x.example/a", { linksAllowed: false, blockedWords: [] }), { code: "links_not_allowed" });
      assert.throws(() => prepareChatLine("go to spam.com now", { linksAllowed: false, blockedWords: [] }), { code: "links_not_allowed" });
      assert.equal(prepareChatLine("see https://x.example/a", { linksAllowed: true, blockedWords: [] }).text, "see https://x.example/a");
      assert.equal(prepareChatLine("  a\u202e\u0007b  ", { linksAllowed: false, blockedWords: [] }).text, "a b");
      assert.throws(() => prepareChatLine(" \u0000 ", { linksAllowed: false, blockedWords: [] }), { code: "empty_message" });
    });
  });

  describe("gifts", () => {
    it("splits every price into creator + platform exactly (platform rounds up)", () => {
      for (const tokens of [1, 7, 10, 99, 12345]) {
        const { creator, platform } = splitGift(tokens, 30);
        assert.equal(creator + platform, tokens);
        assert.equal(platform, Math.ceil(tokens * 0.3));
      }
      assert.deepEqual(splitGift(10, 0), { creator: 10, platform: 0 });
    });

    it("velocity: refuses the gift past the per-minute count and past the daily cap", () => {
      const limits = { giftsPerMinute: 3, dailySpendCap: 100 };
      assert.equal(velocityRefusal({ giftsLastMinute: 2, spentToday: 0 }, 10, limits), null);
      assert.equal(velocityRefusal({ giftsLastMinute: 3, spentToday: 0 }, 10, limits)?.code, "gift_rate_exceeded");
      assert.equal(velocityRefusal({ giftsLastMinute: 0, spentToday: 95 }, 10, limits)?.code, "daily_spend_cap");
      assert.equal(velocityRefusal({ giftsLastMinute: 0, spentToday: 90 }, 10, limits), null);
    });

    it("commands: the catalog decides the action; text sanitised; the wheel's outcome is the server's draw", () => {
      const base = { name: "x", token_cost: 1, animation_key: "anim", rarity: "rare" } as const;
      const overlay: CatalogGift = { ...base, code: "o", command: { action: "overlay" } };
      assert.deepEqual(resolveCommand(overlay, { text: "<b>hi</b>\u0000 there" }, Math.random), { action: "overlay", animation_key: "anim", text: "bhi/b there" });
      assert.equal(sanitizeOverlayText("x".repeat(500)).length, 80);
      const wheel: CatalogGift = { ...base, code: "w", command: { action: "spin_wheel", outcomes: ["a", "b", "c"] } };
      assert.equal((resolveCommand(wheel, undefined, () => 0.99) as { outcome: string }).outcome, "c");
      assert.equal((resolveCommand(wheel, undefined, () => 0) as { outcome: string }).outcome, "a");
      const poll: CatalogGift = { ...base, code: "p", command: { action: "start_poll" } };
      assert.throws(() => resolveCommand(poll, {}, Math.random), { code: "poll_required" });
      assert.throws(() => resolveCommand(poll, { question: "q", options: ["a", "a"] }, Math.random), { code: "invalid_poll" });
      assert.throws(() => resolveCommand({ ...base, code: "plain" }, undefined, Math.random), { code: "not_a_command_gift" });
    });

    it("commands: off, or cooling down with the remaining seconds", () => {
      const now = new Date(100_000);
      assert.throws(() => assertCommandAllowed({ commands_enabled: false, command_cooldown_s: 0 }, null, now), { code: "commands_disabled" });
      assert.throws(() => assertCommandAllowed({ commands_enabled: true, command_cooldown_s: 30 }, new Date(90_000), now), { code: "command_cooldown" });
      assert.doesNotThrow(() => assertCommandAllowed({ commands_enabled: true, command_cooldown_s: 30 }, new Date(70_000), now));
    });
  });

  describe("mood", () => {
    it("halves every half-life, normalises to 0..1, names the dominant reaction", () => {
      let agg = emptyMood(0);
      agg = addReaction(agg, "hype", 16, 0, 10_000);
      agg = addReaction(agg, "sad", 4, 0, 10_000);
      assert.deepEqual([moodOf(agg).dominant, moodOf(agg).intensity], ["hype", 16 / SATURATION]);
      const later = decay(agg, 10_000, 10_000);
      assert.equal(later.scores.hype, 8);
      assert.equal(decay(agg, 20_000, 10_000).scores.sad, 1);
      assert.equal(moodOf(decay(agg, 1_000_000, 10_000)).intensity, 0);
    });

    it("fires the hype_train overlay once when hype crosses 0.8, again only after falling below 0.6", () => {
      let agg = addReaction(emptyMood(0), "hype", SATURATION * 0.85, 0, 10_000);
      let r = crossedOverlays(agg);
      assert.deepEqual(r.fired, ["hype_train"]);
      r = crossedOverlays(addReaction(r.agg, "hype", 1, 0, 10_000));
      assert.deepEqual(r.fired, []);
      agg = decay(r.agg, 10_000, 10_000); // ~0.45: re-armed
      r = crossedOverlays(agg);
      assert.deepEqual(r.fired, []);
      r = crossedOverlays(addReaction(r.agg, "hype", SATURATION * 0.5, 10_000, 10_000));
      assert.deepEqual(r.fired, ["hype_train"]);
    });
  });

  describe("event order", () => {
    it("applies seqs in order once each, holds early ones, and skips a gap that never fills", () => {
      const buf = new SeqBuffer<{ seq: number }>(1);
      assert.deepEqual(buf.offer({ seq: 2 }, 0), []);
      assert.deepEqual(buf.offer({ seq: 1 }, 0).map((e) => e.seq), [1, 2]);
      assert.deepEqual(buf.offer({ seq: 2 }, 0), []);
      assert.deepEqual(buf.offer({ seq: 5 }, 10), []);
      assert.equal(buf.gapSince, 10);
      assert.deepEqual(buf.skipGap(20).map((e) => e.seq), [5]);
      assert.equal(buf.expected, 6);
      assert.equal(buf.gapSince, undefined);
    });
  });

  describe("command catch-up after a reconnect", () => {
    const log = Array.from({ length: 10 }, (_, i) => ({ seq: i + 1 }));
    it("hands over the commands after the drop up to what the room applied, reading again if it applied more meanwhile, once", async () => {
      const c = new CommandCatchUp<{ seq: number }>();
      c.dropped("s1", 3);
      assert.deepEqual([...c.awaySessions()!], ["s1"]);
      let applied = 6;
      const reads: number[] = [];
      const missed = await c.back("s1", () => applied, async (after) => {
        reads.push(after);
        if (reads.length === 1) applied = 8; // two more arrive while the log is read
        return log.filter((e) => e.seq > after);
      });
      assert.deepEqual(missed.map((e) => e.seq), [4, 5, 6, 7, 8]);
      assert.deepEqual(reads, [3, 6]);
      assert.equal(c.awaySessions(), undefined, "back: broadcasts reach it again");
      assert.deepEqual(await c.back("s1", () => 10, async () => log), [], "a second return hands over nothing");
    });
  });
});
