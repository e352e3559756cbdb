import { strict as assert } from "node:assert";
import { testServer, resetState } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { SEED_POLL_STORY } from "../support/stories";
import { createStoryBodySchema, type CreateStoryBodyInput } from "../../src/stories/story.schemas";
import { buildNewStory } from "../../src/stories/story.rules";
import {
  StoryInteractionModel,
  StoryModel,
  StoryReactionModel,
  StoryReplyModel,
  StoryViewModel,
} from "../../src/stories/story.model";

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const at = { x: 0.5, y: 0.7, width: 0.8, height: 0.3 };

/** The seed's "story with a poll" body. */

/** A story row written straight through the model at a chosen creation time (fixtures need exact times). */
async function insertStory(authorId: string, createdAt: Date, body: CreateStoryBodyInput): Promise<string> {
  const doc = buildNewStory(createStoryBodySchema.parse(body), authorId, createdAt);
  const created = await StoryModel.create(doc);
  return String(created._id);
}

async function view(storyId: string, authorId: string, viewer: TestUser, firstAt: Date, count = 1): Promise<void> {
  await StoryViewModel.create({
    story_id: storyId,
    author_id: authorId,
    viewer_id: viewer.id,
    view_count: count,
    first_viewed_at: firstAt,
    last_viewed_at: new Date(firstAt.getTime() + (count - 1) * 60_000),
  });
}

async function follow(follower: TestUser, followee: TestUser): Promise<void> {
  assert.equal((await api("POST", `/api/v1/users/${followee.id}/follow`, { token: follower.token })).status, 204);
}

