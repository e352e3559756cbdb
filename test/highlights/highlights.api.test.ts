import { strict as assert } from "node:assert";
import { testServer, resetState, manualClock } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { issueAccessToken } from "../../src/auth/tokens";
import { HighlightModel } from "../../src/highlights/highlight.model";
import { StoryModel } from "../../src/stories/story.model";

const HOUR = 3600 * 1000;

/** An access token valid at the current (possibly injected) clock. */
async function freshToken(u: TestUser): Promise<string> {
  return issueAccessToken({ userId: u.id, username: u.username, roles: u.roles });
}

async function createStory(token: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api("POST", "/api/v1/stories", {
    token,
    body: { story_type: "image", media_url: "https://cdn.example/p.jpg", privacy: "public", ...extra },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function createHighlight(token: string, body: Record<string, unknown>): Promise<any> {
  const res = await api("POST", "/api/v1/highlights", { token, body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function listTitles(token: string, userId: string): Promise<string[]> {
  const res = await api("GET", `/api/v1/highlights/user/${userId}`, { token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items.map((h: { title: string }) => h.title);
}

describe("Highlights REST", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  it("creates a highlight from own stories, an expired one included, with the stories resolved in order", async () => {
    const clock = manualClock(Date.now() - 3 * HOUR);
    const owner = await createUser();
    const expiredId = await createStory(await freshToken(owner), { expires_in_hours: 1, caption: "old" });
    clock.set(Date.now());
    const token = await freshToken(owner);
    const liveId = await createStory(token, { story_type: "text", text_content: "hello", media_url: undefined });

    const res = await api("POST", "/api/v1/highlights", {
      token,
      body: { title: "Summer 2025", description: "Best vacation ever!", story_ids: [liveId, expiredId], cover: { emoji: "☀️", color: "#FFD700" }, is_pinned: true },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.title, "Summer 2025");
    assert.equal(res.body.user_id, owner.id);
    assert.deepEqual(res.body.story_ids, [liveId, expiredId]);
    assert.deepEqual(res.body.stories.map((s: any) => [s.id, s.story_type]), [[liveId, "text"], [expiredId, "image"]]);
    assert.equal(res.body.stories[1].media_url, "https://cdn.example/p.jpg");
    assert.equal(typeof res.body.stories[1].created_at, "string");
    assert.deepEqual(res.body.cover, { story_id: null, media_url: null, emoji: "☀️", color: "#FFD700" });
    assert.equal(res.body.is_pinned, true);

    const stored = await HighlightModel.findById(res.body.id).lean();
    assert.deepEqual(stored?.story_ids, [liveId, expiredId]);
    // the expired story is still served through the highlight to another user
    const other = await createUser();
    const seen = await api("GET", `/api/v1/highlights/${res.body.id}`, { token: other.token });
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.story_ids, [liveId, expiredId]);
  });

  it("refuses someone else's story and writes nothing", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const mine = await createStory(owner.token);
    const theirs = await createStory(stranger.token);
    const res = await api("POST", "/api/v1/highlights", { token: owner.token, body: { title: "Mixed", story_ids: [mine, theirs] } });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "story_not_found");
    assert.deepEqual(res.body.error.details, { story_ids: [theirs] });
    assert.equal(await HighlightModel.countDocuments({}), 0);
  });

  it("refuses a deleted story", async () => {
    const owner = await createUser();
    const id = await createStory(owner.token);
    assert.equal((await api("DELETE", `/api/v1/stories/${id}`, { token: owner.token })).status < 300, true);
    const res = await api("POST", "/api/v1/highlights", { token: owner.token, body: { title: "Gone", story_ids: [id] } });
    assert.equal(res.status, 404);
    assert.equal(await HighlightModel.countDocuments({}), 0);
  });

  it("answers bad bodies with 400 and the error shape, writing nothing", async () => {
    const owner = await createUser();
    const id = await createStory(owner.token);
    const bodies: unknown[] = [
      {},
      { title: "", story_ids: [id] },
      { title: "x".repeat(31), story_ids: [id] },
      { title: "ok", story_ids: [] },
      { title: "ok", story_ids: ["not-an-id"] },
      { title: "ok", story_ids: [id], extra: true },
      { title: "ok", story_ids: [id], cover: { emoji: "not emoji" } },
    ];
    for (const body of bodies) {
      const res = await api("POST", "/api/v1/highlights", { token: owner.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, "invalid_body");
      assert.equal(typeof res.body.error.message, "string");
      assert.ok(Array.isArray(res.body.error.details));
    }
    const cover = await api("POST", "/api/v1/highlights", { token: owner.token, body: { title: "ok", story_ids: [id], cover: { story_id: "f".repeat(24) } } });
    assert.equal(cover.status, 400);
    assert.equal(cover.body.error.code, "cover_story_not_in_highlight");
    assert.equal(await HighlightModel.countDocuments({}), 0);
    const unauth = await api("POST", "/api/v1/highlights", { body: { title: "ok", story_ids: [id] } });
    assert.equal(unauth.status, 401);
  });

  it("adds and removes stories; removing the last one deletes the highlight", async () => {
    const owner = await createUser();
    const [a, b, c] = [await createStory(owner.token), await createStory(owner.token), await createStory(owner.token)];
    const h = await createHighlight(owner.token, { title: "Trip", story_ids: [a] });
    assert.equal(h.cover.story_id, a, "no cover given: the first story");

    const added = await api("POST", `/api/v1/highlights/${h.id}/stories`, { token: owner.token, body: { story_ids: [c, a, b] } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.story_ids, [a, c, b], "new ones appended in request order, present ones skipped");
    assert.deepEqual((await HighlightModel.findById(h.id).lean())?.story_ids, [a, c, b]);

    const removed = await api("DELETE", `/api/v1/highlights/${h.id}/stories`, { token: owner.token, body: { story_ids: [a] } });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.story_ids, [c, b]);
    assert.equal(removed.body.cover.story_id, c, "the cover story was removed: falls back to the first remaining");
    assert.equal((await HighlightModel.findById(h.id).lean())?.story_count, 2);

    const stranger = await createUser();
    const forbidden = await api("POST", `/api/v1/highlights/${h.id}/stories`, { token: stranger.token, body: { story_ids: [a] } });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.code, "not_highlight_owner");

    const last = await api("DELETE", `/api/v1/highlights/${h.id}/stories`, { token: owner.token, body: { story_ids: [b, c] } });
    assert.equal(last.status, 204);
    assert.equal(await HighlightModel.countDocuments({}), 0);
  });

  it("reorders: the order persists, pinned ones float first", async () => {
    const owner = await createUser();
    const s = await createStory(owner.token);
    const one = await createHighlight(owner.token, { title: "one", story_ids: [s] });
    const two = await createHighlight(owner.token, { title: "two", story_ids: [s] });
    const three = await createHighlight(owner.token, { title: "three", story_ids: [s] });
    assert.deepEqual(await listTitles(owner.token, owner.id), ["three", "two", "one"], "newest first by default");

    const res = await api("POST", "/api/v1/highlights/reorder", { token: owner.token, body: { highlight_ids: [one.id, three.id, two.id] } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.items.map((h: any) => h.title), ["one", "three", "two"]);
    const viewer = await createUser();
    assert.deepEqual(await listTitles(viewer.token, owner.id), ["one", "three", "two"], "a fresh GET by someone else");

    const pin = await api("PATCH", `/api/v1/highlights/${two.id}`, { token: owner.token, body: { is_pinned: true } });
    assert.equal(pin.status, 200);
    assert.equal(pin.body.is_pinned, true);
    assert.deepEqual(await listTitles(owner.token, owner.id), ["two", "one", "three"]);

    const notPermutation = await api("POST", "/api/v1/highlights/reorder", { token: owner.token, body: { highlight_ids: [one.id, two.id] } });
    assert.equal(notPermutation.status, 400);
    assert.equal(notPermutation.body.error.code, "reorder_not_permutation");
    assert.deepEqual(notPermutation.body.error.details.missing, [three.id]);
    const theirs = await api("POST", "/api/v1/highlights/reorder", { token: viewer.token, body: { highlight_ids: [one.id] } });
    assert.equal(theirs.status, 400, "another user's highlight is not in the caller's set");
    assert.deepEqual(await listTitles(owner.token, owner.id), ["two", "one", "three"], "refused reorders changed nothing");
  });

  it("patches title/description/cover, archives (owner-only archive view) and deletes", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const a = await createStory(owner.token);
    const b = await createStory(owner.token, { thumbnail_url: "https://cdn.example/t.jpg" });
    const h = await createHighlight(owner.token, { title: "Old", story_ids: [a, b], description: "blurb" });

    const patched = await api("PATCH", `/api/v1/highlights/${h.id}`, {
      token: owner.token,
      body: { title: "New", description: null, cover: { story_id: b } },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.title, "New");
    assert.equal(patched.body.description, null);
    assert.equal(patched.body.cover.story_id, b);
    assert.equal(patched.body.cover.media_url, "https://cdn.example/t.jpg");
    const stored = await HighlightModel.findById(h.id).lean();
    assert.equal(stored?.title, "New");

    assert.equal((await api("PATCH", `/api/v1/highlights/${h.id}`, { token: stranger.token, body: { title: "Mine" } })).status, 403);
    assert.equal((await api("PATCH", `/api/v1/highlights/${h.id}`, { token: owner.token, body: {} })).status, 400);
    assert.equal((await HighlightModel.findById(h.id).lean())?.title, "New");

    const archived = await api("PATCH", `/api/v1/highlights/${h.id}`, { token: owner.token, body: { is_archived: true } });
    assert.equal(archived.body.is_archived, true);
    assert.deepEqual(await listTitles(owner.token, owner.id), []);
    const archive = await api("GET", `/api/v1/highlights/user/${owner.id}?archived=true`, { token: owner.token });
    assert.deepEqual(archive.body.items.map((x: any) => x.title), ["New"]);
    assert.equal((await api("GET", `/api/v1/highlights/user/${owner.id}?archived=true`, { token: stranger.token })).status, 403);
    assert.equal((await api("GET", `/api/v1/highlights/${h.id}`, { token: stranger.token })).status, 404);
    assert.equal((await api("GET", `/api/v1/highlights/${h.id}`, { token: owner.token })).status, 200);

    assert.equal((await api("DELETE", `/api/v1/highlights/${h.id}`, { token: stranger.token })).status, 403);
    assert.equal((await api("DELETE", `/api/v1/highlights/${h.id}`, { token: owner.token })).status, 204);
    assert.equal(await HighlightModel.countDocuments({}), 0);
    assert.equal((await api("GET", `/api/v1/highlights/${h.id}`, { token: owner.token })).status, 404);
    // deleting a highlight never touches its stories
    assert.equal(await StoryModel.countDocuments({ is_deleted: false }), 2);
  });

  it("hides highlights from a blocked pair, both ways; a deleted story drops out of the highlight", async () => {
    const owner = await createUser();
    const blocked = await createUser();
    const a = await createStory(owner.token);
    const b = await createStory(owner.token);
    const h = await createHighlight(owner.token, { title: "Mine", story_ids: [a, b] });
    assert.equal((await api("POST", `/api/v1/users/${blocked.id}/block`, { token: owner.token })).status, 204);

    const list = await api("GET", `/api/v1/highlights/user/${owner.id}`, { token: blocked.token });
    assert.equal(list.status, 404);
    assert.equal(list.body.error.code, "user_not_found");
    assert.equal((await api("GET", `/api/v1/highlights/${h.id}`, { token: blocked.token })).status, 404);
    // the blocker cannot browse the blocked user's highlights either
    assert.equal((await api("GET", `/api/v1/highlights/user/${blocked.id}`, { token: owner.token })).status, 404);

    assert.ok((await api("DELETE", `/api/v1/stories/${a}`, { token: owner.token })).status < 300);
    const after = await api("GET", `/api/v1/highlights/${h.id}`, { token: owner.token });
    assert.deepEqual(after.body.story_ids, [b]);
    assert.deepEqual(after.body.stories.map((s: any) => s.id), [b]);
  });

  it("keeps each story's own audience inside a highlight", async () => {
    const owner = await createUser();
    const follower = await createUser();
    const stranger = await createUser();
    assert.equal((await api("POST", `/api/v1/users/${owner.id}/follow`, { token: follower.token })).status, 204);
    const pub = await createStory(owner.token, { privacy: "public" });
    const fol = await createStory(owner.token, { privacy: "followers" });
    const h = await createHighlight(owner.token, { title: "Mixed", story_ids: [fol, pub] });

    assert.deepEqual((await api("GET", `/api/v1/highlights/${h.id}`, { token: follower.token })).body.story_ids, [fol, pub]);
    const strangerView = await api("GET", `/api/v1/highlights/${h.id}`, { token: stranger.token });
    assert.deepEqual(strangerView.body.story_ids, [pub]);
    assert.equal(strangerView.body.cover.story_id, pub, "the cover does not show a story the viewer may not watch");
  });
});
