import assert from "node:assert/strict";
import { api } from "../support/http";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { call, createStory } from "../support/stories";
import { StoryModel } from "../../src/stories/story.model";
import { issueAccessToken } from "../../src/auth/tokens";
import { sdkClient } from "../support/sdk";

/** A user mentioned in a live story may re-share it to their own story, once; nobody else may. */
describe("Stories REST API: re-sharing a mention", () => {
  before(testServer);
  beforeEach(resetState);

  const mentionStory = (mentionedId: string) => ({
    story_type: "image",
    media_url: "https://cdn.example.com/beach.jpg",
    caption: "with a friend",
    privacy: "public",
    music: { track_id: "trk_1", title: "Summer" },
    stickers: [
      { sticker_type: "mention", x: 0.1, y: 0.1, width: 0.3, height: 0.1, mention: { user_id: mentionedId } },
      { sticker_type: "poll", x: 0.5, y: 0.5, width: 0.5, height: 0.2, poll: { question: "Nice?", options: [{ text: "yes" }, { text: "no" }] } },
    ],
  });

  it("the mentioned user re-shares once; the new story shows the original's frame and links back; the author is notified", async () => {
    const author = await createUser();
    const friend = await createUser();
    const original = await createStory(author, mentionStory(friend.id));
    await call("POST", `/api/v1/users/${friend.id}/follow`, author.token); // the re-share is for followers

    const res = await api("POST", `/api/v1/stories/${original.id}/reshare`, { token: friend.token, body: { privacy: "followers" } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const reshare = res.body;
    assert.equal(reshare.user_id, friend.id);
    assert.deepEqual(reshare.reshared_from, { story_id: original.id, user_id: author.id });
    assert.equal(reshare.media_url, "https://cdn.example.com/beach.jpg");
    assert.equal(reshare.music.track_id, "trk_1");
    assert.equal(reshare.caption, "with a friend");
    assert.equal(reshare.privacy, "followers");
    assert.deepEqual(reshare.stickers, [], "votes belong to the original: its stickers are not copied");

    const mine = await call("GET", `/api/v1/stories/user/${friend.id}`, friend.token);
    assert.deepEqual(mine.items.map((s: any) => s.id), [reshare.id]);

    const notes = await call("GET", "/api/v1/notifications", author.token);
    const note = notes.items.find((n: any) => n.type === "story_reshared");
    assert.ok(note, JSON.stringify(notes.items));
    assert.equal(note.actor_id, friend.id);
    assert.equal(note.story_id, original.id);

    const room = await sdkClient(author.token).joinOrCreate("story", { authorId: friend.id });
    try {
      const deadline = Date.now() + 2000;
      let shown: any;
      while (!(shown = (room.state.toJSON() as any).stories?.[reshare.id]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.equal(shown?.resharedFromStoryId, original.id, "the room shows what the story re-shares");
      assert.equal(shown?.resharedFromUserId, author.id);
    } finally {
      await room.leave();
    }

    const again = await api("POST", `/api/v1/stories/${original.id}/reshare`, { token: friend.token, body: {} });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "already_reshared");
    assert.equal(await StoryModel.countDocuments({ user_id: friend.id }), 1);
  });

  it("refuses users who are not mentioned, an expired original and a bad body, writing nothing", async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1, 12));
    const author = await createUser();
    const friend = await createUser();
    const stranger = await createUser();
    const original = await createStory(author, mentionStory(friend.id));

    const notMentioned = await api("POST", `/api/v1/stories/${original.id}/reshare`, { token: stranger.token, body: {} });
    assert.equal(notMentioned.status, 403);
    assert.equal(notMentioned.body.error.code, "reshare_not_allowed");

    const custom = await api("POST", `/api/v1/stories/${original.id}/reshare`, { token: friend.token, body: { privacy: "custom" } });
    assert.equal(custom.status, 400);
    const extra = await api("POST", `/api/v1/stories/${original.id}/reshare`, { token: friend.token, body: { stickers: [] } });
    assert.equal(extra.status, 400);

    clock.advance(25 * 3600 * 1000);
    const freshToken = await issueAccessToken({ userId: friend.id, username: friend.username, roles: friend.roles });
    const expired = await api("POST", `/api/v1/stories/${original.id}/reshare`, { token: freshToken, body: {} });
    assert.equal(expired.status, 410);
    assert.equal(expired.body.error.code, "story_expired");
    assert.equal(await StoryModel.countDocuments({ user_id: { $in: [friend.id, stranger.id] } }), 0);
  });
});
