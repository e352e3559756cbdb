import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { at, call, createStory, textStory } from "../support/stories";

/**
 * Seed 000's shapes: a client written against it reads a poll's tallies inline at
 * `stickers[i].poll.options[j].votes` / `.percentage` and `poll.total_votes` (quiz: options' votes,
 * percentage, is_correct, total_answers, correct_answers; slider: response_count, average) — for
 * exactly the callers who may see results (the author; a viewer after answering), equal to
 * `results`, and absent for everyone else.
 */
describe("stories: the seed's inline sticker tallies", () => {
  before(testServer);
  beforeEach(resetState);

  it("inline tallies equal results for the author and for a viewer who answered, and are absent before", async () => {
    const author = await createUser({ roles: ["creator"] });
    const [voter, other] = await Promise.all([createUser(), createUser()]);
    const story = await createStory(
      author,
      textStory({
        stickers: [
          { sticker_type: "poll", ...at, poll: { question: "Best?", options: [{ text: "A" }, { text: "B" }, { text: "C" }] } },
          { sticker_type: "quiz", ...at, quiz: { question: "2+2?", options: [{ text: "3" }, { text: "4" }], correct_answer_index: 1 } },
          { sticker_type: "slider", ...at, slider: { question: "How much?", emoji: "🔥" } },
        ],
      }),
    );
    const id = story.id;
    await call("POST", `/api/v1/stories/${id}/interact`, voter.token, { sticker_index: 0, option_index: 1 });
    await call("POST", `/api/v1/stories/${id}/interact`, other.token, { sticker_index: 0, option_index: 1 });
    await call("POST", `/api/v1/stories/${id}/interact`, other.token, { sticker_index: 0, option_index: 1 }).catch(() => undefined);
    await call("POST", `/api/v1/stories/${id}/interact`, voter.token, { sticker_index: 1, option_index: 1 });
    await call("POST", `/api/v1/stories/${id}/interact`, voter.token, { sticker_index: 2, value: 80 });

    const fresh = await createUser();
    const unseen = await call("GET", `/api/v1/stories/${id}`, fresh.token);
    assert.deepEqual(unseen.stickers[0].poll, { question: "Best?", options: [{ text: "A" }, { text: "B" }, { text: "C" }] }, "no tallies before answering");
    assert.equal(unseen.stickers[1].quiz.total_answers, undefined);
    assert.equal(unseen.stickers[2].slider.average, undefined);

    for (const who of [author, voter]) {
      const s = await call("GET", `/api/v1/stories/${id}`, who.token);
      const [poll, quiz, slider] = s.stickers;
      assert.equal(poll.poll.total_votes, 2);
      assert.deepEqual(poll.poll.options.map((o: any) => [o.votes, o.percentage]), [[0, 0], [2, 100], [0, 0]]);
      assert.deepEqual(poll.poll.options, poll.results.options);
      assert.equal(quiz.quiz.total_answers, 1);
      assert.equal(quiz.quiz.correct_answers, 1);
      assert.deepEqual(quiz.quiz.options, [
        { text: "3", votes: 0, percentage: 0, is_correct: false },
        { text: "4", votes: 1, percentage: 100, is_correct: true },
      ]);
      assert.deepEqual([slider.slider.response_count, slider.slider.average], [1, 80]);
    }

    // `other` voted on the poll only: the poll's tallies, not the quiz's or the slider's
    const partial = await call("GET", `/api/v1/stories/${id}`, other.token);
    assert.equal(partial.stickers[0].poll.total_votes, 2);
    assert.equal(partial.stickers[1].quiz.total_answers, undefined);
    assert.equal(partial.stickers[1].quiz.options[1].votes, undefined);
    assert.equal(partial.stickers[2].slider.response_count, undefined);
  });
});
