import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser, type TestUser } from "../support/factories";
import { manualClock } from "../support/server";
import { grantTokens, joinLive, liveStream, seedGiftCatalog, settle, stateOf, until, liveSuite } from "../support/live";
import { moodSnapshotDue, RollingMinute, summarizeStream } from "../../src/live/analytics.rules";
import { ShardCounts } from "../../src/live/room-gates";
import { LiveEventModel } from "../../src/live/live-event.model";
import { StreamStatsModel } from "../../src/live/stream-stats.model";

const mood = (dominant: string, intensity: number) => ({ dominant, intensity, scores: {} }) as any;

describe("live analytics rules", () => {
  it("RollingMinute sums the last minute only", () => {
    const r = new RollingMinute();
    r.add(3, 1_000);
    r.add(2, 30_000);
    assert.equal(r.total(59_000), 5);
    assert.equal(r.total(61_500), 2, "the first second's 3 left the window");
    assert.equal(r.total(91_000), 0);
  });

  it("a mood snapshot is due on the first reaction, a dominant change, or every 10 s while anyone reacts", () => {
    assert.equal(moodSnapshotDue(undefined, mood("", 0), 0), false);
    assert.equal(moodSnapshotDue(undefined, mood("hype", 0.2), 0), true);
    const last = { at: 1000, dominant: "hype" };
    assert.equal(moodSnapshotDue(last, mood("hype", 0.5), 5000), false);
    assert.equal(moodSnapshotDue(last, mood("laugh", 0.5), 1200), true);
    assert.equal(moodSnapshotDue(last, mood("hype", 0.5), 11_000), true);
    assert.equal(moodSnapshotDue(last, mood("", 0), 2000), true, "going quiet is a change");
    assert.equal(moodSnapshotDue({ at: 0, dominant: "" }, mood("", 0), 60_000), false, "silence is not re-logged");
  });

  it("the lead shard is the one with the smallest id among live shards", () => {
    const s = new ShardCounts(6000);
    assert.equal(s.leads("m", 0), true, "alone");
    s.report("k", 3, 0);
    s.report("z", 3, 0);
    assert.equal(s.leads("m", 1000), false);
    assert.equal(s.leads("k", 1000), true);
    assert.equal(s.leads("m", 7000), true, "a silent shard no longer leads");
  });

  it("summarizes a recorded stream: average viewers from the integral, watch time per viewer, reaction velocity", () => {
    const out = summarizeStream({
      startedAt: 0,
      endedAt: 180_000,
      peakViewers: 3,
      viewerMs: 360_000,
      sampledMs: 180_000,
      watchMs: [60_000, 120_000],
      chatLines: 6,
      reactionMinutes: { "0": 3, "1": 2 },
      moods: [{ offset_ms: 10_000, dominant: "hype", intensity: 0.15 }],
    });
    assert.deepEqual(out, {
      duration_s: 180,
      peak_viewers: 3,
      average_viewers: 2,
      unique_viewers: 2,
      average_watch_time_s: 90,
      chat_lines: 6,
      chat_lines_per_minute: 2,
      reactions: 5,
      reaction_velocity: { per_minute: 1.67, peak_per_minute: 3 },
      mood_timeline: [{ offset_ms: 10_000, dominant: "hype", intensity: 0.15 }],
    });
  });
});

