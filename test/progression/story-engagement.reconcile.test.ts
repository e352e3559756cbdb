import assert from "node:assert/strict";
import mongoose, { Types } from "mongoose";
import { reconcileStoryEngagement } from "../../src/progression/story-engagement.reconcile";
import { storyEngagementSettled } from "../../src/progression/progression.job";
import { getProgressionProfile } from "../../src/progression/progression.service";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { call, createStory, SEED_POLL_STORY } from "../support/stories";

const col = (name: string) => mongoose.connection.db!.collection(name);
const soon = () => new Date(Date.now() + 5000);

describe("story engagement XP reconciliation", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  it("awards engagement whose live award never ran (a crash right after the story write), once", async () => {
    const [author, viewer] = [await createUser(), await createUser()];
    // the state a kill -9 between the story writes and their awards leaves: rows, no XP
    const storyId = new Types.ObjectId();
    await col("stories").insertOne({ _id: storyId, user_id: author.id });
    await col("story_views").insertOne({ story_id: String(storyId), author_id: author.id, viewer_id: viewer.id });
    await col("story_replies").insertMany([
      { story_id: String(storyId), author_id: author.id, user_id: viewer.id, text: "a" },
      { story_id: String(storyId), author_id: author.id, user_id: viewer.id, text: "b" },
    ]);
    await col("story_reactions").insertOne({ story_id: String(storyId), author_id: author.id, user_id: author.id, emoji: "🔥" });

    const first = await reconcileStoryEngagement(soon());
    assert.equal(first.ran, true);
    // posted; view (viewer + author); one reply award pair for two replies; the author's own reaction: nothing
    assert.equal(first.awarded, 5);
    assert.equal((await getProgressionProfile(author.id)).xp, 10 + 1 + 1);
    assert.equal((await getProgressionProfile(viewer.id)).xp, 1 + 5);
    assert.deepEqual((await reconcileStoryEngagement(soon())).awarded, 0, "a second pass finds nothing new");

    // new rows after the checkpoint are picked up; a row younger than the cutoff waits
    await col("story_views").insertOne({ story_id: String(storyId), author_id: author.id, viewer_id: new Types.ObjectId().toHexString() });
    assert.equal((await reconcileStoryEngagement(new Date(Date.now() - 60_000))).awarded, 0, "too young");
    assert.equal((await reconcileStoryEngagement(soon())).awarded, 2);
    assert.equal((await getProgressionProfile(author.id)).xp, 13);
  });

  it("adds nothing to what the live path already awarded", async () => {
    const [author, viewer] = [await createUser(), await createUser()];
    await call("POST", `/api/v1/users/${author.id}/follow`, viewer.token);
    const story = await createStory(author, SEED_POLL_STORY);
    await call("POST", `/api/v1/stories/${story.id}/view`, viewer.token, {});
    await call("POST", `/api/v1/stories/${story.id}/interact`, viewer.token, { sticker_index: 0, option_index: 0 });
    await storyEngagementSettled();
    const before = [(await getProgressionProfile(author.id)).xp, (await getProgressionProfile(viewer.id)).xp];
    assert.deepEqual(before, [12, 4]);
    assert.equal((await reconcileStoryEngagement(soon())).awarded, 0);
    assert.deepEqual([(await getProgressionProfile(author.id)).xp, (await getProgressionProfile(viewer.id)).xp], before);
  });
});
