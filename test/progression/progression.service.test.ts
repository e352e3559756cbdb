import assert from "node:assert/strict";
import mongoose from "mongoose";
import { awardBoardLeader, awardXp, awardXpBatch, getProgressionProfile, recordBadgeEvent } from "../../src/progression/progression.service";
import { xpFor } from "../../src/progression/xp.rules";
import { XpAwardModel } from "../../src/progression/progression.model";
import { getLeaderboard, getMyRank, submitScore } from "../../src/leaderboards/leaderboard.service";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, createUsers } from "../support/factories";

const db = () => mongoose.connection.db!;
const failPoint = (body: Record<string, unknown>) => db().admin().command({ configureFailPoint: "failCommand", ...body });

describe("progression service", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  it("an award adds XP, counts the source and earns its badge; the profile shows both", async () => {
    const alice = await createUser();
    const out = await awardXp({ userId: alice.id, source: "story_posted", eventId: "story:1:posted" });
    assert.equal(out.awarded, true);
    assert.equal(out.xp_gained, 10);
    assert.deepEqual(out.new_badges.map((b) => b.id), ["first_story"]);
    const profile = await getProgressionProfile(alice.id);
    assert.equal(profile.xp, 10);
    assert.equal(profile.level, 1);
    assert.equal(profile.next_level_xp, 100);
    assert.equal(profile.level_progress, 0.1);
    assert.deepEqual(profile.badges.map((b) => [b.id, b.title]), [["first_story", "First story"]]);
  });

  it("the same event counts once; reused for another source it is refused", async () => {
    const alice = await createUser();
    await awardXp({ userId: alice.id, source: "gift_sent", amount: 500, eventId: "gift:g1" });
    const again = await awardXp({ userId: alice.id, source: "gift_sent", amount: 500, eventId: "gift:g1" });
    assert.deepEqual(again, { awarded: false, xp_gained: 0, xp: 50, level: 1, leveled_up: false, new_badges: [] });
    await assert.rejects(awardXp({ userId: alice.id, source: "chapter_completed", eventId: "gift:g1" }), { code: "xp_event_id_reused" });
    // the same event id gives XP to another user (a gift: the sender and the creator)
    const bob = await createUser();
    assert.equal((await awardXp({ userId: bob.id, source: "gift_received", amount: 500, eventId: "gift:g1" })).xp, 25);
    assert.equal((await getProgressionProfile(alice.id)).xp, 50);
  });

  it("50 concurrent awards of one event count it once", async () => {
    const alice = await createUser();
    const outs = await Promise.all(Array.from({ length: 50 }, () => awardXp({ userId: alice.id, source: "deal_completed", eventId: "deal:d1" })));
    assert.equal(outs.filter((o) => o.awarded).length, 1);
    const profile = await getProgressionProfile(alice.id);
    assert.equal(profile.xp, 100);
    assert.equal(await db().collection("xp_awards").countDocuments({ user_id: alice.id }), 1);
    assert.deepEqual(profile.badges.map((b) => b.id), ["first_deal"]);
    const weekly = await getMyRank("xp_weekly", alice.id, {});
    assert.equal(weekly.score, 100, "the XP board counted it once too");
  });

  it("concurrent distinct events all count, and level badges are awarded once at their level", async () => {
    const alice = await createUser();
    // 27 deals = 2700 XP = level 10 exactly
    await Promise.all(Array.from({ length: 27 }, (_, i) => awardXp({ userId: alice.id, source: "deal_completed", eventId: `deal:${i}` })));
    const profile = await getProgressionProfile(alice.id);
    assert.equal(profile.xp, 2700);
    assert.equal(profile.level, 10);
    assert.deepEqual(profile.badges.map((b) => b.id).sort(), ["first_deal", "level_10", "level_5"]);
    assert.equal(await db().collection("badge_awards").countDocuments({ user_id: alice.id }), 3);
  });

  it("100 chapters earn the 100-chapters badge on the hundredth, with its time", async () => {
    const alice = await createUser();
    const clock = manualClock(new Date("2026-12-01T08:00:00Z"));
    for (let i = 1; i < 100; i++) await awardXp({ userId: alice.id, source: "chapter_completed", eventId: `chapter:b1:${i}` });
    assert.ok(!(await getProgressionProfile(alice.id)).badges.some((b) => b.id === "chapters_100"));
    clock.set(new Date("2026-12-02T09:30:00Z"));
    const last = await awardXp({ userId: alice.id, source: "chapter_completed", eventId: "chapter:b1:100" });
    assert.ok(last.new_badges.some((b) => b.id === "chapters_100"));
    const badge = (await getProgressionProfile(alice.id)).badges.find((b) => b.id === "chapters_100")!;
    assert.equal(badge.awarded_at.toISOString(), "2026-12-02T09:30:00.000Z");
  });

  it("a transaction that fails midway leaves nothing; the retry counts the event once", async () => {
    const alice = await createUser();
    await failPoint({ mode: { times: 1 }, data: { failCommands: ["findAndModify"], errorCode: 8 } });
    try {
      await assert.rejects(awardXp({ userId: alice.id, source: "chapter_completed", eventId: "chapter:x:1" }));
    } finally {
      await failPoint({ mode: "off" });
    }
    assert.equal(await db().collection("xp_awards").countDocuments({}), 0, "the award record rolled back with the counter");
    assert.equal((await getProgressionProfile(alice.id)).xp, 0);
    assert.equal((await awardXp({ userId: alice.id, source: "chapter_completed", eventId: "chapter:x:1" })).awarded, true);
    assert.equal((await awardXp({ userId: alice.id, source: "chapter_completed", eventId: "chapter:x:1" })).awarded, false);
    assert.equal((await getProgressionProfile(alice.id)).xp, 25);
  });

  it("bad input is refused and changes nothing", async () => {
    const alice = await createUser();
    await assert.rejects(awardXp({ userId: alice.id, source: "nope" as never, eventId: "e1" }), { code: "invalid_xp_source" });
    await assert.rejects(awardXp({ userId: alice.id, source: "stream_watched", amount: 10_000, eventId: "e1" }), { code: "invalid_xp_amount" });
    await assert.rejects(awardXp({ userId: alice.id, source: "story_posted", eventId: "" }), { code: "invalid_event_id" });
    await assert.rejects(awardXp({ userId: alice.id, source: "story_posted", eventId: "has space" }), { code: "invalid_event_id" });
    assert.equal((await getProgressionProfile(alice.id)).xp, 0);
    assert.equal(await db().collection("xp_awards").countDocuments({}), 0);
  });

  it("XP feeds the daily, weekly and all-time XP boards, each in its season", async () => {
    const [alice, bob] = await createUsers(2);
    const clock = manualClock(new Date("2026-12-06T23:59:00Z")); // Sunday, 2026-W49
    await awardXp({ userId: alice.id, source: "deal_completed", eventId: "deal:1" });
    await awardXp({ userId: bob.id, source: "chapter_completed", eventId: "chapter:1" });
    clock.set(new Date("2026-12-07T00:01:00Z")); // Monday, 2026-W50
    await awardXp({ userId: bob.id, source: "chapter_completed", eventId: "chapter:2" });
    const w49 = await getLeaderboard("xp_weekly", { period: "2026-W49" });
    assert.deepEqual(w49.items.map((i) => [i.user.id, i.score]), [[alice.id, 100], [bob.id, 25]]);
    const w50 = await getLeaderboard("xp_weekly", {});
    assert.equal(w50.season, "2026-W50");
    assert.deepEqual(w50.items.map((i) => [i.user.id, i.score]), [[bob.id, 25]]);
    const total = await getLeaderboard("xp_all_time", {});
    assert.deepEqual(total.items.map((i) => [i.user.id, i.score]), [[alice.id, 100], [bob.id, 50]]);
  });

  it("badge events award once; a stream's top gifter gets the badge when the stream ends", async () => {
    const [alice, bob] = await createUsers(2);
    await submitScore({ boardId: "stream_gifters", scopeId: "stream1", userId: alice.id, score: 50, eventId: "gift:1" });
    await submitScore({ boardId: "stream_gifters", scopeId: "stream1", userId: bob.id, score: 80, eventId: "gift:2" });
    const first = await awardBoardLeader("stream_gifters", "stream1", "stream_top_gifter");
    assert.equal(first!.user_id, bob.id);
    assert.deepEqual(first!.new_badges.map((b) => b.id), ["top_gifter"]);
    const again = await recordBadgeEvent({ userId: bob.id, event: "stream_top_gifter", eventId: "stream:other" });
    assert.deepEqual(again.new_badges, []);
    assert.deepEqual((await getProgressionProfile(bob.id)).badges.map((b) => b.id), ["top_gifter"]);
    assert.deepEqual((await getProgressionProfile(alice.id)).badges, []);
    assert.equal(await awardBoardLeader("stream_gifters", "empty_stream", "stream_top_gifter"), null);
  });
});

