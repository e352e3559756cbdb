import assert from "node:assert/strict";
import { submitScore, useLeaderboardBackend } from "../../src/leaderboards/leaderboard.service";
import { RedisLeaderboardBackend } from "../../src/leaderboards/redis.backend";
import { StoreLeaderboardBackend } from "../../src/leaderboards/store.backend";
import type { LeaderboardBackend } from "../../src/leaderboards/leaderboard.backend";
import { api } from "../support/http";
import { manualClock, resetState, testServer } from "../support/server";
import { createUsers, type TestUser } from "../support/factories";
import { testKeyPrefix, testRedisUrl } from "../support/redis";

const get = (path: string, user: TestUser) => api("GET", path, { token: user.token });

for (const kind of ["store", "redis"] as const) {
  describe(`leaderboards REST (${kind} backend)`, function () {
    let backend: LeaderboardBackend;
    let restore: (() => void) | undefined;

    before(async function () {
      await testServer();
      if (kind === "store") backend = new StoreLeaderboardBackend();
      else {
        const url = await testRedisUrl();
        if (!url) {
          console.warn("\n  !!! SKIPPING leaderboards REST on Redis: no Redis reachable\n");
          this.skip();
        }
        backend = new RedisLeaderboardBackend(url!, testKeyPrefix("lb-api"));
      }
      restore = useLeaderboardBackend(backend);
    });
    beforeEach(() => resetState());
    afterEach(async () => {
      if (backend instanceof RedisLeaderboardBackend) await backend.deleteOwnKeys();
    });
    after(async () => {
      restore?.();
      await backend?.close();
    });

    it("lists a stream's gifters in rank order with users, ties to who got there first, paged", async () => {
      const clock = manualClock(new Date("2026-12-01T20:00:00Z"));
      const users = await createUsers(4);
      const [a, b, c, d] = users as [TestUser, TestUser, TestUser, TestUser];
      await submitScore({ boardId: "stream_gifters", scopeId: "s1", userId: b.id, score: 40, eventId: "g1" });
      clock.advance(2000);
      await submitScore({ boardId: "stream_gifters", scopeId: "s1", userId: a.id, score: 40, eventId: "g2" });
      await submitScore({ boardId: "stream_gifters", scopeId: "s1", userId: c.id, score: 100, eventId: "g3" });
      await submitScore({ boardId: "stream_gifters", scopeId: "s1", userId: d.id, score: 5, eventId: "g4" });
      await submitScore({ boardId: "stream_gifters", scopeId: "s1", userId: d.id, score: 5, eventId: "g4" });
      await submitScore({ boardId: "stream_gifters", scopeId: "other", userId: a.id, score: 999, eventId: "g5" });

      const first = await get("/api/v1/leaderboards/stream_gifters?scope_id=s1&limit=2", a);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.board_id, "stream_gifters");
      assert.equal(first.body.season, "all");
      assert.equal(first.body.resets_at, null);
      assert.deepEqual(first.body.items, [
        { rank: 1, user: { id: c.id, username: c.username, display_name: c.display_name }, score: 100 },
        { rank: 2, user: { id: b.id, username: b.username, display_name: b.display_name }, score: 40 },
      ]);
      const second = await get(`/api/v1/leaderboards/stream_gifters?scope_id=s1&limit=2&cursor=${first.body.next_cursor}`, a);
      assert.deepEqual(second.body.items.map((i: any) => [i.rank, i.user.id, i.score]), [[3, a.id, 40], [4, d.id, 5]]);
      assert.equal(second.body.next_cursor, null);
    });

    it("/me answers my rank, score and the entries around me; not ranked is null and empty", async () => {
      const users = await createUsers(7);
      for (const [i, u] of users.entries()) await submitScore({ boardId: "gifters_weekly", userId: u.id, score: 10 * (i + 1) });
      const mid = users[3]!; // 40: rank 4 of 7
      const res = await get("/api/v1/leaderboards/gifters_weekly/me", mid);
      assert.equal(res.status, 200);
      assert.equal(res.body.rank, 4);
      assert.equal(res.body.score, 40);
      assert.deepEqual(res.body.around.map((i: any) => [i.rank, i.score]), [[2, 60], [3, 50], [4, 40], [5, 30], [6, 20]]);
      const top = await get("/api/v1/leaderboards/gifters_weekly/me", users[6]!);
      assert.deepEqual(top.body.around.map((i: any) => i.rank), [1, 2, 3]);
      const [outsider] = await createUsers(1);
      const none = await get("/api/v1/leaderboards/gifters_weekly/me", outsider!);
      assert.deepEqual([none.body.rank, none.body.score, none.body.around], [null, null, []]);
    });

    it("a weekly board resets Monday 00:00 UTC; the past season stays readable by its id", async () => {
      const clock = manualClock(new Date("2026-12-06T23:59:30Z")); // Sunday of 2026-W49
      const [a, b] = (await createUsers(2)) as [TestUser, TestUser];
      await submitScore({ boardId: "gifters_weekly", userId: a.id, score: 70 });
      await submitScore({ boardId: "gifters_weekly", userId: b.id, score: 30 });
      const before = await get("/api/v1/leaderboards/gifters_weekly", a);
      assert.equal(before.body.season, "2026-W49");
      assert.equal(before.body.resets_at, "2026-12-07T00:00:00.000Z");

      clock.set(new Date("2026-12-07T00:00:00Z"));
      await submitScore({ boardId: "gifters_weekly", userId: b.id, score: 5 });
      const now = await get("/api/v1/leaderboards/gifters_weekly?period=current", a);
      assert.equal(now.body.season, "2026-W50");
      assert.equal(now.body.resets_at, "2026-12-14T00:00:00.000Z");
      assert.deepEqual(now.body.items.map((i: any) => [i.user.id, i.score]), [[b.id, 5]]);
      const archived = await get("/api/v1/leaderboards/gifters_weekly?period=2026-W49", a);
      assert.equal(archived.body.season, "2026-W49");
      assert.deepEqual(archived.body.items.map((i: any) => [i.user.id, i.score]), [[a.id, 70], [b.id, 30]]);
      const mine = await get("/api/v1/leaderboards/gifters_weekly/me?period=2026-W49", b);
      assert.deepEqual([mine.body.rank, mine.body.score], [2, 30]);
      assert.equal((await get("/api/v1/leaderboards/gifters_weekly/me", a)).body.rank, null, "nothing yet this week");
    });

    it("an asc board (best time) ranks the smallest first and keeps only improvements", async () => {
      const [a, b] = (await createUsers(2)) as [TestUser, TestUser];
      await submitScore({ boardId: "book_fastest", scopeId: "book1", userId: a.id, score: 900 });
      await submitScore({ boardId: "book_fastest", scopeId: "book1", userId: b.id, score: 600 });
      await submitScore({ boardId: "book_fastest", scopeId: "book1", userId: a.id, score: 1200 });
      await submitScore({ boardId: "book_fastest", scopeId: "book1", userId: a.id, score: 500 });
      const res = await get("/api/v1/leaderboards/book_fastest?scope_id=book1", a);
      assert.deepEqual(res.body.items.map((i: any) => [i.user.id, i.score]), [[a.id, 500], [b.id, 600]]);
    });

    it("unknown boards are 404; bad queries are 400 with the error shape; no token is 401", async () => {
      const [a] = (await createUsers(1)) as [TestUser];
      const missing = await get("/api/v1/leaderboards/nope", a);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, "leaderboard_not_found");
      assert.equal((await get("/api/v1/leaderboards/nope/me", a)).body.error.code, "leaderboard_not_found");
      const cases: Array<[string, string]> = [
        ["/api/v1/leaderboards/stream_gifters", "scope_required"],
        ["/api/v1/leaderboards/xp_weekly?scope_id=s1", "scope_not_allowed"],
        ["/api/v1/leaderboards/xp_weekly?period=2026-12", "invalid_season"],
        ["/api/v1/leaderboards/xp_weekly?period=2027-W53", "invalid_season"],
        ["/api/v1/leaderboards/xp_monthly_typo", "leaderboard_not_found"],
        ["/api/v1/leaderboards/xp_weekly?limit=0", "invalid_query"],
        ["/api/v1/leaderboards/xp_weekly?limit=101", "invalid_query"],
        ["/api/v1/leaderboards/xp_weekly?cursor=garbage", "invalid_cursor"],
        ["/api/v1/leaderboards/xp_weekly?extra=1", "invalid_query"],
        ["/api/v1/leaderboards/stream_gifters?scope_id=a%20b", "invalid_query"],
        ["/api/v1/leaderboards/Bad-Id", "invalid_params"],
        ["/api/v1/leaderboards/xp_weekly/me?limit=5", "invalid_query"],
      ];
      for (const [path, code] of cases) {
        const res = await get(path, a);
        assert.equal(res.body.error?.code, code, `${path} → ${res.status} ${JSON.stringify(res.body)}`);
        assert.ok(res.status === 400 || res.status === 404, path);
      }
      assert.equal((await api("GET", "/api/v1/leaderboards/xp_weekly")).status, 401);
    });
  });
}
