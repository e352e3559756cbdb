import assert from "node:assert/strict";
import { awardXp } from "../../src/progression/progression.service";
import { storyEngagementAwards } from "../../src/progression/story-engagement.rules";
import { storyEngagementSettled } from "../../src/progression/progression.job";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { call, createStory, SEED_POLL_STORY, textStory } from "../support/stories";

const me = async (token: string) => {
  await storyEngagementSettled();
  return call("GET", "/api/v1/progression/me", token);
};

describe("progression REST and story engagement", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  it("GET /progression/me: a new user has level 1 and nothing else", async () => {
    const alice = await createUser();
    assert.deepEqual(await me(alice.token), { user_id: alice.id, xp: 0, level: 1, level_progress: 0, next_level_xp: 100, badges: [] });
    assert.equal((await api("GET", "/api/v1/progression/me")).status, 401);
    const extra = await api("GET", "/api/v1/progression/me?xp=5", { token: alice.token });
    assert.deepEqual([extra.status, extra.body.error.code], [400, "invalid_query"]);
  });

  it("GET /progression/users/{id}: another user's profile; unknown, malformed and blocked are refused", async () => {
    const [alice, bob] = [await createUser(), await createUser()];
    await awardXp({ userId: bob.id, source: "deal_completed", eventId: "deal:1" });
    const res = await call("GET", `/api/v1/progression/users/${bob.id}`, alice.token);
    assert.equal(res.xp, 100);
    assert.equal(res.level, 2);
    assert.equal(res.next_level_xp, 283);
    assert.deepEqual(res.badges.map((b: any) => Object.keys(b).sort()), [["awarded_at", "id", "title"]]);
    const missing = await api("GET", `/api/v1/progression/users/${"a".repeat(24)}`, { token: alice.token });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "user_not_found");
    const bad = await api("GET", "/api/v1/progression/users/nope", { token: alice.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_params");
    await call("POST", `/api/v1/users/${alice.id}/block`, bob.token);
    assert.equal((await api("GET", `/api/v1/progression/users/${bob.id}`, { token: alice.token })).status, 404, "blocked by bob");
    assert.equal((await api("GET", `/api/v1/progression/users/${alice.id}`, { token: bob.token })).status, 404, "blocked alice");
    assert.equal((await api("GET", `/api/v1/progression/users/${bob.id}`, { token: bob.token })).status, 200, "one's own");
  });

  it("posting, viewing, answering, reacting and replying to a story give XP to viewer and author, once each", async () => {
    const [author, viewer] = [await createUser(), await createUser()];
    await call("POST", `/api/v1/users/${author.id}/follow`, viewer.token);
    const story = await createStory(author, SEED_POLL_STORY);
    assert.equal((await me(author.token)).xp, 10, "posting a story");
    assert.deepEqual((await me(author.token)).badges.map((b: any) => b.id), ["first_story"]);

    await call("POST", `/api/v1/stories/${story.id}/view`, viewer.token, {});
    await call("POST", `/api/v1/stories/${story.id}/view`, viewer.token, {});
    await call("POST", `/api/v1/stories/${story.id}/interact`, viewer.token, { sticker_index: 0, option_index: 1 });
    await call("POST", `/api/v1/stories/${story.id}/reactions`, viewer.token, { emoji: "🔥" });
    await call("POST", `/api/v1/stories/${story.id}/reactions`, viewer.token, { emoji: "😂" });
    await call("POST", `/api/v1/stories/${story.id}/reply`, viewer.token, { text: "nice" });
    await call("POST", `/api/v1/stories/${story.id}/reply`, viewer.token, { text: "really nice" });
    // viewer: view 1 + answer 3 + reaction 3 + reply 5; author: 10 + 1 per kind of engagement
    const v = await me(viewer.token);
    assert.equal(v.xp, 12);
    assert.deepEqual(v.badges.map((b: any) => b.id), ["first_reply"]);
    assert.equal((await me(author.token)).xp, 14);
    // the author's own view gives nothing
    await call("POST", `/api/v1/stories/${story.id}/view`, author.token, {});
    assert.equal((await me(author.token)).xp, 14);
  });

  it("a story event maps to awards with one event id per viewer, kind and story", () => {
    const changed = { type: "story_changed" as const, story_id: "s1", author_id: "a", actor_id: "v", kind: "reply" as const };
    assert.deepEqual(storyEngagementAwards(changed), [
      { userId: "v", source: "story_replied", eventId: "story:s1:reply:v" },
      { userId: "a", source: "story_engagement_received", eventId: "story:s1:reply:v" },
    ]);
    assert.deepEqual(storyEngagementAwards({ ...changed, actor_id: "a" }), []);
    assert.deepEqual(storyEngagementAwards({ type: "story_deleted", story_id: "s1", author_id: "a" }), []);
    assert.deepEqual(storyEngagementAwards({ type: "story_created", story_id: "s1", author_id: "a", actor_id: "a" }), [
      { userId: "a", source: "story_posted", eventId: "story:s1:posted" },
    ]);
  });

  it("XP is read-only over REST: there is no route that changes it", async () => {
    const alice = await createUser();
    for (const [method, path] of [["POST", "/api/v1/progression/me"], ["PATCH", "/api/v1/progression/me"], ["POST", "/api/v1/progression/xp"]]) {
      const res = await api(method!, path!, { token: alice.token, body: { xp: 1_000_000 } });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    assert.equal((await me(alice.token)).xp, 0);
    await createStory(alice, textStory());
    assert.equal((await me(alice.token)).xp, 10);
  });
});
