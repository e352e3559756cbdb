import assert from "node:assert/strict";
import {
  applySubmission,
  assertScope,
  assertSubmittable,
  findBoard,
  parseSeason,
  scoreEncoding,
  scoreOf,
  scoreRule,
  seasonAt,
  tiebreakAt,
} from "../../src/leaderboards/leaderboard.rules";
import { testBoard } from "./board.fixture";

const at = (iso: string) => new Date(iso);
const def = testBoard;

describe("leaderboard rules: seasons (UTC)", () => {
  it("weeks are ISO weeks starting Monday 00:00 UTC", () => {
    const s = seasonAt("weekly", at("2026-12-01T10:00:00Z"));
    assert.equal(s.id, "2026-W49");
    assert.equal(s.starts_at.toISOString(), "2026-11-30T00:00:00.000Z");
    assert.equal(s.resets_at!.toISOString(), "2026-12-07T00:00:00.000Z");
    assert.equal(seasonAt("weekly", at("2026-12-06T23:59:59.999Z")).id, "2026-W49", "Sunday's last ms is still that week");
    assert.equal(seasonAt("weekly", at("2026-12-07T00:00:00Z")).id, "2026-W50", "Monday midnight UTC starts the next");
  });

  it("a week across the new year belongs to the ISO year of its Thursday", () => {
    assert.equal(seasonAt("weekly", at("2026-12-31T12:00:00Z")).id, "2026-W53", "2026 starts on a Thursday: 53 weeks");
    assert.equal(seasonAt("weekly", at("2027-01-03T23:00:00Z")).id, "2026-W53");
    assert.equal(seasonAt("weekly", at("2027-01-04T00:00:00Z")).id, "2027-W01");
    assert.equal(seasonAt("weekly", at("2025-12-29T00:00:00Z")).id, "2026-W01", "Monday 29 Dec 2025 starts 2026-W01");
  });

  it("months end on their last day, February 29 in leap years", () => {
    assert.equal(seasonAt("monthly", at("2028-02-29T23:59:59Z")).resets_at!.toISOString(), "2028-03-01T00:00:00.000Z");
    assert.equal(seasonAt("monthly", at("2026-12-31T23:59:59Z")).resets_at!.toISOString(), "2027-01-01T00:00:00.000Z");
    assert.equal(seasonAt("monthly", at("2026-12-31T23:59:59Z")).id, "2026-12");
    assert.equal(seasonAt("daily", at("2028-02-29T05:00:00Z")).id, "2028-02-29");
    assert.equal(seasonAt("daily", at("2028-02-29T05:00:00Z")).resets_at!.toISOString(), "2028-03-01T00:00:00.000Z");
  });

  it("parses season ids and rejects impossible ones", () => {
    assert.equal(parseSeason("weekly", "2026-W49")!.starts_at.toISOString(), "2026-11-30T00:00:00.000Z");
    assert.equal(parseSeason("weekly", "2026-W53")!.id, "2026-W53");
    assert.equal(parseSeason("weekly", "2027-W53"), undefined, "2027 has 52 weeks");
    assert.equal(parseSeason("weekly", "2026-W00"), undefined);
    assert.equal(parseSeason("daily", "2028-02-29")!.id, "2028-02-29");
    assert.equal(parseSeason("daily", "2027-02-29"), undefined, "not a leap year");
    assert.equal(parseSeason("monthly", "2026-13"), undefined);
    assert.equal(parseSeason("monthly", "2026-W49"), undefined, "a week is not a month");
    assert.equal(parseSeason("all_time", "all")!.resets_at, null);
  });

  it("every season id round-trips through a year of days", () => {
    for (let t = Date.UTC(2027, 11, 20); t < Date.UTC(2029, 0, 10); t += 86_400_000) {
      for (const period of ["daily", "weekly", "monthly"] as const) {
        const s = seasonAt(period, new Date(t));
        assert.deepEqual(parseSeason(period, s.id), s);
        assert.ok(s.starts_at.getTime() <= t && t < s.resets_at!.getTime());
      }
    }
  });
});

