import { strict as assert } from "node:assert";
import mongoose from "mongoose";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { at, call, createStory } from "../support/stories";

/**
 * GET /admin/stories/metrics against a hand-computed fixture (the figures in the comments are
 * worked out by hand from the actions below, not read back from the implementation).
 */

const metricsPath = (q: Record<string, string>) => `/api/v1/admin/stories/metrics?${new URLSearchParams(q)}`;
const pollStory = (communityId: string) => ({
  story_type: "text",
  text_content: "leg day?",
  privacy: "public",
  community_id: communityId,
  stickers: [{ sticker_type: "poll", ...at, poll: { question: "Squats?", options: [{ text: "yes" }, { text: "no" }] } }],
});

interface Fixture {
  owner: TestUser;
  a: TestUser;
  b: TestUser;
  v1: TestUser;
  communityId: string;
  from: string;
  before: string;
  s2: string;
}

async function fixture(): Promise<Fixture> {
  const owner = await createUser();
  const [a, b, v1, v2, v3] = await Promise.all([createUser({ username: `alice_${Date.now()}` }), createUser(), createUser(), createUser(), createUser()]);
  const { id: communityId } = await call("POST", "/api/v1/communities", owner.token, { name: "Iron Gym" });
  for (const u of [a, b, v1, v2, v3]) await call("POST", `/api/v1/communities/${communityId}/join`, u.token, {});
  await call("POST", `/api/v1/users/${b.id}/follow`, v1.token);

  // s0: posted before the window, still live at its end
  const before = (await createStory(a, { story_type: "text", text_content: "s0", privacy: "public", community_id: communityId })).id;
  await new Promise((r) => setTimeout(r, 5));
  const from = new Date().toISOString();

  // s1: 3 viewers, 1 reaction, 1 poll vote, 1 reply
  const s1 = (await createStory(a, pollStory(communityId))).id;
  for (const v of [v1, v2, v3]) await call("POST", `/api/v1/stories/${s1}/view`, v.token, {});
  await call("POST", `/api/v1/stories/${s1}/reactions`, v1.token, { emoji: "🔥" });
  await call("POST", `/api/v1/stories/${s1}/interact`, v2.token, { sticker_index: 0, option_index: 0 });
  await call("POST", `/api/v1/stories/${s1}/reply`, v3.token, { text: "strong!" });
  // s2: members only, 3 viewers, 2 reactions
  const s2 = (await createStory(a, { story_type: "text", text_content: "s2", privacy: "community", community_id: communityId })).id;
  for (const v of [v1, v2, v3]) await call("POST", `/api/v1/stories/${s2}/view`, v.token, {});
  await call("POST", `/api/v1/stories/${s2}/reactions`, v1.token, { emoji: "💪" });
  await call("POST", `/api/v1/stories/${s2}/reactions`, v2.token, { emoji: "💪" });
  // s3: b's, posted and deleted — counted as posted, not as active
  const s3 = (await createStory(b, { story_type: "text", text_content: "s3", privacy: "followers", community_id: communityId })).id;
  await call("DELETE", `/api/v1/stories/${s3}`, b.token);
  // s4: a's, outside the community, 1 viewer
  const s4 = (await createStory(a, { story_type: "text", text_content: "s4", privacy: "public" })).id;
  await call("POST", `/api/v1/stories/${s4}/view`, v1.token, {});
  return { owner, a, b, v1, communityId, from, before, s2 };
}

/** The reports collection the moderation feature writes (a parallel branch): one row per report. */
async function fileReport(storyId: string, reporterId: string): Promise<void> {
  await mongoose.connection.db!.collection("reports").insertOne({ target_type: "story", target_id: storyId, reporter_id: reporterId, reason: "spam", created_at: new Date() });
}

