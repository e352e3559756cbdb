import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser, createUsers, type TestUser } from "../support/factories";
import { manualClock } from "../support/server";
import { nextMessage } from "../support/sdk";
import { grantTokens, joinLive, liveStream, requestError, seedGiftCatalog, settle, stateOf, until, liveSuite } from "../support/live";
import { config } from "../../src/config";
import { SATURATION } from "../../src/live/mood.rules";
import { PollModel } from "../../src/live/engagement.model";
import { LiveEventModel } from "../../src/live/live-event.model";

/** Mood (decay on the injected clock), polls, Q&A and replay through real SDK clients. */
describe("live engagement", () => {
  let creator: TestUser;
  const { track } = liveSuite(async () => {
    creator = await createUser({ roles: ["creator"] });
  });

  it("mood: reactions aggregate into {dominant, intensity, scores}, decay by the half-life on the app clock, and fire hype_train once", async () => {
    const clock = manualClock();
    const id = await liveStream(creator);
    const users = await createUsers(4);
    const rooms = await Promise.all(users.map((u) => track(joinLive(u, id))));
    const overlay = nextMessage<{ overlay: string }>(rooms[3]!, "overlay", 4000);
    // 4 users × 5 (their burst) = 20 hype = SATURATION → intensity 1
    await Promise.all(rooms.flatMap((r) => Array.from({ length: 5 }, () => r.request("react", { reaction: "hype" }))));
    assert.equal((await requestError(rooms[0]!.request("react", { reaction: "hype" }))).code, "rate_limited");
    const s = await until(rooms[1]!, (s) => s.mood.intensity === 1, "full hype");
    assert.deepEqual([s.mood.dominant, s.mood.scores.hype, s.mood.scores.sad], ["hype", 1, 0]);
    assert.equal((await overlay).overlay, "hype_train");
    clock.advance(config().LIVE_MOOD_HALF_LIFE_MS); // one half-life
    await until(rooms[1]!, (s) => s.mood.intensity === 0.5, "half after one half-life");
    clock.advance(config().LIVE_MOOD_HALF_LIFE_MS);
    const quarter = await until(rooms[1]!, (s) => s.mood.intensity === 0.25, "a quarter after two");
    assert.equal(quarter.mood.dominant, "hype");
    await rooms[2]!.request("react", { reaction: "sad" });
    const mixed = await until(rooms[0]!, (s) => Math.abs(s.mood.scores.sad - 1 / SATURATION) < 1e-6, "a sad reaction counted"); // float32 on the wire
    assert.equal(mixed.mood.dominant, "hype");
  });

  it("watching: a viewer who leaves after 7 minutes gets 14 XP once (2 per whole minute); the creator gets none for their own stream", async () => {
    const clock = manualClock();
    const id = await liveStream(creator);
    const viewer = await createUser();
    const host = await track(joinLive(creator, id));
    const room = await joinLive(viewer, id);
    clock.advance(7 * 60_000 + 59_000); // the partial minute earns nothing
    await room.leave();
    await host.leave();
    const xpOf = async (u: TestUser) => (await api("GET", "/api/v1/progression/me", { token: u.token })).body.xp as number;
    const deadline = Date.now() + 5000;
    while ((await xpOf(viewer)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await xpOf(viewer), 14);
    assert.equal(await xpOf(creator), 0);
  });

  it("polls: creator starts (2-5 options), one vote per viewer, live tallies, results persisted when time is up", async () => {
    const clock = manualClock();
    const id = await liveStream(creator);
    const [a, b] = await createUsers(2);
    const host = await track(joinLive(creator, id));
    const ra = await track(joinLive(a!, id));
    const rb = await track(joinLive(b!, id));
    assert.equal((await requestError(ra.request("start_poll", { question: "q", options: ["x", "y"] }))).code, "moderators_only");
    assert.equal((await requestError(host.request("start_poll", { question: "q", options: ["x"] }))).code, "invalid_message");
    await host.request("start_poll", { question: "Encore?", options: ["yes", "no", "maybe"], durationS: 30 });
    await until(ra, (s) => s.poll?.question === "Encore?", "poll in the state");
    await ra.request("vote", { option: 0 });
    await rb.request("vote", { option: 2 });
    assert.equal((await requestError(rb.request("vote", { option: 0 }))).code, "already_voted");
    assert.equal((await requestError(ra.request("vote", { option: 4 }))).code, "invalid_option");
    await until(host, (s) => s.poll.tallies.join() === "1,0,1", "live tallies");
    clock.advance(31_000);
    await until(host, (s) => s.poll === undefined, "the poll closed", 5000);
    const stored = await PollModel.findOne({ stream_id: id }).lean();
    assert.deepEqual([stored!.status, stored!.tallies], ["closed", [1, 0, 1]]);
  });

  it("Q&A: questions ranked by upvotes (one per viewer, not your own), answered ones leave the queue", async () => {
    const id = await liveStream(creator);
    const [a, b, c] = await createUsers(3);
    const host = await track(joinLive(creator, id));
    const ra = await track(joinLive(a!, id));
    const rb = await track(joinLive(b!, id));
    const rc = await track(joinLive(c!, id));
    const q1 = await ra.request("ask", { text: "First?" });
    const q2 = await rb.request("ask", { text: "Second?" });
    await rc.request("upvote", { questionId: q2.id });
    await ra.request("upvote", { questionId: q2.id });
    assert.equal((await requestError(rc.request("upvote", { questionId: q2.id }))).code, "already_upvoted");
    assert.equal((await requestError(rb.request("upvote", { questionId: q2.id }))).code, "own_question");
    const s = await until(rc, (s) => s.questions.length === 2 && s.questions[0].text === "Second?" && s.questions[0].upvotes === 2, "ranked queue");
    assert.equal(s.questions[1].id, q1.id);
    assert.equal((await requestError(ra.request("answered", { questionId: q2.id }))).code, "moderators_only");
    await host.request("answered", { questionId: q2.id });
    await until(rc, (s) => s.questions.length === 1 && s.questions[0].id === q1.id, "answered left the queue");
  });

  it("replay: after the stream ends, its public events page in seq order with offsets; moderation and deleted lines are left out", async () => {
    const clock = manualClock();
    await seedGiftCatalog();
    const id = await liveStream(creator);
    const fan = await createUser();
    await grantTokens(fan, 50);
    const host = await track(joinLive(creator, id));
    const room = await track(joinLive(fan, id));
    await room.request("chat", { text: "one" });
    const seg = { media_url: "https://cdn.example.test/intro.mp4", duration_s: 30, title: "intro" };
    assert.equal((await api("POST", `/api/v1/streams/${id}/segments`, { token: creator.token, body: seg })).status, 201);
    await api("POST", `/api/v1/streams/${id}/segments/next`, { token: creator.token, body: {} });
    clock.advance(5000);
    for (let i = 0; i < 3; i++) await room.request("react", { reaction: "hype" });
    // the room logs a mood snapshot within a publish tick (250 ms)
    for (let t = 0; !(await LiveEventModel.exists({ stream_id: id, type: "mood" })) && t < 100; t++) await settle(30);
    const two = await room.request("chat", { text: "two" });
    await room.request("gift", { giftCode: "rose", quantity: 1, idempotencyKey: "replay-gift-1" });
    await host.request("delete_message", { seq: two.seq });
    await room.request("report", { seq: two.seq, reason: "x" }).catch(() => undefined);
    clock.advance(5000);
    await room.request("chat", { text: "three" });
    assert.equal((await api("GET", `/api/v1/streams/${id}/replay`, { token: fan.token })).body.error.code, "stream_not_ended");
    await api("POST", `/api/v1/streams/${id}/end`, { token: creator.token, body: {} });
    const all = await api("GET", `/api/v1/streams/${id}/replay?limit=100`, { token: fan.token });
    assert.equal(all.status, 200);
    const items = all.body.items;
    assert.deepEqual(items.filter((e: any) => e.type === "chat").map((e: any) => e.data.text), ["one", "three"]);
    assert.ok(items.some((e: any) => e.type === "gift"));
    assert.ok(!items.some((e: any) => e.type === "moderation" || e.type === "chat_deleted"));
    assert.deepEqual(items.map((e: any) => e.seq), [...items.map((e: any) => e.seq)].sort((x: number, y: number) => x - y));
    const three = items.find((e: any) => e.data.text === "three");
    assert.equal(three.offset_ms, 10_000);
    // segment changes and mood snapshots are in the log, in the order they happened
    const at = (pred: (e: any) => boolean) => items.findIndex(pred);
    const queued = at((e) => e.type === "segment" && e.data.segments[0].started_at === null);
    const playing = at((e) => e.type === "segment" && e.data.segments[0].started_at !== null);
    const hype = at((e) => e.type === "mood");
    assert.ok(at((e) => e.data.text === "one") < queued && queued < playing && playing < hype && hype < at((e) => e.type === "gift") && hype < items.indexOf(three), items.map((e: any) => e.type).join(","));
    assert.deepEqual([items[hype].data.dominant, items[hype].offset_ms, items[hype].data.scores.hype], ["hype", 5000, 0.15]);
    const p1 = await api("GET", `/api/v1/streams/${id}/replay?limit=2`, { token: fan.token });
    const p2 = await api("GET", `/api/v1/streams/${id}/replay?limit=100&after_seq=${p1.body.next_after_seq}`, { token: fan.token });
    assert.deepEqual([...p1.body.items, ...p2.body.items].map((e: any) => e.seq), items.map((e: any) => e.seq));
    const late = await api("GET", `/api/v1/streams/${id}/replay?from_ms=6000`, { token: fan.token });
    assert.deepEqual(late.body.items.filter((e: any) => e.type === "chat").map((e: any) => e.data.text), ["three"]);
    assert.equal((await api("GET", `/api/v1/streams/${id}/replay?limit=0`, { token: fan.token })).status, 400);
    void stateOf;
  });

  it("analytics after the stream: peak viewers, chat density, gifts by code, new followers, top gifters — the creator's only", async () => {
    const clock = manualClock();
    await seedGiftCatalog();
    const id = await liveStream(creator);
    const [a, b] = await createUsers(2);
    for (const u of [a!, b!]) await grantTokens(u, 100);
    const ra = await track(joinLive(a!, id));
    const rb = await track(joinLive(b!, id));
    await until(ra, (s) => s.viewerCount === 2, "2 viewers");
    await settle(2200); // the shards' presence tick records the peak
    await api("POST", `/api/v1/users/${creator.id}/follow`, { token: a!.token });
    for (let i = 0; i < 4; i++) await ra.request("chat", { text: `c${i}` });
    await ra.request("gift", { giftCode: "rose", quantity: 2, idempotencyKey: "analytics-1" });
    await rb.request("gift", { giftCode: "star", quantity: 1, idempotencyKey: "analytics-2" });
    await rb.request("gift", { giftCode: "rose", quantity: 1, idempotencyKey: "analytics-3" });
    clock.advance(120_000);
    await api("POST", `/api/v1/streams/${id}/end`, { token: creator.token, body: {} });
    const res = await api("GET", `/api/v1/streams/${id}/analytics`, { token: creator.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const r = res.body;
    assert.deepEqual([r.peak_viewers, r.chat_lines, r.gift_tokens, r.new_followers, r.duration_s], [2, 4, 25, 1, 120]);
    assert.equal(r.chat_lines_per_minute, 2);
    assert.deepEqual(r.gifts_by_code, [{ gift_code: "rose", count: 2, quantity: 3, tokens: 15 }, { gift_code: "star", count: 1, quantity: 1, tokens: 10 }]);
    assert.deepEqual(r.top_gifters.map((g: any) => g.tokens), [10, 15].sort((x, y) => y - x));
    assert.equal((await api("GET", `/api/v1/streams/${id}/analytics`, { token: a!.token })).body.error.code, "not_stream_creator");
  });

  it("hybrid segments: queued ones show as next, the creator starts them in order, the room shows what plays now and next", async () => {
    const id = await liveStream(creator);
    const viewer = await createUser();
    const room = await track(joinLive(viewer, id));
    const seg = (title: string) => ({ media_url: `https://cdn.example/${title}.mp4`, duration_s: 90, title });
    for (const t of ["intro", "clip"]) assert.equal((await api("POST", `/api/v1/streams/${id}/segments`, { token: creator.token, body: seg(t) })).status, 201);
    assert.equal((await api("POST", `/api/v1/streams/${id}/segments`, { token: viewer.token, body: seg("x") })).body.error.code, "not_stream_creator");
    await until(room, (s) => s.segmentNext?.title === "intro" && s.segmentNow === undefined, "intro queued next");
    await api("POST", `/api/v1/streams/${id}/segments/next`, { token: creator.token, body: {} });
    await until(room, (s) => s.segmentNow?.title === "intro" && s.segmentNext?.title === "clip" && s.segmentNow.startedAt > 0, "intro playing, clip next");
    await api("POST", `/api/v1/streams/${id}/segments/next`, { token: creator.token, body: {} });
    await until(room, (s) => s.segmentNow?.title === "clip" && s.segmentNext === undefined, "clip playing");
    assert.equal((await api("POST", `/api/v1/streams/${id}/segments/next`, { token: creator.token, body: {} })).body.error.code, "no_segment_queued");
  });
});