describe("leaderboard rules: scores and ties", () => {
  const weekly = def({});
  const season = seasonAt("weekly", at("2026-12-01T00:00:00Z"));
  const enc = scoreEncoding("weekly");

  it("composites stay below 2^53 at the largest score and any tiebreak", () => {
    for (const period of ["all_time", "daily", "weekly", "monthly"] as const) {
      const { base, max_score } = scoreEncoding(period);
      assert.ok(max_score * base + (base - 1) <= Number.MAX_SAFE_INTEGER, period);
    }
    const tb = tiebreakAt(weekly, season, season.resets_at!);
    assert.ok(tb >= 0 && tb < enc.base);
  });

  it("on a desc board an equal score reached earlier ranks higher; on asc too", () => {
    const early = tiebreakAt(weekly, season, at("2026-12-01T10:00:00Z"));
    const late = tiebreakAt(weekly, season, at("2026-12-01T10:00:01Z"));
    const a = applySubmission(scoreRule(weekly), null, 50, early)!;
    const b = applySubmission(scoreRule(weekly), null, 50, late)!;
    assert.ok(a.composite > b.composite, "desc: the earlier one has the bigger composite");
    assert.equal(scoreOf(a.composite, enc.base), 50);
    const asc = def({ order: "asc", operator: "best" });
    const ea = applySubmission(scoreRule(asc), null, 50, tiebreakAt(asc, season, at("2026-12-01T10:00:00Z")))!;
    const la = applySubmission(scoreRule(asc), null, 50, tiebreakAt(asc, season, at("2026-12-01T10:00:01Z")))!;
    assert.ok(ea.composite < la.composite, "asc: the earlier one has the smaller composite");
  });

  it("operators: incr adds and saturates, best keeps the better, set replaces", () => {
    const incr = applySubmission(scoreRule(weekly), { score: 10, composite: 10 * enc.base }, 5, 7)!;
    assert.deepEqual(incr, { score: 15, composite: 15 * enc.base + 7 });
    assert.equal(applySubmission(scoreRule(weekly), { score: enc.max_score - 1, composite: 0 }, 5, 0)!.score, enc.max_score);
    const bestDesc = def({ operator: "best" });
    assert.equal(applySubmission(scoreRule(bestDesc), { score: 10, composite: 0 }, 9, 0), null);
    assert.equal(applySubmission(scoreRule(bestDesc), { score: 10, composite: 0 }, 10, 0), null, "equal is not better: the first keeps it");
    assert.equal(applySubmission(scoreRule(bestDesc), { score: 10, composite: 0 }, 11, 0)!.score, 11);
    const bestAsc = def({ operator: "best", order: "asc" });
    assert.equal(applySubmission(scoreRule(bestAsc), { score: 10, composite: 0 }, 11, 0), null);
    assert.equal(applySubmission(scoreRule(bestAsc), { score: 10, composite: 0 }, 9, 0)!.score, 9);
    const set = def({ operator: "set" });
    assert.equal(applySubmission(scoreRule(set), { score: 10, composite: 0 }, 3, 1)!.score, 3);
    assert.equal(applySubmission(scoreRule(set), { score: 10, composite: 0 }, 10, 1), null);
  });

  it("validates scores and scopes", () => {
    assert.throws(() => assertSubmittable(weekly, 0), { code: "invalid_score" });
    assert.throws(() => assertSubmittable(weekly, 1.5), { code: "invalid_score" });
    assert.throws(() => assertSubmittable(def({ period: "all_time", operator: "set" }), 2 ** 22), { code: "invalid_score" });
    assertSubmittable(def({ operator: "set" }), 0);
    assert.throws(() => assertScope(findBoard("stream_gifters")!, undefined), { code: "scope_required" });
    assert.throws(() => assertScope(findBoard("xp_weekly")!, "abc"), { code: "scope_not_allowed" });
  });
});
