import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { api } from "../support/http";
import { SEED_POLL_STORY, call, createStory, follow } from "../support/stories";
import { StoryModel } from "../../src/stories/story.model";
import { oid } from "../../src/stories/story.repository";
import { storyEngagementSettled } from "../../src/progression/progression.job";
import { commandsDuring } from "../support/store-commands";
import { getFeed, getFeedJson } from "../../src/stories/story-feed.service";

/**
 * The feed presents stories from this process's copies when the candidates query says a copy is
 * at the story's current `rev` (story-copies.ts `findStoriesAtRevs`). Each test warms the
 * copies with a first feed read, changes the story, and reads the feed again: what the second page
 * shows must be the story as it is now, whichever path wrote it.
 */
describe("Feed: stories read from copies are never stale", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  const ownStory = async (token: string) => {
    const feed = await api("GET", "/api/v1/stories/feed", { token });
    assert.equal(feed.status, 200, JSON.stringify(feed.body));
    return feed.body.groups[0].stories[0];
  };

  it("views, votes, reactions and replies by others show on the author's next page", async () => {
    const author = await createUser();
    const fan = await createUser();
    await follow(fan, author);
    const story = await createStory(author, SEED_POLL_STORY);
    const before = await ownStory(author.token);
    assert.equal(before.view_count, 0);
    assert.equal(before.stickers[0].poll.total_votes, 0);

    await call("POST", `/api/v1/stories/${story.id}/view`, fan.token);
    assert.equal((await ownStory(author.token)).view_count, 1);

    await call("POST", `/api/v1/stories/${story.id}/interact`, fan.token, { sticker_index: 0, option_index: 1 });
    const voted = await ownStory(author.token);
    assert.equal(voted.stickers[0].poll.total_votes, 1);
    assert.equal(voted.stickers[0].poll.options[1].votes, 1);

    await call("POST", `/api/v1/stories/${story.id}/reactions`, fan.token, { emoji: "🔥" });
    assert.equal((await ownStory(author.token)).reaction_count, 1);

    await call("POST", `/api/v1/stories/${story.id}/reply`, fan.token, { text: "nice" });
    assert.equal((await ownStory(author.token)).reply_count, 1);
  });

  it("an edit, a moderation hide and a delete reach a viewer's next page", async () => {
    const author = await createUser();
    const viewer = await createUser();
    await follow(viewer, author);
    const story = await createStory(author, { story_type: "text", text_content: "hello", privacy: "followers" });
    const feedOf = async () => (await api("GET", "/api/v1/stories/feed", { token: viewer.token })).body.groups;
    assert.equal((await feedOf())[0].stories[0].id, story.id);

    // a model-level write that names no rev still bumps it (the schema hook)
    await StoryModel.updateOne({ _id: story.id }, { $set: { caption: "edited" } });
    assert.equal((await feedOf())[0].stories[0].caption, "edited");

    await StoryModel.updateOne({ _id: story.id }, { $set: { moderation_hidden: true } });
    assert.deepEqual(await feedOf(), []);
    await StoryModel.updateOne({ _id: story.id }, { $set: { moderation_hidden: false } });
    assert.equal((await feedOf()).length, 1);

    assert.equal((await api("DELETE", `/api/v1/stories/${story.id}`, { token: author.token })).status, 204);
    assert.deepEqual(await feedOf(), []);
  });

  it("a write by another process (it bumps rev in the store, not here) is read afresh", async () => {
    const author = await createUser();
    const story = await createStory(author, { story_type: "text", text_content: "hello", privacy: "public" });
    const first = await ownStory(author.token);
    assert.equal(first.caption ?? null, null);
    // what another server's write leaves in the store: the field and a higher rev, no local event
    await StoryModel.collection.updateOne({ _id: oid(story.id) }, { $set: { caption: "from elsewhere" }, $inc: { rev: 1 } });
    assert.equal((await ownStory(author.token)).caption, "from elsewhere");
  });

  it("every write through the model raises rev, including counters moved by $inc", async () => {
    const author = await createUser();
    const story = await createStory(author, { story_type: "text", text_content: "hello", privacy: "public" });
    const revOf = async () => ((await StoryModel.findById(story.id, { rev: 1 }).lean()) as { rev?: number }).rev ?? 0;
    const r0 = await revOf();
    await StoryModel.updateOne({ _id: story.id }, { $inc: { view_count: 1 } });
    await StoryModel.findByIdAndUpdate(story.id, { $inc: { reaction_count: 1 } });
    await StoryModel.updateMany({ user_id: author.id }, { $set: { is_archived: true } });
    assert.equal(await revOf(), r0 + 3);
  });

  it("a warm page is 1 store command (candidates, what the viewer saw and answered), also for a reader who has seen more than a driver batch (101) of its stories", async () => {
    const authors = await Promise.all(Array.from({ length: 4 }, () => createUser()));
    const reader = await createUser();
    const ids: string[] = [];
    for (const author of authors) for (let i = 0; i < 30; i++) ids.push((await createStory(author, { story_type: "text", text_content: `s${i}`, privacy: "public" })).id);
    for (const id of ids) await call("POST", `/api/v1/stories/${id}/view`, reader.token);
    await storyEngagementSettled();
    const feed = () => api("GET", "/api/v1/stories/feed?limit=50", { token: reader.token });
    await feed(); // the copies and the reader's relationship facts are now held
    const sent = await commandsDuring(async () => {
      const page = await feed();
      assert.equal(page.status, 200);
      assert.equal(page.body.groups.length, 4);
      assert.ok(page.body.groups.every((g: any) => g.has_unseen === false && g.stories.every((s: any) => s.seen)));
    }, false);
    assert.deepEqual(sent.map((c) => c.split(" ")[0]).sort(), ["aggregate"], sent.join(", "));
  });

  it("the page text the route sends is the presenter's page, as the viewer's part and the stories change", async () => {
    const [a, b, other] = [await createUser(), await createUser(), await createUser()];
    const viewer = await createUser();
    for (const u of [a, b]) await follow(viewer, u);
    await follow(other, a);
    const [a1, a2] = [await createStory(a, SEED_POLL_STORY), await createStory(a, SEED_POLL_STORY)];
    const b1 = await createStory(b, { story_type: "text", text_content: "b's", privacy: "followers" });
    assert.ok(b1.id);
    await createStory(viewer, SEED_POLL_STORY); // the viewer's own reel: the author's fields
    const sameAsPresenter = async (why: string) => {
      const text = await getFeedJson(viewer.id, { limit: 20 });
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(await getFeed(viewer.id, { limit: 20 }))), why);
      const http = await api("GET", "/api/v1/stories/feed", { token: viewer.token });
      assert.deepEqual(http.body, JSON.parse(text), `${why}: the route sends that text`);
      return http.body.groups as any[];
    };
    const storyIn = (groups: any[], id: string) => groups.flatMap((g) => g.stories).find((s: any) => s.id === id);

    const cold = await sameAsPresenter("cold");
    assert.equal(storyIn(cold, a1.id).seen, false);
    assert.equal(storyIn(cold, a1.id).stickers[0].poll.total_votes, undefined, "no results before answering");
    await sameAsPresenter("warm: from the stories' texts");

    // the viewer's own part changes: a view (seen), a vote (answers and results)
    await call("POST", `/api/v1/stories/${a1.id}/view`, viewer.token);
    await call("POST", `/api/v1/stories/${a2.id}/interact`, viewer.token, { sticker_index: 0, option_index: 1 });
    const mine = await sameAsPresenter("after the viewer's view and vote");
    assert.equal(storyIn(mine, a1.id).seen, true);
    assert.equal(storyIn(mine, a2.id).stickers[0].my_interaction.option_index, 1);
    assert.equal(storyIn(mine, a2.id).stickers[0].poll.total_votes, 1);

    // somebody else's view changes the story for everyone: the text is written again
    await call("POST", `/api/v1/stories/${a1.id}/view`, other.token);
    const after = await sameAsPresenter("after another viewer's view");
    assert.equal(storyIn(after, a1.id).view_count, 2);
    assert.equal(storyIn(after, a1.id).seen, true);
  });
});
