import assert from "node:assert/strict";
import type { LeaderboardBackend, Partition, RankedEntry } from "../../src/leaderboards/leaderboard.backend";
import { RedisLeaderboardBackend } from "../../src/leaderboards/redis.backend";
import { StoreLeaderboardBackend } from "../../src/leaderboards/store.backend";
import {
  applySubmission,
  scoreEncoding,
  scoreRule,
  seasonAt,
  tiebreakAt,
  type BoardDefinition,
  type StoredScore,
} from "../../src/leaderboards/leaderboard.rules";
import { resetState, testServer } from "../support/server";
import { testKeyPrefix, testRedisUrl } from "../support/redis";
import { testBoard } from "./board.fixture";

/**
 * One suite, run against the store and against Redis: the same submissions must give the same
 * ranks, scores and outcomes on both, and the same as the pure rules (applySubmission + sort).
 */
const board = testBoard;

const T0 = new Date("2026-12-01T10:00:00Z");
let seq = 0;

function partitionFor(def: BoardDefinition): Partition {
  return { key: `${def.id}:${++seq}:${seasonAt(def.period, T0).id}`, order: def.order, base: scoreEncoding(def.period).base };
}

function submitter(backend: () => LeaderboardBackend, def: BoardDefinition, partition: Partition) {
  const season = seasonAt(def.period, T0);
  return (userId: string, score: number, opts: { at?: Date; eventId?: string } = {}) =>
    backend().submit({
      partition,
      userId,
      rule: scoreRule(def),
      score,
      tiebreak: tiebreakAt(def, season, opts.at ?? T0),
      eventId: opts.eventId,
    });
}

/** The pure model of a partition: what both backends must list. */
function modelRanking(def: BoardDefinition, ops: Array<{ user: string; score: number; at: Date }>): RankedEntry[] {
  const season = seasonAt(def.period, T0);
  const rows = new Map<string, StoredScore>();
  for (const op of ops) {
    const next = applySubmission(scoreRule(def), rows.get(op.user) ?? null, op.score, tiebreakAt(def, season, op.at));
    if (next) rows.set(op.user, next);
  }
  const dir = def.order === "desc" ? -1 : 1;
  return [...rows.entries()]
    .sort(([ua, a], [ub, b]) => (a.composite !== b.composite ? dir * (a.composite - b.composite) : dir * (ua < ub ? -1 : 1)))
    .map(([user_id, s], i) => ({ rank: i + 1, user_id, score: s.score }));
}

