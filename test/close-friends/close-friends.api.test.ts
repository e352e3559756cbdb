import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { api } from "../support/http";
import { CloseFriendModel } from "../../src/close-friends/close-friend.model";

describe("Close friends REST API", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  it("adds (idempotently), lists newest first with paging, removes", async () => {
    const me = await createUser();
    const [a, b] = [await createUser(), await createUser()];
    const added = await api("POST", `/api/v1/close-friends/${a.id}`, { token: me.token });
    assert.equal(added.status, 201);
    assert.equal(added.body.user.id, a.id);
    assert.equal(added.body.user.username, a.username);
    assert.equal((await api("POST", `/api/v1/close-friends/${a.id}`, { token: me.token })).status, 200);
    await new Promise((r) => setTimeout(r, 5)); // distinct added_at for the ordering check
    assert.equal((await api("POST", `/api/v1/close-friends/${b.id}`, { token: me.token })).status, 201);
    assert.equal(await CloseFriendModel.countDocuments({ owner_id: me.id }), 2);

    const page1 = await api("GET", "/api/v1/close-friends?limit=1", { token: me.token });
    assert.deepEqual(page1.body.items.map((i: any) => i.user.id), [b.id]);
    const page2 = await api("GET", `/api/v1/close-friends?limit=1&cursor=${page1.body.next_cursor}`, { token: me.token });
    assert.deepEqual(page2.body.items.map((i: any) => i.user.id), [a.id]);
    assert.equal(page2.body.next_cursor, null);
    // lists are private: another user sees their own (empty) list
    assert.deepEqual((await api("GET", "/api/v1/close-friends", { token: a.token })).body.items, []);

    assert.equal((await api("DELETE", `/api/v1/close-friends/${a.id}`, { token: me.token })).status, 204);
    assert.deepEqual((await api("GET", "/api/v1/close-friends", { token: me.token })).body.items.map((i: any) => i.user.id), [b.id]);
    assert.equal(await CloseFriendModel.countDocuments({ owner_id: me.id }), 1);
  });

  it("refuses self, unknown users, blocked pairs and bad ids, writing nothing", async () => {
    const me = await createUser();
    const blocker = await createUser();
    assert.equal((await api("POST", `/api/v1/users/${me.id}/block`, { token: blocker.token })).status, 204);
    const self = await api("POST", `/api/v1/close-friends/${me.id}`, { token: me.token });
    assert.equal(self.status, 400);
    assert.equal(self.body.error.code, "cannot_add_self");
    assert.equal((await api("POST", `/api/v1/close-friends/${"e".repeat(24)}`, { token: me.token })).status, 404);
    assert.equal((await api("POST", `/api/v1/close-friends/${blocker.id}`, { token: me.token })).status, 404);
    const bad = await api("POST", "/api/v1/close-friends/xyz", { token: me.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_params");
    assert.equal((await api("POST", `/api/v1/close-friends/${blocker.id}`)).status, 401);
    assert.equal(await CloseFriendModel.countDocuments({}), 0);
  });

  it("a close_friends story is visible only to close friends, and follows add/remove at once", async () => {
    const author = await createUser();
    const friend = await createUser();
    const follower = await createUser();
    assert.equal((await api("POST", `/api/v1/users/${author.id}/follow`, { token: follower.token })).status, 204);
    const created = await api("POST", "/api/v1/stories", {
      token: author.token,
      body: { story_type: "text", text_content: "inner circle", privacy: "close_friends" },
    });
    assert.equal(created.status, 201);
    const url = `/api/v1/stories/${created.body.id}`;

    // asked (and cached) before the add: the add must still take effect immediately
    assert.equal((await api("GET", url, { token: friend.token })).status, 404);
    assert.equal((await api("POST", `/api/v1/close-friends/${friend.id}`, { token: author.token })).status, 201);
    assert.equal((await api("GET", url, { token: friend.token })).status, 200);
    assert.equal((await api("GET", url, { token: follower.token })).status, 404);
    const feed = await api("GET", "/api/v1/stories/feed", { token: friend.token });
    assert.deepEqual(feed.body.groups.map((g: any) => g.author_id), [author.id]);
    assert.deepEqual((await api("GET", "/api/v1/stories/feed", { token: follower.token })).body.groups, []);

    assert.equal((await api("DELETE", `/api/v1/close-friends/${friend.id}`, { token: author.token })).status, 204);
    assert.equal((await api("GET", url, { token: friend.token })).status, 404);
    assert.deepEqual((await api("GET", "/api/v1/stories/feed", { token: friend.token })).body.groups, []);
  });
});
