import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser, createUsers, type TestUser } from "../support/factories";
import { createStream, liveStream } from "../support/live";
import { resetState, testServer } from "../support/server";
import { creatorSimilarity, creatorVectors, historyOf, POPULARITY_ONLY, rankCandidates, type Interaction } from "../../src/live/recommend.rules";
import { evaluate, syntheticWorld } from "../../src/live/recommend.eval";

const watched = (user: string, creator: string, minutes = 30): Interaction => ({ user, creator, followed: false, watchMs: minutes * 60_000, giftTokens: 0 });

describe("recommendation rules", () => {
  // u1, u2 watch A and B; u3..u6 watch only C (the popular one); D shares A's category
  const interactions = [watched("u1", "A"), watched("u1", "B"), watched("u2", "A"), watched("u2", "B"), ...["u3", "u4", "u5", "u6"].map((u) => watched(u, "C"))];
  const vectors = creatorVectors(interactions);
  const categoryOf = new Map([["A", "music"], ["B", "talk"], ["C", "games"], ["D", "music"]]);
  const candidates = [
    { id: "sB", creator: "B", category: "talk", popularity: 2 },
    { id: "sC", creator: "C", category: "games", popularity: 4 },
    { id: "sD", creator: "D", category: "music", popularity: 3 },
  ];

  it("creators with a shared audience are similar (cosine); with none, 0", () => {
    assert.ok(Math.abs(creatorSimilarity(vectors.get("A"), vectors.get("B")) - 1) < 1e-9);
    assert.equal(creatorSimilarity(vectors.get("A"), vectors.get("C")), 0);
    assert.equal(creatorSimilarity(vectors.get("A"), undefined), 0);
  });

  it("a watcher of A gets B (co-watched) first, then D (A's category, a little less popular), then the popular but unrelated C", () => {
    const ranked = rankCandidates(historyOf("me", [watched("me", "A")]), candidates, vectors, categoryOf);
    assert.deepEqual(ranked.map((r) => r.id), ["sB", "sD", "sC"]);
    assert.ok(ranked[0]!.parts.cf > 0 && ranked[1]!.parts.category > 0 && ranked[2]!.parts.cf === 0);
  });

  it("cold start (no history): popularity alone; excluded creators are left out", () => {
    const ranked = rankCandidates(new Map(), candidates, vectors, categoryOf);
    assert.deepEqual(ranked.map((r) => r.id), ["sC", "sD", "sB"]);
    assert.deepEqual(rankCandidates(new Map(), candidates, vectors, categoryOf, POPULARITY_ONLY, new Set(["C"])).map((r) => r.id), ["sD", "sB"]);
  });

  it("on synthetic data with taste structure, the blend beats popularity-only at precision@10 and recall@10", function () {
    this.timeout(60_000);
    const world = syntheticWorld({ users: 300, creators: 120, categories: 8, seed: 3 });
    const blended = evaluate(world, { cf: 1, category: 0.1, popularity: 0.2 });
    const popular = evaluate(world, POPULARITY_ONLY);
    assert.ok(blended.precision > popular.precision * 1.2, `precision ${blended.precision} vs ${popular.precision}`);
    assert.ok(blended.recall > popular.recall * 1.2, `recall ${blended.recall} vs ${popular.recall}`);
  });
});

describe("GET /streams/recommended", () => {
  before(testServer);
  beforeEach(resetState);

  const follow = (who: TestUser, whom: TestUser) => api("POST", `/api/v1/users/${whom.id}/follow`, { token: who.token, body: {} });

  it("ranks live and scheduled streams from follows (co-follow similarity), falls back to popularity for a new user", async () => {
    const [a, b, c] = [await createUser({ roles: ["creator"] }), await createUser({ roles: ["creator"] }), await createUser({ roles: ["creator"] })];
    const [sa, sb, sc] = [await liveStream(a, { category: "music" }), await liveStream(b, { category: "talk" }), await createStream(c, { category: "games", scheduled_at: new Date(Date.now() + 3600_000).toISOString() })];
    const d = await createUser({ roles: ["creator"] });
    const ended = await liveStream(d);
    const fans = await createUsers(6);
    // two fans follow both a and b; four others follow c only (c is the most followed)
    for (const f of fans.slice(0, 2)) for (const x of [a, b]) assert.ok((await follow(f, x)).status < 300);
    for (const f of fans.slice(2)) await follow(f, c);
    assert.equal((await api("POST", `/api/v1/streams/${ended}/end`, { token: d.token, body: {} })).status, 200);

    const me = await createUser();
    await follow(me, a);
    const mine = await api("GET", "/api/v1/streams/recommended", { token: me.token });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.cold_start, false);
    assert.deepEqual(mine.body.items.map((s: any) => s.id).slice(0, 3), [sa, sb, sc], "the followed creator, then the co-followed one, then the merely popular one");
    assert.ok(mine.body.items[1].score > mine.body.items[2].score);

    const newcomer = await createUser();
    const cold = await api("GET", "/api/v1/streams/recommended?limit=2", { token: newcomer.token });
    assert.equal(cold.body.cold_start, true);
    assert.equal(cold.body.items.length, 2);
    assert.equal(cold.body.items[0].id, sc, "the most followed creator first");
    assert.ok(!mine.body.items.some((s: any) => s.id === ended), "ended streams are not recommended");
    assert.equal((await api("GET", "/api/v1/streams/recommended?limit=0", { token: me.token })).status, 400);
    assert.equal((await api("GET", "/api/v1/streams/recommended")).status, 401);
  });
});