/** A small deterministic PRNG so both backends see the same "random" workload. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const BACKENDS = ["store", "redis"] as const;

for (const kind of BACKENDS) {
  describe(`leaderboard backend: ${kind}`, function () {
    let backend: LeaderboardBackend;
    const get = () => backend;

    before(async function () {
      await testServer();
      if (kind === "store") {
        backend = new StoreLeaderboardBackend();
        return;
      }
      const url = await testRedisUrl();
      if (!url) {
        console.warn("\n  !!! SKIPPING the Redis leaderboard backend: no Redis reachable\n");
        this.skip();
      }
      backend = new RedisLeaderboardBackend(url!, testKeyPrefix("lb"));
    });
    beforeEach(() => resetState());
    afterEach(async () => {
      if (backend instanceof RedisLeaderboardBackend) await backend.deleteOwnKeys();
    });
    after(async () => {
      if (backend instanceof RedisLeaderboardBackend) await backend.deleteOwnKeys();
      await backend?.close();
    });

    it("incr adds up, ranks desc, and an equal score reached earlier ranks first", async () => {
      const def = board({});
      const p = partitionFor(def);
      const submit = submitter(get, def, p);
      await submit("u_b", 30, { at: new Date(T0.getTime() + 5000) });
      await submit("u_a", 20, { at: new Date(T0.getTime() + 1000) });
      const out = await submit("u_a", 10, { at: new Date(T0.getTime() + 9000) });
      assert.deepEqual(out, { applied: true, duplicate: false, score: 30 });
      await submit("u_c", 5);
      // u_b reached 30 at +5 s, u_a only at +9 s
      assert.deepEqual(await backend.range(p, 0, 10), [
        { rank: 1, user_id: "u_b", score: 30 },
        { rank: 2, user_id: "u_a", score: 30 },
        { rank: 3, user_id: "u_c", score: 5 },
      ]);
      assert.deepEqual(await backend.rankOf(p, "u_a"), { rank: 2, user_id: "u_a", score: 30 });
      assert.equal(await backend.rankOf(p, "nobody"), null);
      assert.deepEqual(await backend.range(p, 1, 1), [{ rank: 2, user_id: "u_a", score: 30 }], "a page further down");
    });

    it("best keeps the better score (asc: the smaller), set replaces, and no-ops say so", async () => {
      const asc = board({ operator: "best", order: "asc", period: "all_time" });
      const p = partitionFor(asc);
      const best = submitter(get, asc, p);
      assert.equal((await best("u_a", 300)).applied, true);
      assert.deepEqual(await best("u_a", 320), { applied: false, duplicate: false, score: 300 });
      assert.deepEqual(await best("u_a", 250), { applied: true, duplicate: false, score: 250 });
      await best("u_b", 260);
      assert.deepEqual((await backend.range(p, 0, 5)).map((e) => [e.user_id, e.score]), [["u_a", 250], ["u_b", 260]]);

      const setDef = board({ operator: "set" });
      const q = partitionFor(setDef);
      const set = submitter(get, setDef, q);
      await set("u_a", 50);
      assert.deepEqual(await set("u_a", 50, { at: new Date(T0.getTime() + 60_000) }), { applied: false, duplicate: false, score: 50 });
      assert.deepEqual(await set("u_a", 10), { applied: true, duplicate: false, score: 10 });
      assert.equal((await set("u_b", 0)).score, 0, "zero is a score on a set board");
    });

    it("an event id counts once", async () => {
      const def = board({});
      const p = partitionFor(def);
      const submit = submitter(get, def, p);
      assert.deepEqual(await submit("u_a", 7, { eventId: "gift:1" }), { applied: true, duplicate: false, score: 7 });
      assert.deepEqual(await submit("u_a", 7, { eventId: "gift:1" }), { applied: false, duplicate: true, score: 7 });
      assert.deepEqual(await submit("u_a", 3, { eventId: "gift:2" }), { applied: true, duplicate: false, score: 10 });
    });

    it("a batch of boards for one event counts once per board, also when some already counted", async () => {
      const def = board({});
      const [p, q] = [partitionFor(def), partitionFor(def)];
      const season = seasonAt(def.period, T0);
      const req = (partition: Partition, eventId: string) => ({
        partition,
        userId: "u_a",
        rule: scoreRule(def),
        score: 4,
        tiebreak: tiebreakAt(def, season, T0),
        eventId,
      });
      assert.deepEqual((await backend.submitMany([req(p, "e1"), req(q, "e1")])).map((o) => o.applied), [true, true]);
      assert.deepEqual((await backend.submitMany([req(p, "e1"), req(q, "e1")])).map((o) => o.duplicate), [true, true]);
      // e2 is new on p, e1 is old on q: p counts, q does not
      const mixed = await backend.submitMany([req(p, "e2"), req(q, "e1")]);
      assert.deepEqual(mixed.map((o) => [o.applied, o.score]), [[true, 8], [false, 4]]);
    });

    it("a batch of many events for the same users on one board: each event once, the totals exact", async () => {
      const def = board({});
      const p = partitionFor(def);
      const season = seasonAt(def.period, T0);
      const req = (userId: string, eventId: string, score: number) => ({
        partition: p,
        userId,
        rule: scoreRule(def),
        score,
        tiebreak: tiebreakAt(def, season, T0),
        eventId,
      });
      // event ids are per partition (not per user), as the XP boards use them
      const batch = [req("u_a", "e1", 3), req("u_b", "e4", 5), req("u_a", "e2", 4), req("u_a", "e3", 1)];
      const out = await backend.submitMany(batch);
      assert.deepEqual(out.map((o) => o.applied), [true, true, true, true]);
      assert.equal(out[3]!.score, 8);
      // again, with one new event for u_b among the repeats: only that one counts
      await backend.submitMany([...batch, req("u_b", "e9", 2)]);
      const top = await backend.range(p, 0, 10);
      assert.deepEqual(top.map((e) => [e.user_id, e.score]), [["u_a", 8], ["u_b", 7]]);
    });

    it("incr saturates at the board's largest score instead of overflowing 2^53", async () => {
      const def = board({ period: "all_time" });
      const p = partitionFor(def);
      const submit = submitter(get, def, p);
      const { max_score } = scoreEncoding("all_time");
      await submit("u_a", max_score - 1);
      assert.equal((await submit("u_a", 10)).score, max_score);
      assert.deepEqual(await backend.range(p, 0, 1), [{ rank: 1, user_id: "u_a", score: max_score }]);
    });

    it("200 concurrent incr on one user give the exact total", async () => {
      const def = board({});
      const p = partitionFor(def);
      const submit = submitter(get, def, p);
      await Promise.all(Array.from({ length: 200 }, (_, i) => submit("u_hot", (i % 5) + 1)));
      assert.deepEqual(await backend.rankOf(p, "u_hot"), { rank: 1, user_id: "u_hot", score: 40 * (1 + 2 + 3 + 4 + 5) });
    });

    it("50 concurrent submissions of one event id apply once", async () => {
      const def = board({});
      const p = partitionFor(def);
      const submit = submitter(get, def, p);
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => submit("u_a", 9, { eventId: "same" })));
      assert.equal(outcomes.filter((o) => o.applied).length, 1);
      assert.equal(outcomes.filter((o) => o.duplicate).length, 49);
      assert.equal((await backend.rankOf(p, "u_a"))!.score, 9);
    });

    for (const shape of [
      { operator: "incr", order: "desc" },
      { operator: "best", order: "desc" },
      { operator: "best", order: "asc" },
      { operator: "set", order: "desc" },
      { operator: "set", order: "asc" },
    ] as const) {
      it(`a random workload ranks exactly as the pure rules do (${shape.operator}, ${shape.order})`, async () => {
        const def = board({ ...shape, period: "monthly" });
        const p = partitionFor(def);
        const submit = submitter(get, def, p);
        const rand = prng(42);
        const ops = Array.from({ length: 150 }, () => ({
          user: `u_${Math.floor(rand() * 25)}`,
          score: Math.floor(rand() * 8) + 1,
          // few distinct seconds, so equal composites happen and fall back to the user id
          at: new Date(T0.getTime() + Math.floor(rand() * 4) * 1000),
        }));
        for (const op of ops) await submit(op.user, op.score, { at: op.at });
        const expected = modelRanking(def, ops);
        assert.deepEqual(await backend.range(p, 0, 100), expected);
        for (const entry of expected.slice(0, 8)) assert.deepEqual(await backend.rankOf(p, entry.user_id), entry);
      });
    }
  });
}