describe("progression: awards in batches (story engagement)", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  const scoreOn = async (board: string, userId: string) =>
    (await getLeaderboard(board, {})).items.find((i) => i.user.id === userId)?.score ?? 0;

  it("a batch counts every event once: XP, counts, badges and the XP boards equal the events one by one", async () => {
    const [author, a, b] = await createUsers(3);
    const events = [a, b].flatMap((viewer) =>
      ["view", "interaction"].flatMap((kind) => [
        { userId: viewer.id, source: kind === "view" ? "story_viewed" : "story_interacted", eventId: `story:s1:${kind}:${viewer.id}` },
        { userId: author.id, source: "story_engagement_received", eventId: `story:s1:${kind}:${viewer.id}` },
      ]),
    ) as Parameters<typeof awardXpBatch>[0];
    await awardXpBatch(events);
    const expected = (userId: string) => events.filter((e) => e.userId === userId).reduce((sum, e) => sum + xpFor(e.source), 0);
    for (const u of [author, a, b]) {
      const profile = await getProgressionProfile(u.id);
      assert.equal(profile.xp, expected(u.id), `xp of ${u.username}`);
      assert.equal(await scoreOn("xp_daily", u.id), expected(u.id));
      assert.equal(await scoreOn("xp_weekly", u.id), expected(u.id));
      assert.equal(await scoreOn("xp_all_time", u.id), expected(u.id));
    }
    assert.equal(await XpAwardModel.countDocuments({}), events.length);

    // the same batch again changes nothing; one new event among repeats counts once
    await awardXpBatch(events);
    const extra = { userId: a.id, source: "story_replied" as const, eventId: "story:s1:reply:" + a.id };
    await awardXpBatch([...events.slice(0, 3), extra]);
    assert.equal((await getProgressionProfile(a.id)).xp, expected(a.id) + xpFor("story_replied"));
    assert.equal(await scoreOn("xp_daily", a.id), expected(a.id) + xpFor("story_replied"));
    assert.equal((await getProgressionProfile(author.id)).xp, expected(author.id));
    assert.equal(await scoreOn("xp_weekly", author.id), expected(author.id));
    assert.equal(await XpAwardModel.countDocuments({}), events.length + 1);
  });

  it("concurrent batches and single awards on the same users stay exact", async () => {
    const [author, ...viewers] = await createUsers(9);
    const batches = viewers.map((v) => [
      { userId: v.id, source: "story_viewed" as const, eventId: `story:s2:view:${v.id}` },
      { userId: author.id, source: "story_engagement_received" as const, eventId: `story:s2:view:${v.id}` },
    ]);
    // each batch twice, at once, beside single awards of the same events
    await Promise.all([...batches, ...batches].map((batch) => awardXpBatch(batch)).concat(batches.map((batch) => awardXp(batch[1]!).then(() => undefined))));
    const perView = xpFor("story_engagement_received");
    assert.equal((await getProgressionProfile(author.id)).xp, viewers.length * perView);
    assert.equal(await scoreOn("xp_daily", author.id), viewers.length * perView);
    for (const v of viewers) assert.equal((await getProgressionProfile(v.id)).xp, xpFor("story_viewed"));
  });
});
