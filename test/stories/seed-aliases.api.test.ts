import { strict as assert } from "node:assert";
import { issueAccessToken } from "../../src/auth/tokens";
import { StoryModel, StoryReactionModel } from "../../src/stories/story.model";
import { api } from "../support/http";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { postStory } from "../support/stories";

/** Seed 001's paths: `POST /stories/{id}/reaction` and `DELETE /stories/admin/cleanup`, aliases of today's endpoints. */

const HOUR = 3_600_000;

describe("seed 001 path aliases", () => {
  before(testServer);
  beforeEach(resetState);

  it("POST /stories/{id}/reaction takes the seed's body and is the same reaction as /reactions", async () => {
    const author = await createUser();
    const viewer = await createUser();
    const id = await postStory(author);

    const seed = await api("POST", `/api/v1/stories/${id}/reaction`, { token: viewer.token, body: { story_id: id, emoji: "💪", message: "beast mode" } });
    assert.equal(seed.status, 200, JSON.stringify(seed.body));
    assert.deepEqual(seed.body, { reaction_count: 1 });
    // reacting again through the other path changes the same reaction, the count stays 1
    const plural = await api("POST", `/api/v1/stories/${id}/reactions`, { token: viewer.token, body: { emoji: "🔥" } });
    assert.deepEqual(plural.body, { reaction_count: 1 });
    const rows = await StoryReactionModel.find({ story_id: id }).lean();
    assert.deepEqual(rows.map((r) => [r.user_id, r.emoji]), [[viewer.id, "🔥"]]);

    // story_id is optional, and must name the path's story when sent
    const other = await createUser();
    assert.deepEqual((await api("POST", `/api/v1/stories/${id}/reaction`, { token: other.token, body: { emoji: "❤️" } })).body, { reaction_count: 2 });
    const mismatch = await api("POST", `/api/v1/stories/${id}/reaction`, { token: other.token, body: { story_id: "f".repeat(24), emoji: "❤️" } });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.error.code, "story_id_mismatch");
    // the same rules: two emojis, an own story
    assert.equal((await api("POST", `/api/v1/stories/${id}/reaction`, { token: other.token, body: { emoji: "💪💪" } })).body.error.code, "invalid_body");
    assert.equal((await api("POST", `/api/v1/stories/${id}/reaction`, { token: author.token, body: { emoji: "💪" } })).body.error.code, "own_story");
    assert.equal((await StoryModel.findById(id).lean())!.reaction_count, 2);
  });

  it("DELETE /stories/admin/cleanup runs the sweep like POST, for admins only", async () => {
    const clock = manualClock(new Date("2030-03-01T10:00:00.000Z"));
    const author = await createUser();
    const admin = await createUser({ roles: ["admin"] });
    const expiring = await postStory(author, { expires_in_hours: 1 });
    await postStory(author);
    clock.advance(2 * HOUR);
    const refresh = async (u: TestUser) => (u.token = await issueAccessToken({ userId: u.id, username: u.username, roles: u.roles }));
    await refresh(author);
    await refresh(admin);

    const refused = await api("DELETE", "/api/v1/stories/admin/cleanup", { token: author.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "forbidden_role");
    assert.equal((await StoryModel.findById(expiring).lean())!.is_expired, false, "a refused call sweeps nothing");

    const run = await api("DELETE", "/api/v1/stories/admin/cleanup", { token: admin.token });
    assert.equal(run.status, 200);
    assert.deepEqual(run.body, { expired: 1, hard_deleted: 0 });
    assert.equal((await StoryModel.findById(expiring).lean())!.is_archived, true);
    assert.deepEqual((await api("POST", "/api/v1/stories/admin/cleanup", { token: admin.token, body: {} })).body, { expired: 0, hard_deleted: 0 });
  });
});
