import assert from "node:assert/strict";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { assertDocumentedResponse as check } from "../support/openapi";
import { at, createStory, follow, postStory, textStory } from "../support/stories";

/**
 * Real responses of the social side (users, stories, highlights, viewers, notifications, close
 * friends, progression, leaderboards) checked against the response schemas their routes document.
 * Those schemas are strict, so a field the presenter adds without documenting it fails here.
 */
describe("OpenAPI samples: social routes answer what they document", () => {
  let author: TestUser;
  let fan: TestUser;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    author = await createUser({ roles: ["creator"] });
    fan = await createUser();
    await follow(fan, author);
  });
  const as = (u: TestUser, method: string, path: string, body?: unknown) => api(method, path, { token: u.token, body });

  it("users: a public profile and a followers page", async () => {
    await check("GET", "/api/v1/users/:user_id", await as(fan, "GET", `/api/v1/users/${author.id}`));
    const followers = await check("GET", "/api/v1/users/:user_id/followers", await as(fan, "GET", `/api/v1/users/${author.id}/followers`));
    assert.equal(followers.items[0].user.id, fan.id);
  });

  it("stories: feed, story with a poll answered, view, reaction, reply, replies, seen-by, answers, archive", async () => {
    const poll = await createStory(author, textStory({ stickers: [{ sticker_type: "poll", ...at, poll: { question: "Run?", options: [{ text: "Yes" }, { text: "No" }] } }, { sticker_type: "question", ...at, question: { text: "Tips?" } }] }));
    const feed = await check("GET", "/api/v1/stories/feed", await as(fan, "GET", "/api/v1/stories/feed"));
    assert.equal(feed.groups[0].stories[0].id, poll.id);
    await check("POST", "/api/v1/stories/:id/view", await as(fan, "POST", `/api/v1/stories/${poll.id}/view`, {}));
    const voted = await check("POST", "/api/v1/stories/:id/interact", await as(fan, "POST", `/api/v1/stories/${poll.id}/interact`, { sticker_index: 0, option_index: 1 }));
    assert.equal(voted.result.total_votes, 1);
    await check("POST", "/api/v1/stories/:id/interact", await as(fan, "POST", `/api/v1/stories/${poll.id}/interact`, { sticker_index: 1, answer: "Tempo runs" }));
    await check("POST", "/api/v1/stories/:id/reactions", await as(fan, "POST", `/api/v1/stories/${poll.id}/reactions`, { emoji: "🔥" }));
    await check("POST", "/api/v1/stories/:id/reply", await as(fan, "POST", `/api/v1/stories/${poll.id}/reply`, { text: "Nice!" }));
    // the author's view carries the figures and results a viewer does not get
    const own = await check("GET", "/api/v1/stories/:id", await as(author, "GET", `/api/v1/stories/${poll.id}`));
    assert.equal(own.reply_count, 1);
    await check("GET", "/api/v1/stories/:id", await as(fan, "GET", `/api/v1/stories/${poll.id}`));
    await check("GET", "/api/v1/stories/:id/replies", await as(author, "GET", `/api/v1/stories/${poll.id}/replies`));
    await check("GET", "/api/v1/stories/:id/viewers", await as(author, "GET", `/api/v1/stories/${poll.id}/viewers`));
    const answers = await check("GET", "/api/v1/stories/:id/stickers/:index/answers", await as(author, "GET", `/api/v1/stories/${poll.id}/stickers/1/answers`));
    assert.equal(answers.items[0].answer, "Tempo runs");
    await check("GET", "/api/v1/stories/user/:user_id", await as(fan, "GET", `/api/v1/stories/user/${author.id}`));
    await check("GET", "/api/v1/stories/archive", await as(author, "GET", "/api/v1/stories/archive"));
    const admin = await createUser({ roles: ["admin"] });
    await check("POST", "/api/v1/stories/admin/cleanup", await as(admin, "POST", "/api/v1/stories/admin/cleanup", {}));
  });

  it("highlights and viewers: a highlight, its list, a story's audience and insights", async () => {
    const story = await postStory(author);
    await as(fan, "POST", `/api/v1/stories/${story}/view`, {});
    const created = await check("POST", "/api/v1/highlights", await as(author, "POST", "/api/v1/highlights", { title: "Runs", story_ids: [story] }));
    await check("GET", "/api/v1/highlights/:id", await as(fan, "GET", `/api/v1/highlights/${created.id}`));
    await check("GET", "/api/v1/highlights/user/:user_id", await as(fan, "GET", `/api/v1/highlights/user/${author.id}`));
    await check("PATCH", "/api/v1/highlights/:id", await as(author, "PATCH", `/api/v1/highlights/${created.id}`, { title: "Long runs" }));
    const viewers = await check("GET", "/api/v1/viewers/story/:id", await as(author, "GET", `/api/v1/viewers/story/${story}`));
    assert.equal(viewers.items[0].user_id, fan.id);
    await check("GET", "/api/v1/viewers/story/:id/insights", await as(author, "GET", `/api/v1/viewers/story/${story}/insights`));
    await check("GET", "/api/v1/viewers/user/insights", await as(author, "GET", "/api/v1/viewers/user/insights"));
  });

  it("notifications, close friends, progression and leaderboards", async () => {
    const story = await postStory(author);
    await as(fan, "POST", `/api/v1/stories/${story}/reply`, { text: "Great" });
    const inbox = await check("GET", "/api/v1/notifications", await as(author, "GET", "/api/v1/notifications"));
    assert.equal(inbox.items[0].type, "story_reply");
    await check("POST", "/api/v1/notifications/read", await as(author, "POST", "/api/v1/notifications/read", {}));
    const added = await as(author, "POST", `/api/v1/close-friends/${fan.id}`);
    assert.equal(added.status, 201);
    await check("POST", "/api/v1/close-friends/:user_id", added);
    await check("POST", "/api/v1/close-friends/:user_id", await as(author, "POST", `/api/v1/close-friends/${fan.id}`));
    await check("GET", "/api/v1/close-friends", await as(author, "GET", "/api/v1/close-friends"));
    await check("GET", "/api/v1/progression/me", await as(author, "GET", "/api/v1/progression/me"));
    await check("GET", "/api/v1/progression/users/:user_id", await as(fan, "GET", `/api/v1/progression/users/${author.id}`));
    await check("GET", "/api/v1/leaderboards/:board_id", await as(fan, "GET", "/api/v1/leaderboards/creators_monthly"));
    await check("GET", "/api/v1/leaderboards/:board_id/me", await as(fan, "GET", "/api/v1/leaderboards/creators_monthly/me"));
  });

  it("the check is strict: an undocumented field in a response fails it", async () => {
    const res = await as(fan, "GET", `/api/v1/users/${author.id}`);
    await assert.rejects(check("GET", "/api/v1/users/:user_id", { ...res, body: { ...res.body, password_hash: "x" } }), /password_hash|unrecognized/i);
    await assert.rejects(check("GET", "/api/v1/users/:user_id", { ...res, status: 201 }), /status|answered 201/);
  });
});
