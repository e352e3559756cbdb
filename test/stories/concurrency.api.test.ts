import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { createUser, createUsers } from "../support/factories";
import { api } from "../support/http";
import { StoryInteractionModel, StoryModel, StoryViewModel } from "../../src/stories/story.model";

const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };

describe("Stories REST API under concurrency", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  it("200 users voting at once give exact tallies", async () => {
    const author = await createUser();
    const voters = await createUsers(200);
    const created = await api("POST", "/api/v1/stories", {
      token: author.token,
      body: {
        story_type: "text",
        text_content: "vote",
        privacy: "public",
        stickers: [{ sticker_type: "poll", ...at, poll: { question: "?", options: [{ text: "a" }, { text: "b" }, { text: "c" }, { text: "d" }] } }],
      },
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const results = await Promise.all(
      voters.map((v, i) => api("POST", `/api/v1/stories/${id}/interact`, { token: v.token, body: { sticker_index: 0, option_index: i % 4 } })),
    );
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    const stored = await StoryModel.findById(id).lean();
    const poll = (stored!.stickers[0] as any).poll;
    assert.equal(poll.total_votes, 200);
    assert.deepEqual(poll.options.map((o: any) => o.votes), [50, 50, 50, 50]);
    assert.equal(stored!.interaction_count, 200);
    assert.equal(await StoryInteractionModel.countDocuments({ story_id: id }), 200);
    const seen = await api("GET", `/api/v1/stories/${id}`, { token: author.token });
    assert.deepEqual(seen.body.stickers[0].results.options.map((o: any) => o.percentage), [25, 25, 25, 25]);
  });

  it("one user sending the same vote 10 times at once is counted once", async () => {
    const author = await createUser();
    const voter = await createUser();
    const created = await api("POST", "/api/v1/stories", {
      token: author.token,
      body: {
        story_type: "text",
        text_content: "vote",
        privacy: "public",
        stickers: [{ sticker_type: "poll", ...at, poll: { question: "?", options: [{ text: "a" }, { text: "b" }] } }],
      },
    });
    const id = created.body.id;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => api("POST", `/api/v1/stories/${id}/interact`, { token: voter.token, body: { sticker_index: 0, option_index: 1 } })),
    );
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    assert.equal(results.filter((r) => r.body.already !== true).length, 1);
    const stored = await StoryModel.findById(id).lean();
    assert.equal((stored!.stickers[0] as any).poll.total_votes, 1);
    assert.equal(stored!.interaction_count, 1);
  });

  it("100 viewers at once give view_count 100; one viewer 20 times at once counts once", async () => {
    const author = await createUser();
    const viewers = await createUsers(100);
    const created = await api("POST", "/api/v1/stories", { token: author.token, body: { story_type: "text", text_content: "look", privacy: "public" } });
    const id = created.body.id;
    const many = await Promise.all(viewers.map((v) => api("POST", `/api/v1/stories/${id}/view`, { token: v.token, body: {} })));
    assert.deepEqual([...new Set(many.map((r) => r.status))], [200]);
    assert.equal(many.filter((r) => r.body.counted).length, 100);
    assert.equal((await StoryModel.findById(id).lean())!.view_count, 100);
    assert.equal(await StoryViewModel.countDocuments({ story_id: id }), 100);

    const repeat = viewers[0]!;
    const again = await Promise.all(Array.from({ length: 20 }, () => api("POST", `/api/v1/stories/${id}/view`, { token: repeat.token, body: {} })));
    assert.equal(again.filter((r) => r.body.counted).length, 0);
    assert.equal((await StoryModel.findById(id).lean())!.view_count, 100);
    const row = await StoryViewModel.findOne({ story_id: id, viewer_id: repeat.id }).lean();
    assert.equal(row!.view_count, 21);

    // a fresh viewer opening it 20 times at once: exactly one of them counts
    const fresh = await createUser();
    const burst = await Promise.all(Array.from({ length: 20 }, () => api("POST", `/api/v1/stories/${id}/view`, { token: fresh.token, body: {} })));
    assert.equal(burst.filter((r) => r.body.counted).length, 1);
    assert.equal((await StoryModel.findById(id).lean())!.view_count, 101);
    assert.equal((await StoryViewModel.findOne({ story_id: id, viewer_id: fresh.id }).lean())!.view_count, 20);
  });
});