describe("Viewers and insights REST", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  /**
   * Author A has 4 followers B, C, D, E. On A's poll story:
   *   B views at 14:05 UTC (twice), votes Python, replies;   C views at 15:10, reacts;   D views at 15:40.
   * Hand-computed: total_views 2+1+1 = 4; unique_viewers 3; reach 3/4 = 75 %; sticker interactions 1
   * (sticker_0_poll); interaction_rate 1/3 = 33.3 %; replies 1; reactions 1; views_by_hour
   * {14: 1, 15: 2} → peak 15; engagement min(100, 100 × (1 + 2·1 + 3·1) / (3·3)) = 66.7;
   * top viewers B (vote + reply = 2), C (reaction = 1), D (0).
   */
  async function fixture() {
    const [a, b, c, d, e] = [await createUser(), await createUser(), await createUser(), await createUser(), await createUser()];
    for (const f of [b, c, d, e]) await follow(f, a);
    const created = new Date(Date.now() - 2 * DAY);
    const day = created.toISOString().slice(0, 10);
    const storyId = await insertStory(a.id, created, SEED_POLL_STORY as CreateStoryBodyInput);
    await view(storyId, a.id, b, new Date(`${day}T14:05:00Z`), 2);
    await view(storyId, a.id, c, new Date(`${day}T15:10:00Z`));
    await view(storyId, a.id, d, new Date(`${day}T15:40:00Z`));
    const common = { story_id: storyId, author_id: a.id };
    await StoryInteractionModel.create({ ...common, user_id: b.id, sticker_index: 0, sticker_type: "poll", option_index: 0, created_at: new Date(`${day}T14:06:00Z`) });
    await StoryReplyModel.create({ ...common, user_id: b.id, text: "Python forever", created_at: new Date(`${day}T14:07:00Z`) });
    await StoryReactionModel.create({ ...common, user_id: c.id, emoji: "🔥", created_at: new Date(`${day}T15:11:00Z`), updated_at: new Date(`${day}T15:11:00Z`) });
    return { a, b, c, d, e, storyId, created };
  }

  it("story insights: every figure equals the hand-computed one", async () => {
    const { a, b, c, d, storyId } = await fixture();
    const res = await api("GET", `/api/v1/viewers/story/${storyId}/insights`, { token: a.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { top_viewers, sticker_results, ...figures } = res.body;
    assert.deepEqual(figures, {
      story_id: storyId,
      total_views: 4,
      unique_viewers: 3,
      reach_percentage: 75,
      total_interactions: 1,
      interaction_rate: 33.3,
      replies: 1,
      reactions: 1,
      views_by_hour: { "14": 1, "15": 2 },
      peak_viewing_hour: 15,
      sticker_interactions: { sticker_0_poll: 1 },
      engagement_score: 66.7,
    });
    assert.deepEqual(sticker_results, {
      sticker_0_poll: {
        sticker_type: "poll",
        total_votes: 1,
        options: [
          { text: "Python", votes: 1, percentage: 100 },
          { text: "Go", votes: 0, percentage: 0 },
          { text: "Rust", votes: 0, percentage: 0 },
        ],
      },
    });
    assert.deepEqual(
      top_viewers.map((t: any) => [t.user_id, t.username, t.interactions]),
      [
        [b.id, b.username, 2],
        [c.id, c.username, 1],
        [d.id, d.username, 0],
      ],
    );
  });

  it("reach is 0 without followers and peak hour null without views", async () => {
    const a = await createUser();
    const storyId = await insertStory(a.id, new Date(), { story_type: "text", text_content: "hi", privacy: "public" });
    const res = await api("GET", `/api/v1/viewers/story/${storyId}/insights`, { token: a.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.reach_percentage, 0);
    assert.equal(res.body.peak_viewing_hour, null);
    assert.deepEqual(res.body.views_by_hour, {});
    assert.deepEqual(res.body.sticker_interactions, {});
    assert.equal(res.body.engagement_score, 0);
    assert.deepEqual(res.body.top_viewers, []);
  });

  it("reach is measured against the followers the author had when posting: later follows do not change it", async () => {
    const [a, b, c, d, e] = [await createUser(), await createUser(), await createUser(), await createUser(), await createUser()];
    await follow(b, a);
    await follow(c, a);
    const posted = await api("POST", "/api/v1/stories", { token: a.token, body: { story_type: "text", text_content: "hi", privacy: "public" } });
    assert.equal(posted.status, 201);
    assert.equal((await StoryModel.findById(posted.body.id).lean())!.audience_size, 2);
    assert.equal((await api("POST", `/api/v1/stories/${posted.body.id}/view`, { token: b.token, body: {} })).status, 200);
    const insights = async () => (await api("GET", `/api/v1/viewers/story/${posted.body.id}/insights`, { token: a.token })).body;
    assert.equal((await insights()).reach_percentage, 50);

    await follow(d, a);
    await follow(e, a);
    assert.equal((await insights()).reach_percentage, 50, "1 viewer of the 2 followers at posting time, not of today's 4");
    const summary = (await api("GET", "/api/v1/viewers/user/insights", { token: a.token })).body;
    assert.equal(summary.follower_count, 4);
    assert.equal(summary.average_reach_percentage, 50);

    // a row stored before the snapshot existed is measured against today's followers
    await StoryModel.updateOne({ _id: posted.body.id }, { $unset: { audience_size: 1 } });
    assert.equal((await insights()).reach_percentage, 25);
  });

  it("sticker results: quiz correct rate, slider average, question answers, countdown subscribers", async () => {
    const [a, b, c] = [await createUser(), await createUser(), await createUser()];
    const now = new Date();
    const storyId = await insertStory(a.id, now, {
      story_type: "image",
      media_id: "m1",
      privacy: "public",
      stickers: [
        { sticker_type: "quiz", ...at, quiz: { question: "Capital of France?", options: [{ text: "London" }, { text: "Paris" }, { text: "Berlin" }], correct_answer_index: 1 } },
        { sticker_type: "slider", ...at, slider: { question: "Love it?", emoji: "😍" } },
        { sticker_type: "question", ...at, question: { text: "Ask me anything" } },
        { sticker_type: "countdown", ...at, countdown: { title: "Launch", end_time: new Date(now.getTime() + DAY).toISOString() } },
        { sticker_type: "mention", ...at, mention: { user_id: c.id } },
      ],
    });
    const base = { story_id: storyId, author_id: a.id, created_at: now };
    await StoryInteractionModel.create([
      { ...base, user_id: b.id, sticker_index: 0, sticker_type: "quiz", option_index: 1, is_correct: true },
      { ...base, user_id: c.id, sticker_index: 0, sticker_type: "quiz", option_index: 0, is_correct: false },
      { ...base, user_id: b.id, sticker_index: 1, sticker_type: "slider", value: 80 },
      { ...base, user_id: c.id, sticker_index: 1, sticker_type: "slider", value: 35 },
      { ...base, user_id: b.id, sticker_index: 2, sticker_type: "question", answer: "Why?" },
      { ...base, user_id: c.id, sticker_index: 3, sticker_type: "countdown" },
    ]);
    const res = await api("GET", `/api/v1/viewers/story/${storyId}/insights`, { token: a.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.sticker_interactions, { sticker_0_quiz: 2, sticker_1_slider: 2, sticker_2_question: 1, sticker_3_countdown: 1 });
    const r = res.body.sticker_results;
    assert.equal(r.sticker_0_quiz.correct_rate, 50);
    assert.deepEqual(r.sticker_0_quiz.options.map((o: any) => [o.votes, o.percentage, o.is_correct]), [[1, 50, false], [1, 50, true], [0, 0, false]]);
    assert.deepEqual(r.sticker_1_slider, { sticker_type: "slider", response_count: 2, average: 57.5 });
    assert.deepEqual(r.sticker_2_question, { sticker_type: "question", answer_count: 1 });
    assert.equal(r.sticker_3_countdown.subscriber_count, 1);
    assert.equal(r.sticker_4_mention, undefined, "decorative stickers have no results");
    assert.equal(res.body.total_interactions, 6);
    assert.equal(res.body.interaction_rate, 0, "nobody viewed: rate 0, not a division by zero");
  });

  it("seen-by list: newest first, with view counts, paged", async () => {
    const { a, b, c, d, storyId } = await fixture();
    const page1 = await api("GET", `/api/v1/viewers/story/${storyId}?limit=2`, { token: a.token });
    assert.equal(page1.status, 200, JSON.stringify(page1.body));
    assert.deepEqual(
      page1.body.items.map((i: any) => [i.user_id, i.username, i.display_name, i.view_count]),
      [
        [d.id, d.username, d.display_name, 1],
        [c.id, c.username, c.display_name, 1],
      ],
    );
    assert.equal(typeof page1.body.items[0].viewed_at, "string");
    assert.ok(page1.body.next_cursor);
    const page2 = await api("GET", `/api/v1/viewers/story/${storyId}?limit=2&cursor=${page1.body.next_cursor}`, { token: a.token });
    assert.deepEqual(page2.body.items.map((i: any) => [i.user_id, i.view_count]), [[b.id, 2]]);
    assert.equal(page2.body.next_cursor, null);
  });

  it("only the author sees viewers and insights; who cannot see the story does not learn it exists", async () => {
    const { a, b, storyId } = await fixture();
    const stranger = await createUser(); // the story is followers-only and they do not follow
    const blocked = await createUser();
    await follow(blocked, a);
    assert.equal((await api("POST", `/api/v1/users/${blocked.id}/block`, { token: a.token })).status, 204);
    for (const path of [`/api/v1/viewers/story/${storyId}`, `/api/v1/viewers/story/${storyId}/insights`]) {
      const follower = await api("GET", path, { token: b.token });
      assert.equal(follower.status, 403, `${path} for a follower`);
      assert.equal(follower.body.error.code, "not_story_author");
      for (const [who, user] of [["stranger", stranger], ["blocked follower", blocked]] as const) {
        const res = await api("GET", path, { token: user.token });
        assert.equal(res.status, 404, `${path} for a ${who}`);
        assert.equal(res.body.error.code, "story_not_found");
      }
      assert.equal((await api("GET", path)).status, 401);
    }
    const missing = await api("GET", `/api/v1/viewers/story/${"f".repeat(24)}/insights`, { token: b.token });
    assert.equal(missing.status, 404);
    assert.equal((await api("GET", `/api/v1/viewers/story/not-an-id/insights`, { token: b.token })).status, 400);
  });

  /**
   * Over the default 7 days: the fixture story S1 (figures above, reach 75) and S2 (created a day
   * ago: B viewed at 09:00, D reacted → reach 25, engagement 100 × 2 / 3 = 66.7). S3, 10 days old,
   * is outside the window. Totals: views 4 + 1 = 5; unique views 3 + 1 = 4; distinct viewers
   * {B, C, D} = 3; reactions 2; replies 1; interactions 1 → rate 1/4 = 25 %; engagement
   * 100 × (1 + 2·2 + 3·1) / (3·4) = 66.7; hours {9: 1, 14: 1, 15: 2} → peak 15; averages:
   * unique viewers 4/2 = 2, reach (75 + 25)/2 = 50; top story: S1 (ties S2 on score, more viewers).
   */
  it("user insights over a date range, with top stories", async () => {
    const { a, b, c, d, storyId: s1 } = await fixture();
    const created2 = new Date(Date.now() - DAY);
    const s2 = await insertStory(a.id, created2, { story_type: "text", text_content: "day two", privacy: "public" });
    await view(s2, a.id, b, new Date(`${created2.toISOString().slice(0, 10)}T09:00:00Z`));
    await StoryReactionModel.create({ story_id: s2, author_id: a.id, user_id: d.id, emoji: "❤️", created_at: created2, updated_at: created2 });
    const s3 = await insertStory(a.id, new Date(Date.now() - 10 * DAY), { story_type: "text", text_content: "old", privacy: "public" });
    await view(s3, a.id, c, new Date(Date.now() - 10 * DAY));

    const res = await api("GET", "/api/v1/viewers/user/insights", { token: a.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { from, to, top_stories, ...totals } = res.body;
    assert.equal(new Date(to).getTime() - new Date(from).getTime(), 7 * DAY);
    assert.deepEqual(totals, {
      follower_count: 4,
      story_count: 2,
      total_views: 5,
      unique_views: 4,
      distinct_viewers: 3,
      average_unique_viewers: 2,
      average_reach_percentage: 50,
      replies: 1,
      reactions: 2,
      total_interactions: 1,
      interaction_rate: 25,
      interactions_by_sticker_type: { poll: 1 },
      views_by_hour: { "9": 1, "14": 1, "15": 2 },
      peak_viewing_hour: 15,
      engagement_score: 66.7,
      top_story_id: s1,
    });
    assert.deepEqual(top_stories.map((s: any) => [s.story_id, s.engagement_score, s.unique_viewers]), [[s1, 66.7, 3], [s2, 66.7, 1]]);

    const wide = await api("GET", `/api/v1/viewers/user/insights?from=${new Date(Date.now() - 30 * DAY).toISOString()}&to=${new Date().toISOString()}`, { token: a.token });
    assert.equal(wide.status, 200);
    assert.equal(wide.body.story_count, 3);
    assert.equal(wide.body.distinct_viewers, 3);
    assert.equal(wide.body.total_views, 6);

    const others = await api("GET", "/api/v1/viewers/user/insights", { token: b.token });
    assert.equal(others.body.story_count, 0, "a user only ever sees their own stories' insights");
    assert.equal(others.body.top_story_id, null);
  });

  it("refuses a range over 90 days, a reversed range and malformed dates", async () => {
    const a = await createUser();
    const long = await api("GET", `/api/v1/viewers/user/insights?from=2025-01-01T00:00:00Z&to=2025-04-02T00:00:00Z`, { token: a.token });
    assert.equal(long.status, 400);
    assert.equal(long.body.error.code, "range_too_long");
    const reversed = await api("GET", `/api/v1/viewers/user/insights?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z`, { token: a.token });
    assert.equal(reversed.body.error.code, "invalid_range");
    const bad = await api("GET", `/api/v1/viewers/user/insights?from=yesterday`, { token: a.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_query");
    const ninety = await api("GET", `/api/v1/viewers/user/insights?from=2025-01-01T00:00:00Z&to=2025-04-01T00:00:00Z`, { token: a.token });
    assert.equal(ninety.status, 200, "exactly 90 days is allowed");
  });

  it("the original example: a follower votes on the seed's poll story, the author sees it in insights", async () => {
    const author = await createUser();
    const voter = await createUser();
    await follow(voter, author);
    const created = await api("POST", "/api/v1/stories", { token: author.token, body: SEED_POLL_STORY });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    assert.ok((await api("POST", `/api/v1/stories/${id}/view`, { token: voter.token, body: {} })).status < 300);
    const vote = await api("POST", `/api/v1/stories/${id}/interact`, {
      token: voter.token,
      body: { story_id: id, sticker_index: 0, option_index: 0 },
    });
    assert.ok(vote.status < 300, JSON.stringify(vote.body));

    const res = await api("GET", `/api/v1/viewers/story/${id}/insights`, { token: author.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.sticker_interactions.sticker_0_poll, 1);
    assert.equal(res.body.unique_viewers, 1);
    assert.equal(res.body.reach_percentage, 100);
    assert.equal(res.body.interaction_rate, 100);
    assert.equal(res.body.sticker_results.sticker_0_poll.options[0].percentage, 100);
    assert.deepEqual(res.body.top_viewers.map((t: any) => t.user_id), [voter.id]);
  });
});
