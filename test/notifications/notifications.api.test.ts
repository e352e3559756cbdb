import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { NotificationModel } from "../../src/notifications/notification.model";
import { notify, type NotificationMessage } from "../../src/notifications/notification.service";
import { subscribeClientToNotifications } from "../../src/realtime/notification-bridge";

const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };

async function storyMentioning(author: TestUser, ...mentioned: TestUser[]) {
  const res = await api("POST", "/api/v1/stories", {
    token: author.token,
    body: {
      story_type: "text",
      text_content: "hey",
      privacy: "public",
      stickers: mentioned.map((m) => ({ sticker_type: "mention", ...at, mention: { user_id: m.id } })),
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

describe("Notifications REST API", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  it("a mention notifies the mentioned user, but never across a block", async () => {
    const author = await createUser();
    const friend = await createUser();
    const blocker = await createUser();
    assert.equal((await api("POST", `/api/v1/users/${author.id}/block`, { token: blocker.token })).status, 204);
    const story = await storyMentioning(author, friend, blocker);

    const list = await api("GET", "/api/v1/notifications", { token: friend.token });
    assert.equal(list.status, 200);
    assert.equal(list.body.unread_count, 1);
    assert.equal(list.body.items.length, 1);
    const n = list.body.items[0];
    assert.equal(n.type, "mention");
    assert.equal(n.actor_id, author.id);
    assert.equal(n.story_id, story.id);
    assert.equal(n.is_read, false);
    assert.equal(await NotificationModel.countDocuments({ user_id: blocker.id }), 0);
    assert.equal((await api("GET", "/api/v1/notifications", { token: blocker.token })).body.unread_count, 0);
  });

  it("lists newest first with paging, marks given ids or all read, only the caller's own", async () => {
    const me = await createUser();
    const other = await createUser();
    const actor = await createUser();
    for (let i = 0; i < 3; i++) await notify(me.id, { type: "story_reply", actor_id: actor.id, data: { i } });
    const theirs = await notify(other.id, { type: "story_reply", actor_id: actor.id });

    const page1 = await api("GET", "/api/v1/notifications?limit=2", { token: me.token });
    assert.deepEqual(page1.body.items.map((n: any) => n.data.i), [2, 1]);
    assert.equal(page1.body.unread_count, 3);
    const page2 = await api("GET", `/api/v1/notifications?limit=2&cursor=${page1.body.next_cursor}`, { token: me.token });
    assert.deepEqual(page2.body.items.map((n: any) => n.data.i), [0]);
    assert.equal(page2.body.next_cursor, null);

    const one = await api("POST", "/api/v1/notifications/read", { token: me.token, body: { ids: [page1.body.items[0].id, theirs!.id] } });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, { updated: 1, unread_count: 2 });
    assert.equal((await NotificationModel.findById(theirs!.id).lean())!.is_read, false, "someone else's notification is untouched");

    assert.deepEqual((await api("POST", "/api/v1/notifications/read", { token: me.token, body: {} })).body, { updated: 2, unread_count: 0 });
    const read = await NotificationModel.find({ user_id: me.id }).lean();
    assert.ok(read.every((n) => n.is_read && n.read_at instanceof Date));

    const bad = await api("POST", "/api/v1/notifications/read", { token: me.token, body: { ids: ["nope"] } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_body");
    assert.equal((await api("GET", "/api/v1/notifications")).status, 401);
  });

  it("delivers live to a subscribed client in camelCase, and stops after unsubscribe", async () => {
    const me = await createUser();
    const actor = await createUser();
    const received: NotificationMessage[] = [];
    const client = { send: (type: string, message: NotificationMessage) => type === "notification" && received.push(message) };
    const unsubscribe = subscribeClientToNotifications(client as any, me.id);
    await new Promise((r) => setTimeout(r, 20));
    const sent = await notify(me.id, { type: "story_reply", actor_id: actor.id, story_id: "a".repeat(24) });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, 1);
    assert.equal(received[0]!.id, sent!.id);
    assert.equal(received[0]!.actorId, actor.id);
    assert.equal(received[0]!.storyId, "a".repeat(24));
    unsubscribe();
    await notify(me.id, { type: "story_reply", actor_id: actor.id });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, 1);
  });
});
