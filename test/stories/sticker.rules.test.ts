import { strict as assert } from "node:assert";
import { DomainError } from "../../src/shared/errors";
import { applyInteractionToStory, repeatInteraction, tallyIncrements, validateInteraction, type StickerInteraction } from "../../src/stories/sticker.rules";
import { percentagesOf, presentStickerForViewer, stickerInteractionCounts, stickerResults } from "../../src/stories/sticker-results.rules";
import type { StoryDoc } from "../../src/stories/story.types";
import { AUTHOR, HOUR, NOW, storyWithStickers, VIEWER } from "./story.fixtures";

const code = (c: string) => (e: unknown) => e instanceof DomainError && e.code === c;
// sticker indexes in the fixture
const POLL = 0, QUIZ = 1, QUESTION = 2, SLIDER = 3, COUNTDOWN = 4, MENTION = 5;

/** Apply a `$inc` document to a plain object, the way MongoDB would (dot paths, array indexes). */
function applyInc<T>(doc: T, inc: Record<string, number>): T {
  const copy = structuredClone(doc) as Record<string, unknown>;
  for (const [path, by] of Object.entries(inc)) {
    const keys = path.split(".");
    let node = copy as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    const last = keys[keys.length - 1]!;
    node[last] = ((node[last] as number | undefined) ?? 0) + by;
  }
  return copy as T;
}

describe("sticker rules: validating an interaction", () => {
  const story = storyWithStickers();

  it("normalises a poll vote and a quiz answer, telling the quiz voter right or wrong", () => {
    assert.deepEqual(validateInteraction(story, { sticker_index: POLL, option_index: 2 }, NOW, VIEWER), {
      sticker_index: POLL,
      sticker_type: "poll",
      option_index: 2,
    });
    const right = validateInteraction(story, { sticker_index: QUIZ, option_index: 1 }, NOW, VIEWER);
    const wrong = validateInteraction(story, { sticker_index: QUIZ, option_index: 0 }, NOW, VIEWER);
    assert.equal(right.sticker_type === "quiz" && right.is_correct, true);
    assert.equal(wrong.sticker_type === "quiz" && wrong.is_correct, false);
  });

  it("refuses a missing sticker, a missing option and a body of the wrong kind", () => {
    assert.throws(() => validateInteraction(story, { sticker_index: 9, option_index: 0 }, NOW, VIEWER), code("sticker_not_found"));
    assert.throws(() => validateInteraction(story, { sticker_index: POLL, option_index: 3 }, NOW, VIEWER), code("option_not_found"));
    assert.throws(() => validateInteraction(story, { sticker_index: POLL, value: 50 }, NOW, VIEWER), code("sticker_type_mismatch"));
    assert.throws(() => validateInteraction(story, { sticker_index: SLIDER, option_index: 0 }, NOW, VIEWER), code("sticker_type_mismatch"));
    assert.throws(() => validateInteraction(story, { sticker_index: QUESTION }, NOW, VIEWER), code("sticker_type_mismatch"));
    assert.throws(() => validateInteraction(story, { sticker_index: MENTION }, NOW, VIEWER), code("sticker_not_interactive"));
  });

  it("keeps slider answers within the sticker's bounds", () => {
    const narrow = structuredClone(story) as StoryDoc;
    const s = narrow.stickers[SLIDER]!;
    assert.ok(s.sticker_type === "slider");
    s.slider.min_value = 10;
    s.slider.max_value = 90;
    assert.throws(() => validateInteraction(narrow, { sticker_index: SLIDER, value: 91 }, NOW, VIEWER), code("slider_value_out_of_range"));
    assert.throws(() => validateInteraction(narrow, { sticker_index: SLIDER, value: 9 }, NOW, VIEWER), code("slider_value_out_of_range"));
    assert.equal(validateInteraction(story, { sticker_index: SLIDER, value: 0 }, NOW, VIEWER).sticker_type, "slider");
    assert.equal(validateInteraction(story, { sticker_index: SLIDER, value: 100 }, NOW, VIEWER).sticker_type, "slider");
  });

  it("refuses every interaction on an expired or deleted story", () => {
    const expired = new Date(story.expires_at.getTime());
    assert.throws(() => validateInteraction(story, { sticker_index: POLL, option_index: 0 }, expired, VIEWER), code("story_expired"));
    assert.throws(() => validateInteraction({ ...story, is_deleted: true }, { sticker_index: POLL, option_index: 0 }, NOW, VIEWER), code("story_not_found"));
  });

  it("countdown reminders only before the end; authors cannot answer their own stickers", () => {
    assert.deepEqual(validateInteraction(story, { sticker_index: COUNTDOWN }, NOW, VIEWER), { sticker_index: COUNTDOWN, sticker_type: "countdown" });
    assert.throws(() => validateInteraction(story, { sticker_index: COUNTDOWN }, new Date(NOW.getTime() + 2 * HOUR), VIEWER), code("countdown_ended"));
    assert.throws(() => validateInteraction(story, { sticker_index: POLL, option_index: 0 }, NOW, AUTHOR), code("own_story_interaction"));
  });

  it("a retry with the same answer is a no-op; a different answer is refused", () => {
    const first: StickerInteraction = { sticker_index: QUIZ, sticker_type: "quiz", option_index: 0, is_correct: false };
    assert.deepEqual(repeatInteraction(first, { ...first }), { duplicate: true, interaction: first });
    assert.throws(() => repeatInteraction(first, { ...first, option_index: 1, is_correct: true }), code("sticker_already_answered"));
    const sub: StickerInteraction = { sticker_index: COUNTDOWN, sticker_type: "countdown" };
    assert.equal(repeatInteraction(sub, sub).duplicate, true);
  });
});

