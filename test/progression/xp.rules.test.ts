import assert from "node:assert/strict";
import { levelFor, MAX_LEVEL, xpFor, xpForLevel, XP_SOURCE_NAMES } from "../../src/progression/xp.rules";
import { badgesEarned, BADGES } from "../../src/progression/badge.rules";

describe("XP rules", () => {
  it("the level curve: level 1 at 0 XP, then round(100·(n−1)^1.5) cumulative", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 10, 11].map(xpForLevel), [0, 100, 283, 520, 800, 2700, 3162]);
  });

  it("the curve strictly increases and each level costs more than the last", () => {
    for (let n = 2; n < 200; n++) {
      const step = xpForLevel(n + 1) - xpForLevel(n);
      assert.ok(step > xpForLevel(n) - xpForLevel(n - 1), `level ${n + 1} costs more than level ${n}`);
    }
  });

  it("levelFor is the inverse at every boundary: one XP short stays below", () => {
    for (let n = 2; n <= 300; n++) {
      const at = xpForLevel(n);
      assert.equal(levelFor(at).level, n, `exactly ${at} XP is level ${n}`);
      assert.equal(levelFor(at - 1).level, n - 1, `${at - 1} XP is still level ${n - 1}`);
    }
  });

  it("reports progress toward the next level", () => {
    assert.deepEqual(levelFor(0), { level: 1, level_xp: 0, next_level_xp: 100, level_progress: 0 });
    assert.deepEqual(levelFor(150), { level: 2, level_xp: 100, next_level_xp: 283, level_progress: 0.273 });
    const top = levelFor(xpForLevel(MAX_LEVEL) + 5);
    assert.equal(top.level, MAX_LEVEL);
    assert.equal(top.next_level_xp, null);
  });

  it("rejects negative or fractional XP and levels", () => {
    assert.throws(() => levelFor(-1), RangeError);
    assert.throws(() => levelFor(1.5), RangeError);
    assert.throws(() => xpForLevel(0), RangeError);
  });

  it("the XP table: fixed sources take no amount, amount sources scale and are capped", () => {
    assert.equal(xpFor("story_posted"), 10);
    assert.equal(xpFor("chapter_completed"), 25);
    assert.equal(xpFor("deal_completed"), 100);
    assert.equal(xpFor("stream_watched", 30), 60);
    assert.equal(xpFor("gift_sent", 5), 1, "a small gift still gives 1 XP");
    assert.equal(xpFor("gift_sent", 250), 25);
    assert.equal(xpFor("gift_received", 250), 12);
    assert.throws(() => xpFor("story_posted", 3), { code: "xp_amount_not_allowed" });
    assert.throws(() => xpFor("stream_watched"), { code: "invalid_xp_amount" });
    assert.throws(() => xpFor("stream_watched", 241), { code: "invalid_xp_amount" });
    assert.throws(() => xpFor("gift_sent", 0), { code: "invalid_xp_amount" });
    assert.throws(() => xpFor("gift_sent", 2.5), { code: "invalid_xp_amount" });
  });

  it("every source gives a positive integer", () => {
    for (const source of XP_SOURCE_NAMES) {
      let xp: number;
      try {
        xp = xpFor(source);
      } catch {
        xp = xpFor(source, 1);
      }
      assert.ok(Number.isInteger(xp) && xp > 0, source);
    }
  });
});

describe("badge rules", () => {
  const ids = (facts: Parameters<typeof badgesEarned>[0], held: string[] = []) => badgesEarned(facts, new Set(held)).map((b) => b.id);

  it("first gift on the first gift, 100 chapters at the hundredth", () => {
    assert.deepEqual(ids({ level: 1, counts: { gift_sent: 1 } }), ["first_gift"]);
    assert.deepEqual(ids({ level: 1, counts: { chapter_completed: 99 } }), ["first_chapter"]);
    assert.deepEqual(ids({ level: 1, counts: { chapter_completed: 100 } }, ["first_chapter"]), ["chapters_100"]);
  });

  it("level badges at and past their level, each once", () => {
    assert.deepEqual(ids({ level: 9, counts: {} }), ["level_5"]);
    assert.deepEqual(ids({ level: 12, counts: {} }, ["level_5"]), ["level_10"]);
    assert.deepEqual(ids({ level: 12, counts: {} }, ["level_5", "level_10"]), []);
  });

  it("event badges only for their event", () => {
    assert.deepEqual(ids({ level: 1, counts: {}, event: "stream_top_gifter" }), ["top_gifter"]);
    assert.deepEqual(ids({ level: 1, counts: {} }), []);
  });

  it("badge ids are unique and every rule can be earned", () => {
    assert.equal(new Set(BADGES.map((b) => b.id)).size, BADGES.length);
    for (const rule of BADGES) {
      const facts =
        rule.when.kind === "level"
          ? { level: rule.when.atLeast, counts: {} }
          : rule.when.kind === "count"
            ? { level: 1, counts: { [rule.when.source]: rule.when.atLeast } }
            : { level: 1, counts: {}, event: rule.when.event };
      assert.ok(ids(facts).includes(rule.id), rule.id);
    }
  });
});