/** The creator's live panel (StateView) and the after-stream report, on a stream with known traffic and an injected clock. */
describe("live analytics", () => {
  let creator: TestUser;
  const { track } = liveSuite(async () => {
    await seedGiftCatalog();
    creator = await createUser({ roles: ["creator"] });
  });

  it("the creator sees viewers, peak, chat/min, tokens/min and new followers live; viewers do not; the report adds up after the end", async () => {
    const clock = manualClock();
    const id = await liveStream(creator);
    const [a, b] = [await createUser(), await createUser()];
    await grantTokens(a, 100);
    const host = await track(joinLive(creator, id));
    const ra = await track(joinLive(a, id));
    const rb = await track(joinLive(b, id));
    await until(host, (s) => s.viewerCount === 3, "three in the room");

    clock.advance(5_000);
    await ra.request("chat", { text: "one" });
    await ra.request("chat", { text: "two" });
    await rb.request("chat", { text: "three" });
    await ra.request("gift", { giftCode: "rose", quantity: 2, idempotencyKey: "analytics-gift-1" });
    assert.equal((await api("POST", `/api/v1/users/${creator.id}/follow`, { token: b.token, body: {} })).status < 300, true);
    clock.advance(5_000);
    for (let i = 0; i < 3; i++) await ra.request("react", { reaction: "hype" });
    const panel = await until(host, (s) => s.creatorStats?.chatPerMin === 3 && s.creatorStats.tokensPerMin === 10 && s.creatorStats.newFollowers === 1, "the creator's live panel", 9000);
    assert.deepEqual([panel.creatorStats.viewersNow, panel.creatorStats.peakViewers], [3, 3]);
    assert.equal(stateOf(ra).creatorStats, undefined, "a viewer does not get the creator's panel");
    await host.request("add_moderator", { userId: b.id });
    await until(rb, (s) => s.staff !== undefined, "b sees the staff part as a moderator");
    assert.equal(stateOf(rb).creatorStats, undefined, "nor does a moderator");
    await until(ra, (s) => s.mood.dominant === "hype", "hype");
    const moods = async () => LiveEventModel.find({ stream_id: id, type: "mood" }).sort({ seq: 1 }).lean();
    for (let t = 0; (await moods()).length === 0 && t < 100; t++) await settle(30);

    clock.advance(50_000); // t = 60 s: a leaves after a minute
    await ra.leave();
    await until(host, (s) => s.viewerCount === 2, "a left");
    clock.advance(10_000); // t = 70 s: hype has decayed, b laughs
    for (let i = 0; i < 2; i++) await rb.request("react", { reaction: "laugh" });
    for (let t = 0; !(await moods()).some((m) => m.data.dominant === "laugh") && t < 100; t++) await settle(30);
    clock.advance(50_000); // t = 120 s: b leaves after two minutes
    await rb.leave();
    await until(host, (s) => s.viewerCount === 1, "b left");
    clock.advance(60_000); // t = 180 s: the end
    assert.equal((await api("POST", `/api/v1/streams/${id}/end`, { token: creator.token, body: {} })).status, 200);
    await host.leave();
    for (let t = 0; ((await StreamStatsModel.findById(id).lean())?.sampled_ms ?? 0) < 180_000 && t < 100; t++) await settle(30);

    const res = await api("GET", `/api/v1/streams/${id}/analytics`, { token: creator.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const r = res.body;
    assert.equal(r.duration_s, 180);
    assert.equal(r.peak_viewers, 3);
    assert.equal(r.average_viewers, 2, "(3×60 + 2×60 + 1×60) viewer-seconds over 180 s");
    assert.deepEqual([r.unique_viewers, r.average_watch_time_s], [2, 90], "a watched 60 s, b 120 s (the creator is not a viewer)");
    assert.deepEqual([r.chat_lines, r.chat_lines_per_minute], [3, 1]);
    assert.deepEqual([r.reactions, r.reaction_velocity], [5, { per_minute: 1.67, peak_per_minute: 3 }]);
    // cadence snapshots of a fading hype may fall between the steps (the mood ticker runs on real
    // timers); the dominant changes are what the timeline must show, at their offsets
    const changes = r.mood_timeline.filter((m: any, i: number, all: any[]) => i === 0 || m.dominant !== all[i - 1].dominant);
    assert.deepEqual(changes.slice(0, 2).map((m: any) => [m.offset_ms, m.dominant]), [[10_000, "hype"], [70_000, "laugh"]]);
    assert.ok(r.mood_timeline.every((m: any, i: number, all: any[]) => i === 0 || m.offset_ms >= all[i - 1].offset_ms), "in time order");
    assert.deepEqual(r.gifts_by_code, [{ gift_code: "rose", count: 1, quantity: 2, tokens: 10 }]);
    assert.deepEqual([r.gift_tokens, r.new_followers], [10, 1]);
    assert.deepEqual(r.top_gifters, [{ user_id: a.id, tokens: 10 }]);
    assert.equal((await api("GET", `/api/v1/streams/${id}/analytics`, { token: a.token })).body.error.code, "not_stream_creator");
  });
});