describe("sticker rules: tallies", () => {
  it("gives the exact $inc paths for each kind of interaction", () => {
    assert.deepEqual(tallyIncrements({ sticker_index: 0, sticker_type: "poll", option_index: 1 }), {
      "stickers.0.poll.options.1.votes": 1,
      "stickers.0.poll.total_votes": 1,
      interaction_count: 1,
    });
    assert.deepEqual(tallyIncrements({ sticker_index: 1, sticker_type: "quiz", option_index: 1, is_correct: true }), {
      "stickers.1.quiz.options.1.votes": 1,
      "stickers.1.quiz.total_answers": 1,
      "stickers.1.quiz.correct_answers": 1,
      interaction_count: 1,
    });
    assert.equal("stickers.1.quiz.correct_answers" in tallyIncrements({ sticker_index: 1, sticker_type: "quiz", option_index: 0, is_correct: false }), false);
    assert.deepEqual(tallyIncrements({ sticker_index: 3, sticker_type: "slider", value: 73 }), {
      "stickers.3.slider.response_count": 1,
      "stickers.3.slider.value_sum": 73,
      interaction_count: 1,
    });
  });

  it("$inc on the stored document and the in-memory update agree, and 200 votes count exactly 200", () => {
    const original = storyWithStickers();
    let viaInc: StoryDoc = original;
    let viaRules: StoryDoc = original;
    const interactions: StickerInteraction[] = [];
    for (let i = 0; i < 200; i++) {
      const viewer = i.toString(16).padStart(24, "0");
      interactions.push(validateInteraction(original, { sticker_index: POLL, option_index: i % 3 }, NOW, viewer));
      interactions.push(validateInteraction(original, { sticker_index: QUIZ, option_index: i % 4 === 0 ? 0 : 1 }, NOW, viewer));
      interactions.push(validateInteraction(original, { sticker_index: SLIDER, value: i % 101 }, NOW, viewer));
    }
    for (const it of interactions) {
      viaInc = applyInc(viaInc, tallyIncrements(it));
      viaRules = applyInteractionToStory(viaRules, it);
    }
    assert.deepEqual(viaInc, viaRules);
    assert.equal(viaRules.interaction_count, 600);
    const poll = stickerResults(viaRules.stickers[POLL]!);
    assert.ok(poll.sticker_type === "poll");
    assert.equal(poll.total_votes, 200);
    assert.deepEqual(poll.options.map((o) => o.votes), [67, 67, 66]);
    assert.deepEqual(poll.options.map((o) => o.percentage), [34, 33, 33]);
    const quiz = stickerResults(viaRules.stickers[QUIZ]!);
    assert.ok(quiz.sticker_type === "quiz");
    assert.equal(quiz.correct_rate, 75);
    assert.equal(original.stickers[POLL]!.sticker_type === "poll" && original.stickers[POLL].poll.total_votes, 0, "input untouched");
    assert.deepEqual(stickerInteractionCounts(viaRules.stickers), {
      sticker_0_poll: 200,
      sticker_1_quiz: 200,
      sticker_2_question: 0,
      sticker_3_slider: 200,
      sticker_4_countdown: 0,
    });
  });
});

describe("sticker rules: results", () => {
  it("poll percentages are whole numbers that always sum to 100", () => {
    assert.deepEqual(percentagesOf([1, 1, 1]), [34, 33, 33]);
    assert.deepEqual(percentagesOf([0, 0]), [0, 0]);
    assert.deepEqual(percentagesOf([1, 0, 0, 0]), [100, 0, 0, 0]);
    assert.deepEqual(percentagesOf([2, 1]), [67, 33]);
    for (let a = 0; a < 12; a++)
      for (let b = 0; b < 12; b++)
        for (let c = 0; c < 12; c++) {
          const p = percentagesOf([a, b, c, 7]);
          assert.equal(p.reduce((x, y) => x + y, 0), 100, `${[a, b, c, 7]}`);
        }
  });

  it("slider average has one decimal and is null before anyone answers", () => {
    const s = storyWithStickers();
    assert.deepEqual(stickerResults(s.stickers[SLIDER]!), { sticker_type: "slider", response_count: 0, average: null });
    let next = s;
    for (const value of [10, 20, 25]) next = applyInteractionToStory(next, { sticker_index: SLIDER, sticker_type: "slider", value });
    assert.deepEqual(stickerResults(next.stickers[SLIDER]!), { sticker_type: "slider", response_count: 3, average: 18.3 });
  });

  it("viewers do not see the quiz answer or poll results until they answer; the author sees everything", () => {
    const s = storyWithStickers();
    const quiz = s.stickers[QUIZ]!;
    const before = presentStickerForViewer(quiz, null, false);
    assert.equal(JSON.stringify(before).includes("is_correct"), false);
    assert.equal(JSON.stringify(before).includes("correct_answer_index"), false);
    assert.equal(before.results, null);
    const mine: StickerInteraction = { sticker_index: QUIZ, sticker_type: "quiz", option_index: 0, is_correct: false };
    const after = presentStickerForViewer(quiz, mine, false);
    assert.equal((after.quiz as { correct_answer_index?: number }).correct_answer_index, 1);
    assert.notEqual(after.results, null);
    assert.notEqual(presentStickerForViewer(s.stickers[QUESTION]!, null, true).results, null);
    assert.equal(presentStickerForViewer(s.stickers[QUESTION]!, null, false).results, null);
  });
});
