import assert from "node:assert/strict";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { SEED_POLL_STORY, createStory, textStory } from "../support/stories";
import { StoryInteractionModel, StoryModel, StoryReactionModel, StoryReplyModel, StoryViewModel } from "../../src/stories/story.model";
import { NotificationModel } from "../../src/notifications/notification.model";


const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };

async function follow(user: TestUser, target: TestUser) {
  assert.equal((await api("POST", `/api/v1/users/${target.id}/follow`, { token: user.token })).status, 204);
}
async function block(user: TestUser, target: TestUser) {
  assert.equal((await api("POST", `/api/v1/users/${target.id}/block`, { token: user.token })).status, 204);
}

describe("Stories REST API", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  it("the original example: a poll story, a follower votes, the author sees the vote", async () => {
    const author = await createUser();
    const voter = await createUser();
    await follow(voter, author);

    const story = await createStory(author, SEED_POLL_STORY);
    assert.equal(story.user_id, author.id);
    assert.equal(story.story_type, "image");
    assert.equal(story.privacy, "followers");
    assert.equal(story.duration, 10);
    assert.equal(story.stickers[0].poll.question, "Best programming language?");
    assert.equal(new Date(story.expires_at).getTime() - new Date(story.created_at).getTime(), 24 * 3600 * 1000);

    // the original client also sends story_id in the body
    const vote = await api("POST", `/api/v1/stories/${story.id}/interact`, {
      token: voter.token,
      body: { story_id: story.id, sticker_index: 0, option_index: 0 },
    });
    assert.equal(vote.status, 200, JSON.stringify(vote.body));
    assert.equal(vote.body.sticker_index, 0);
    assert.equal(vote.body.result.total_votes, 1);
    assert.deepEqual(
      vote.body.result.options.map((o: any) => [o.text, o.votes, o.percentage]),
      [["Python", 1, 100], ["Go", 0, 0], ["Rust", 0, 0]],
    );

    const seen = await api("GET", `/api/v1/stories/${story.id}`, { token: author.token });
    assert.equal(seen.status, 200);
    assert.equal(seen.body.interaction_count, 1);
    assert.equal(seen.body.stickers[0].results.total_votes, 1);
    assert.equal(seen.body.stickers[0].results.options[0].percentage, 100);
    assert.deepEqual(seen.body.custom_viewer_ids, []);

    const rows = await StoryInteractionModel.find({ story_id: story.id }).lean();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.user_id, voter.id);
    assert.equal(rows[0]!.option_index, 0);

    // the voter sees results after voting; audience lists and insight counters are the author's alone
    assert.equal(seen.body.reply_count, 0);
    const voterView = await api("GET", `/api/v1/stories/${story.id}`, { token: voter.token });
    assert.equal(voterView.body.stickers[0].my_interaction.option_index, 0);
    for (const authorOnly of ["custom_viewer_ids", "hidden_from_ids", "reply_count", "interaction_count"]) {
      assert.ok(!(authorOnly in voterView.body), `${authorOnly} must not reach a viewer`);
    }
    assert.equal(voterView.body.view_count, 0);
    assert.equal(voterView.body.reaction_count, 0);
  });

  it("an interact body naming another story is refused and writes nothing", async () => {
    const author = await createUser();
    const voter = await createUser();
    await follow(voter, author);
    const story = await createStory(author, SEED_POLL_STORY);
    const res = await api("POST", `/api/v1/stories/${story.id}/interact`, {
      token: voter.token,
      body: { story_id: "f".repeat(24), sticker_index: 0, option_index: 0 },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "story_id_mismatch");
    assert.equal(await StoryInteractionModel.countDocuments({}), 0);
  });

  it("privacy matrix: get, user reel and feed show exactly what each viewer may see", async () => {
    const [author, follower, hidden, stranger, closeFriend, custom, blockedByAuthor, blockerOfAuthor] = await Promise.all(
      Array.from({ length: 8 }, () => createUser()),
    );
    await Promise.all([follow(follower, author), follow(hidden, author), follow(blockedByAuthor, author), follow(blockerOfAuthor, author)]);
    await block(author, blockedByAuthor);
    await block(blockerOfAuthor, author);
    assert.equal((await api("POST", `/api/v1/close-friends/${closeFriend!.id}`, { token: author!.token })).status, 201);

    const pub = await createStory(author!, textStory({ privacy: "public" }));
    const fol = await createStory(author!, textStory({ privacy: "followers" }));
    const cf = await createStory(author!, textStory({ privacy: "close_friends" }));
    const cus = await createStory(author!, textStory({ privacy: "custom", custom_viewer_ids: [custom!.id] }));
    const hid = await createStory(author!, textStory({ privacy: "followers", hidden_from_ids: [hidden!.id] }));
    const all = [pub, fol, cf, cus, hid];

    const expected: Array<[string, TestUser, any[]]> = [
      ["author", author!, all],
      ["follower", follower!, [pub, fol, hid]],
      ["follower on the hide list", hidden!, [pub, fol]],
      ["stranger", stranger!, [pub]],
      ["close friend (not following)", closeFriend!, [pub, cf]],
      ["custom viewer", custom!, [pub, cus]],
      ["blocked by the author", blockedByAuthor!, []],
      ["blocking the author", blockerOfAuthor!, []],
    ];
    for (const [who, viewer, visible] of expected) {
      const want = visible.map((s) => s.id).sort();
      const got: string[] = [];
      for (const s of all) {
        const res = await api("GET", `/api/v1/stories/${s.id}`, { token: viewer.token });
        assert.ok(res.status === 200 || res.status === 404, `${who}: unexpected ${res.status}`);
        if (res.status === 200) got.push(s.id);
        else assert.equal(res.body.error.code, "story_not_found");
      }
      assert.deepEqual(got.sort(), want, `GET /:id for ${who}`);

      const reel = await api("GET", `/api/v1/stories/user/${author!.id}`, { token: viewer.token });
      assert.equal(reel.status, 200);
      assert.deepEqual(reel.body.items.map((s: any) => s.id).sort(), want, `user reel for ${who}`);

      const feed = await api("GET", "/api/v1/stories/feed", { token: viewer.token });
      assert.equal(feed.status, 200);
      const group = feed.body.groups.find((g: any) => g.author_id === author!.id);
      assert.deepEqual((group?.stories ?? []).map((s: any) => s.id).sort(), want, `feed for ${who}`);
    }
  });

  it("bad bodies get 400 with the error shape and write nothing", async () => {
    const author = await createUser();
    const cases: unknown[] = [
      { story_type: "image" }, // no media
      { story_type: "text", text_content: "x", bogus: 1 }, // unknown field
      { story_type: "text", text_content: "x", stickers: [{ sticker_type: "poll", ...at, poll: { question: "?", options: [{ text: "only" }] } }] },
      { story_type: "text", text_content: "x", privacy: "custom" }, // custom without viewers
      { story_type: "text", text_content: "x", stickers: [{ sticker_type: "poll", ...at, poll: { question: "?", options: [{ text: "a", votes: 5 }, { text: "b" }] } }] },
    ];
    for (const body of cases) {
      const res = await api("POST", "/api/v1/stories", { token: author.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, "invalid_body");
      assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0);
    }
    const past = await api("POST", "/api/v1/stories", {
      token: author.token,
      body: textStory({ stickers: [{ sticker_type: "countdown", ...at, countdown: { title: "t", end_time: "2001-01-01T00:00:00Z" } }] }),
    });
    assert.equal(past.status, 400);
    assert.equal(past.body.error.code, "countdown_in_past");
    const ghost = await api("POST", "/api/v1/stories", {
      token: author.token,
      body: textStory({ stickers: [{ sticker_type: "mention", ...at, mention: { user_id: "e".repeat(24) } }] }),
    });
    assert.equal(ghost.status, 400);
    assert.equal(ghost.body.error.code, "mention_user_not_found");
    assert.equal((await api("POST", "/api/v1/stories", { body: textStory() })).status, 401);
    assert.equal(await StoryModel.countDocuments({}), 0);

    const story = await createStory(author, { ...SEED_POLL_STORY, privacy: "public" });
    const voter = await createUser();
    const badInteractions: Array<[unknown, number, string]> = [
      [{ sticker_index: 0 }, 400, "sticker_type_mismatch"],
      [{ sticker_index: 0, option_index: 3 }, 400, "option_not_found"],
      [{ sticker_index: 1, option_index: 0 }, 404, "sticker_not_found"],
      [{ sticker_index: 0, option_index: -1 }, 400, "invalid_body"],
    ];
    for (const [body, status, code] of badInteractions) {
      const res = await api("POST", `/api/v1/stories/${story.id}/interact`, { token: voter.token, body });
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.error.code, code);
    }
    const own = await api("POST", `/api/v1/stories/${story.id}/interact`, { token: author.token, body: { sticker_index: 0, option_index: 0 } });
    assert.equal(own.status, 403);
    assert.equal((await api("POST", `/api/v1/stories/${story.id}/reply`, { token: voter.token, body: { text: "" } })).status, 400);
    assert.equal((await api("POST", `/api/v1/stories/${story.id}/reactions`, { token: voter.token, body: { emoji: "ab" } })).status, 400);
    assert.equal((await api("GET", "/api/v1/stories/not-an-id", { token: voter.token })).status, 400);
    assert.equal(await StoryInteractionModel.countDocuments({}), 0);
    assert.equal(await StoryReplyModel.countDocuments({}), 0);
    assert.equal(await StoryReactionModel.countDocuments({}), 0);
    const stored = await StoryModel.findById(story.id).lean();
    assert.equal(stored!.interaction_count, 0);
  });

  it("a second vote: the same choice is an idempotent 200, another choice is 409; counts unchanged", async () => {
    const author = await createUser();
    const voter = await createUser();
    const story = await createStory(author, { ...SEED_POLL_STORY, privacy: "public" });
    const url = `/api/v1/stories/${story.id}/interact`;
    const first = await api("POST", url, { token: voter.token, body: { sticker_index: 0, option_index: 1 } });
    assert.equal(first.status, 200);
    assert.equal(first.body.already, undefined);
    const again = await api("POST", url, { token: voter.token, body: { sticker_index: 0, option_index: 1 } });
    assert.equal(again.status, 200);
    assert.equal(again.body.already, true);
    assert.equal(again.body.result.total_votes, 1);
    const other = await api("POST", url, { token: voter.token, body: { sticker_index: 0, option_index: 2 } });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, "sticker_already_answered");
    const stored = await StoryModel.findById(story.id).lean();
    assert.equal((stored!.stickers[0] as any).poll.total_votes, 1);
    assert.equal((stored!.stickers[0] as any).poll.options[1].votes, 1);
    assert.equal(stored!.interaction_count, 1);
    assert.equal(await StoryInteractionModel.countDocuments({ story_id: story.id }), 1);
  });

  it("views count once per viewer, never for the author; the author lists who has seen it", async () => {
    const author = await createUser();
    const [v1, v2] = [await createUser(), await createUser()];
    const story = await createStory(author, textStory());
    const url = `/api/v1/stories/${story.id}/view`;
    assert.deepEqual((await api("POST", url, { token: v1.token, body: {} })).body, { counted: true, view_count: 1 });
    assert.deepEqual((await api("POST", url, { token: v1.token, body: {} })).body, { counted: false, view_count: 1 });
    assert.deepEqual((await api("POST", url, { token: author.token, body: {} })).body, { counted: false, view_count: 1 });
    assert.deepEqual((await api("POST", url, { token: v2.token })).body, { counted: true, view_count: 2 });
    const row = await StoryViewModel.findOne({ story_id: story.id, viewer_id: v1.id }).lean();
    assert.equal(row!.view_count, 2);
    assert.equal(await StoryViewModel.countDocuments({ story_id: story.id, viewer_id: author.id }), 0);
    assert.equal((await api("POST", url, { token: v1.token, body: { x: 1 } })).status, 400);

    const seen = await api("GET", `/api/v1/stories/${story.id}`, { token: v1.token });
    assert.equal(seen.body.seen, true);
    const seenBy = await api("GET", `/api/v1/stories/${story.id}/viewers?limit=1`, { token: author.token });
    assert.equal(seenBy.status, 200);
    assert.equal(seenBy.body.items.length, 1);
    assert.equal(seenBy.body.items[0].user_id, v2.id); // newest first
    assert.equal(seenBy.body.items[0].username, v2.username);
    const next = await api("GET", `/api/v1/stories/${story.id}/viewers?limit=1&cursor=${seenBy.body.next_cursor}`, { token: author.token });
    assert.deepEqual(next.body.items.map((i: any) => i.user_id), [v1.id]);
    assert.equal(next.body.next_cursor, null);
    assert.equal((await api("GET", `/api/v1/stories/${story.id}/viewers`, { token: v1.token })).status, 403);
  });

  it("quiz: the answer stays hidden until answered, and the voter learns right or wrong", async () => {
    const author = await createUser();
    const [right, wrong] = [await createUser(), await createUser()];
    const story = await createStory(
      author,
      textStory({
        stickers: [
          {
            sticker_type: "quiz",
            ...at,
            quiz: { question: "Capital of France?", options: [{ text: "London" }, { text: "Paris", is_correct: true }, { text: "Berlin" }], correct_answer_index: 1 },
          },
        ],
      }),
    );
    const before = await api("GET", `/api/v1/stories/${story.id}`, { token: right.token });
    assert.equal(before.body.stickers[0].quiz.correct_answer_index, undefined);
    assert.equal(before.body.stickers[0].results, null);
    assert.ok(!JSON.stringify(before.body.stickers[0]).includes("is_correct"));

    const r1 = await api("POST", `/api/v1/stories/${story.id}/interact`, { token: right.token, body: { sticker_index: 0, option_index: 1 } });
    assert.equal(r1.body.is_correct, true);
    const r2 = await api("POST", `/api/v1/stories/${story.id}/interact`, { token: wrong.token, body: { sticker_index: 0, option_index: 2 } });
    assert.equal(r2.body.is_correct, false);
    assert.equal(r2.body.result.total_answers, 2);
    assert.equal(r2.body.result.correct_answers, 1);
    const after = await api("GET", `/api/v1/stories/${story.id}`, { token: wrong.token });
    assert.equal(after.body.stickers[0].quiz.correct_answer_index, 1);
  });

  it("question answers, slider and countdown; answers are listed for the author only", async () => {
    const author = await createUser();
    const [a, b] = [await createUser(), await createUser()];
    const end = new Date(Date.now() + 3600_000).toISOString();
    const story = await createStory(
      author,
      textStory({
        stickers: [
          { sticker_type: "question", ...at, question: { text: "Ask me" } },
          { sticker_type: "slider", ...at, slider: { question: "Love it?", emoji: "😍" } },
          { sticker_type: "countdown", ...at, countdown: { title: "Launch", end_time: end } },
          { sticker_type: "poll", ...at, poll: { question: "?", options: [{ text: "x" }, { text: "y" }] } },
        ],
      }),
    );
    const url = `/api/v1/stories/${story.id}/interact`;
    // question and countdown counts are the author's: answering them shows the answerer nothing more
    const q1 = await api("POST", url, { token: a.token, body: { sticker_index: 0, answer: "first" } });
    assert.equal(q1.status, 200);
    assert.deepEqual(q1.body, { sticker_index: 0, result: null });
    const q2 = await api("POST", url, { token: b.token, body: { sticker_index: 0, answer: "second" } });
    assert.deepEqual(q2.body, { sticker_index: 0, result: null });
    assert.deepEqual((await api("POST", url, { token: b.token, body: { sticker_index: 0, answer: "second" } })).body, { sticker_index: 0, result: null, already: true });
    const s1 = await api("POST", url, { token: a.token, body: { sticker_index: 1, value: 80 } });
    const s2 = await api("POST", url, { token: b.token, body: { sticker_index: 1, value: 41 } });
    assert.equal(s1.status, 200);
    assert.deepEqual(s2.body.result, { sticker_type: "slider", response_count: 2, average: 60.5 });
    const c = await api("POST", url, { token: a.token, body: { sticker_index: 2 } });
    assert.equal(c.status, 200);
    assert.deepEqual(c.body, { sticker_index: 2, result: null });
    // the author still reads every count on the story
    const own = await api("GET", `/api/v1/stories/${story.id}`, { token: author.token });
    assert.deepEqual(own.body.stickers[0].results, { sticker_type: "question", answer_count: 2 });
    assert.equal(own.body.stickers[2].results.subscriber_count, 1);
    const sub = await StoryInteractionModel.findOne({ story_id: story.id, sticker_index: 2 }).lean();
    assert.equal(sub!.remind_at!.getTime(), new Date(end).getTime());

    const answers = await api("GET", `/api/v1/stories/${story.id}/stickers/0/answers`, { token: author.token });
    assert.equal(answers.status, 200);
    assert.deepEqual(answers.body.items.map((i: any) => [i.answer, i.user_id]), [["second", b.id], ["first", a.id]]);
    assert.equal((await api("GET", `/api/v1/stories/${story.id}/stickers/0/answers`, { token: a.token })).status, 403);
    const wrongType = await api("GET", `/api/v1/stories/${story.id}/stickers/3/answers`, { token: author.token });
    assert.equal(wrongType.status, 400);
    assert.equal((await api("GET", `/api/v1/stories/${story.id}/stickers/9/answers`, { token: author.token })).status, 404);
    const stored = await StoryModel.findById(story.id).lean();
    assert.equal(stored!.interaction_count, 5);
  });

  it("replies are private to the author, counted and notified; reactions are one per user", async () => {
    const author = await createUser();
    const [fan, other] = [await createUser(), await createUser()];
    const story = await createStory(author, textStory());
    const reply = await api("POST", `/api/v1/stories/${story.id}/reply`, { token: fan.token, body: { text: "love this" } });
    assert.equal(reply.status, 201);
    assert.equal(reply.body.reply.text, "love this");
    assert.equal(reply.body.reply.user_id, fan.id);
    assert.equal((await api("POST", `/api/v1/stories/${story.id}/reply`, { token: author.token, body: { text: "me" } })).status, 403);

    const list = await api("GET", `/api/v1/stories/${story.id}/replies`, { token: author.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((r: any) => [r.text, r.username]), [["love this", fan.username]]);
    assert.equal((await api("GET", `/api/v1/stories/${story.id}/replies`, { token: other.token })).status, 403);
    assert.equal((await StoryModel.findById(story.id).lean())!.reply_count, 1);
    const notes = await NotificationModel.find({ user_id: author.id }).lean();
    assert.deepEqual(notes.map((n) => [n.type, n.actor_id, n.story_id]), [["story_reply", fan.id, story.id]]);

    const react = (u: TestUser, emoji: string) => api("POST", `/api/v1/stories/${story.id}/reactions`, { token: u.token, body: { emoji } });
    assert.deepEqual((await react(fan, "🔥")).body, { reaction_count: 1 });
    assert.deepEqual((await react(fan, "❤️")).body, { reaction_count: 1 });
    assert.deepEqual((await react(other, "👍🏽")).body, { reaction_count: 2 });
    const mine = await StoryReactionModel.findOne({ story_id: story.id, user_id: fan.id }).lean();
    assert.equal(mine!.emoji, "❤️");
    assert.equal(await StoryReactionModel.countDocuments({ story_id: story.id }), 2);
  });

  it("delete: the author or an admin soft-deletes; others cannot; a deleted story is gone", async () => {
    const author = await createUser();
    const other = await createUser();
    const admin = await createUser({ roles: ["admin"] });
    const s1 = await createStory(author, textStory());
    const s2 = await createStory(author, textStory({ privacy: "close_friends" }));

    const denied = await api("DELETE", `/api/v1/stories/${s1.id}`, { token: other.token });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, "not_story_author");
    // a story the caller cannot see is "not found", not "forbidden"
    assert.equal((await api("DELETE", `/api/v1/stories/${s2.id}`, { token: other.token })).status, 404);

    assert.equal((await api("DELETE", `/api/v1/stories/${s1.id}`, { token: author.token })).status, 204);
    assert.equal((await api("DELETE", `/api/v1/stories/${s1.id}`, { token: author.token })).status, 404);
    assert.equal((await api("DELETE", `/api/v1/stories/${s2.id}`, { token: admin.token })).status, 204);
    for (const id of [s1.id, s2.id]) {
      const row = await StoryModel.findById(id).lean();
      assert.equal(row!.is_deleted, true);
      assert.ok(row!.deleted_at instanceof Date);
      assert.equal((await api("GET", `/api/v1/stories/${id}`, { token: author.token })).status, 404);
    }
    const feed = await api("GET", "/api/v1/stories/feed", { token: author.token });
    assert.deepEqual(feed.body.groups, []);
  });

  it("feed: own reel first, then unseen authors, then seen ones; paged by cursor", async () => {
    const viewer = await createUser();
    const [a, b, c] = [await createUser(), await createUser(), await createUser()];
    await Promise.all([follow(viewer, a), follow(viewer, b), follow(viewer, c)]);
    // distinct creation times, so "most recent first" is decided by time and not by id
    const clock = manualClock();
    const sa = await createStory(a, textStory({ privacy: "followers" }));
    clock.advance(1000);
    await createStory(b, textStory({ privacy: "followers" }));
    clock.advance(1000);
    await createStory(c, textStory({ privacy: "followers" }));
    clock.advance(1000);
    await createStory(viewer, textStory({ privacy: "followers" }));
    await api("POST", `/api/v1/stories/${sa.id}/view`, { token: viewer.token, body: {} });

    const page1 = await api("GET", "/api/v1/stories/feed?limit=2", { token: viewer.token });
    assert.equal(page1.status, 200);
    assert.deepEqual(page1.body.groups.map((g: any) => g.author_id), [viewer.id, c.id]);
    assert.equal(page1.body.groups[0].is_own, true);
    assert.equal(page1.body.groups[1].author.username, c.username);
    const page2 = await api("GET", `/api/v1/stories/feed?limit=2&cursor=${page1.body.next_cursor}`, { token: viewer.token });
    assert.deepEqual(page2.body.groups.map((g: any) => [g.author_id, g.has_unseen]), [[b.id, true], [a.id, false]]);
    assert.equal(page2.body.groups[1].stories[0].seen, true);
    assert.equal(page2.body.next_cursor, null);
    const bad = await api("GET", "/api/v1/stories/feed?cursor=nonsense", { token: viewer.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_cursor");
  });
});