describe("admin story metrics", () => {
  before(testServer);
  beforeEach(resetState);

  it("matches the hand-computed figures, per community and overall", async () => {
    const f = await fixture();
    const to = new Date(Date.now() + 1).toISOString();
    const community = await call("GET", metricsPath({ community_id: f.communityId, from: f.from, to }), f.owner.token);
    assert.deepEqual(
      { ...community, top_creators: community.top_creators.map((c: any) => [c.user_id, c.story_count, c.total_views, c.total_reactions]) },
      {
        community_id: f.communityId,
        from: f.from,
        to,
        total_stories_today: 3, // s1, s2, s3
        active_stories: 3, // s0, s1, s2 (s3 deleted)
        total_views: 6, // 3 + 3
        total_reactions: 3, // 1 + 2
        // (3 reactions + 1 reply + 1 poll vote) / 6 views
        engagement_rate: 83.3,
        reported_rate: 0, // nothing reported yet (no reports collection at all)
        top_creators: [
          [f.a.id, 2, 6, 3],
          [f.b.id, 1, 0, 0],
        ],
      },
    );
    assert.equal(community.top_creators[0].username, f.a.username);

    await fileReport(f.s2, f.v1.id);
    await fileReport(f.s2, f.b.id); // two reports of one story count once
    await fileReport(f.before, f.v1.id); // outside the window
    const reported = await call("GET", metricsPath({ community_id: f.communityId, from: f.from, to }), f.owner.token);
    assert.equal(reported.reported_rate, 33.3); // 1 of 3

    const admin = await createUser({ roles: ["admin"] });
    const overall = await call("GET", metricsPath({ from: f.from, to }), admin.token);
    assert.equal(overall.community_id, null);
    assert.equal(overall.total_stories_today, 4); // + s4
    assert.equal(overall.active_stories, 4); // s0, s1, s2, s4
    assert.equal(overall.total_views, 7);
    assert.equal(overall.engagement_rate, 71.4); // 5 / 7
    assert.equal(overall.reported_rate, 25); // 1 of 4
    assert.deepEqual(overall.top_creators.map((c: any) => [c.user_id, c.story_count]), [[f.a.id, 3], [f.b.id, 1]]);
  });

  it("by default the window is today (UTC) up to now", async () => {
    const f = await fixture();
    const res = await call("GET", metricsPath({ community_id: f.communityId }), f.owner.token);
    const now = new Date();
    assert.equal(res.from, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString());
    assert.ok(Math.abs(new Date(res.to).getTime() - now.getTime()) < 5000);
    assert.equal(res.total_stories_today, 4); // s0 too: posted today
  });

  it("site admins see everything; community owners and admins their community; nobody else", async () => {
    const f = await fixture();
    const q = { community_id: f.communityId };
    const member = await api("GET", metricsPath(q), { token: f.v1.token });
    assert.equal(member.status, 403);
    assert.equal(member.body.error.code, "not_community_admin");
    const outsider = await createUser();
    assert.equal((await api("GET", metricsPath(q), { token: outsider.token })).status, 403);
    const global = await api("GET", metricsPath({}), { token: f.owner.token });
    assert.equal(global.status, 403);
    assert.equal(global.body.error.code, "forbidden_role");

    await call("PUT", `/api/v1/communities/${f.communityId}/admins/${f.b.id}`, f.owner.token);
    assert.equal((await api("GET", metricsPath(q), { token: f.b.token })).status, 200);
    assert.equal((await api("GET", metricsPath({ community_id: "d".repeat(24) }), { token: f.owner.token })).body.error.code, "community_not_found");
    assert.equal((await api("GET", metricsPath({}))).status, 401);
  });

  it("refuses bad windows and unknown parameters", async () => {
    const admin = await createUser({ roles: ["admin"] });
    for (const q of <Record<string, string>[]>[{ from: "yesterday" }, { from: "2026-05-02T00:00:00Z", to: "2026-05-01T00:00:00Z" }, { from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, { gym_id: "1" }]) {
      const res = await api("GET", metricsPath(q), { token: admin.token });
      assert.equal(res.status, 400, JSON.stringify(q));
      assert.equal(res.body.error.code, "invalid_query");
    }
  });
});
