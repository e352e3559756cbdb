import { strict as assert } from "node:assert";
import {
  createStoryBodySchema,
  feedQuerySchema,
  interactBodySchema,
  isSingleEmoji,
  reactionBodySchema,
  replyBodySchema,
  viewBodySchema,
} from "../../src/stories/story.schemas";
import { at, OTHER } from "./story.fixtures";

const poll = (n: number) => ({
  sticker_type: "poll",
  ...at,
  poll: { question: "Q?", options: Array.from({ length: n }, (_, i) => ({ text: `o${i}` })) },
});
const ok = (body: unknown) => createStoryBodySchema.safeParse(body).success;

describe("story schemas: create story body", () => {
  it("accepts an image story with media and applies defaults (5 s frame, followers, no stickers)", () => {
    const parsed = createStoryBodySchema.parse({ story_type: "image", media_id: "media-uuid" });
    assert.equal(parsed.duration, 5);
    assert.equal(parsed.privacy, "followers");
    assert.deepEqual(parsed.stickers, []);
  });

  it("requires media for image and video stories, text for text stories", () => {
    assert.equal(ok({ story_type: "image" }), false);
    assert.equal(ok({ story_type: "video", thumbnail_url: "https://cdn.x/t.jpg" }), false);
    assert.equal(ok({ story_type: "video", media_url: "https://cdn.x/v.mp4" }), true);
    assert.equal(ok({ story_type: "text", background_color: "#000" }), false);
    assert.equal(ok({ story_type: "text", text_content: "   " }), false);
    assert.equal(ok({ story_type: "text", text_content: "hi", background_gradient: ["#FF0000", "#00FF00"] }), true);
  });

  it("requires workout_data for workout stories and achievement_data for achievements", () => {
    assert.equal(ok({ story_type: "workout" }), false);
    assert.equal(ok({ story_type: "workout", workout_data: { activity: "Run", distance_km: 5.2, duration_minutes: 31 } }), true);
    assert.equal(ok({ story_type: "achievement", achievement_data: { title: "100 workouts", badge_emoji: "🏆" } }), true);
    assert.equal(ok({ story_type: "image", media_id: "m", workout_data: { activity: "Run" } }), false, "workout_data on an image story");
  });

  it("accepts only http(s) URLs", () => {
    for (const url of ["javascript:alert(1)", "data:image/png;base64,AAA", "ftp://x.org/a", "file:///etc/passwd", "not a url"]) {
      assert.equal(ok({ story_type: "image", media_url: url }), false, url);
    }
    assert.equal(ok({ story_type: "image", media_url: "http://cdn.example.com/a.jpg" }), true);
  });

  it("validates colours and gradients (2..5 hex colours, not both with a flat colour)", () => {
    const text = { story_type: "text", text_content: "hi" };
    assert.equal(ok({ ...text, background_color: "red" }), false);
    assert.equal(ok({ ...text, background_gradient: ["#FFF"] }), false);
    assert.equal(ok({ ...text, background_gradient: Array(6).fill("#FFF") }), false);
    assert.equal(ok({ ...text, background_color: "#FFF", background_gradient: ["#FFF", "#000"] }), false);
  });

  it("keeps frame duration within 1..15 s", () => {
    const base = { story_type: "image", media_id: "m" };
    assert.equal(ok({ ...base, duration: 0 }), false);
    assert.equal(ok({ ...base, duration: 16 }), false);
    assert.equal(ok({ ...base, duration: 15 }), true);
  });

  it("rejects unknown fields", () => {
    assert.equal(ok({ story_type: "image", media_id: "m", view_count: 1000 }), false);
  });

  it("poll stickers take 2 to 4 options", () => {
    const base = { story_type: "image", media_id: "m" };
    assert.equal(ok({ ...base, stickers: [poll(1)] }), false);
    assert.equal(ok({ ...base, stickers: [poll(2)] }), true);
    assert.equal(ok({ ...base, stickers: [poll(4)] }), true);
    assert.equal(ok({ ...base, stickers: [poll(5)] }), false);
  });

  it("a quiz has exactly one correct option, the one at correct_answer_index", () => {
    const quiz = (options: unknown[], correct: number) => ({
      story_type: "image",
      media_id: "m",
      stickers: [{ sticker_type: "quiz", ...at, quiz: { question: "Q", options, correct_answer_index: correct } }],
    });
    assert.equal(ok(quiz([{ text: "a" }, { text: "b" }], 1)), true);
    assert.equal(ok(quiz([{ text: "a" }, { text: "b" }], 2)), false, "index past the options");
    assert.equal(ok(quiz([{ text: "a", is_correct: true }, { text: "b", is_correct: true }], 0)), false, "two correct");
    assert.equal(ok(quiz([{ text: "a", is_correct: false }, { text: "b", is_correct: true }], 0)), false, "flags disagree");
    assert.equal(ok(quiz([{ text: "a", is_correct: false }, { text: "b", is_correct: true }], 1)), true);
  });

  it("sticker coordinates are fractions 0..1 and sizes are positive", () => {
    const base = { story_type: "image", media_id: "m" };
    const q = (pos: object) => ({ ...base, stickers: [{ sticker_type: "question", ...at, ...pos, question: { text: "?" } }] });
    assert.equal(ok(q({ x: 1.2 })), false);
    assert.equal(ok(q({ y: -0.1 })), false);
    assert.equal(ok(q({ width: 0 })), false);
    assert.equal(ok(q({ x: 0, y: 1 })), true);
  });

  it("slider needs one emoji and min below max within 0..100", () => {
    const s = (slider: object) => ({ story_type: "image", media_id: "m", stickers: [{ sticker_type: "slider", ...at, slider: { question: "?", ...slider } }] });
    assert.equal(ok(s({ emoji: "😍" })), true);
    assert.equal(ok(s({ emoji: "😍😍" })), false);
    assert.equal(ok(s({ emoji: "x" })), false);
    assert.equal(ok(s({ emoji: "😍", min_value: 50, max_value: 50 })), false);
    assert.equal(ok(s({ emoji: "😍", max_value: 101 })), false);
  });

  it("caps stickers at 10 per story", () => {
    const many = (n: number) => ({ story_type: "image", media_id: "m", stickers: Array(n).fill(poll(2)) });
    assert.equal(ok(many(10)), true);
    assert.equal(ok(many(11)), false);
  });

  it("link stickers need http(s), mention stickers a user id, location lat/lng together", () => {
    const st = (sticker: object) => ({ story_type: "image", media_id: "m", stickers: [{ ...at, ...sticker }] });
    assert.equal(ok(st({ sticker_type: "link", link: { url: "javascript:void(0)" } })), false);
    assert.equal(ok(st({ sticker_type: "link", link: { url: "https://shop.example/x" } })), true);
    assert.equal(ok(st({ sticker_type: "mention", mention: { user_id: "bob" } })), false);
    assert.equal(ok(st({ sticker_type: "mention", mention: { user_id: OTHER } })), true);
    assert.equal(ok(st({ sticker_type: "location", location: { name: "Paris", lat: 48.8 } })), false);
  });

  it("privacy custom needs a viewer list, and the list only goes with custom", () => {
    const base = { story_type: "image", media_id: "m" };
    assert.equal(ok({ ...base, privacy: "custom" }), false);
    assert.equal(ok({ ...base, privacy: "custom", custom_viewer_ids: [] }), false);
    assert.equal(ok({ ...base, privacy: "custom", custom_viewer_ids: [OTHER] }), true);
    assert.equal(ok({ ...base, privacy: "followers", custom_viewer_ids: [OTHER] }), false);
    assert.equal(ok({ ...base, privacy: "followers", hidden_from_ids: [OTHER] }), true);
    assert.equal(ok({ ...base, privacy: "custom", custom_viewer_ids: Array(501).fill(OTHER) }), false);
  });
});

describe("story schemas: viewer actions", () => {
  it("interact bodies: one shape per sticker kind, sticker_index required, extra fields refused", () => {
    assert.equal(interactBodySchema.safeParse({ sticker_index: 0, option_index: 1 }).success, true);
    assert.equal(interactBodySchema.safeParse({ sticker_index: 0, answer: "hello" }).success, true);
    assert.equal(interactBodySchema.safeParse({ sticker_index: 0, value: 73 }).success, true);
    assert.equal(interactBodySchema.safeParse({ sticker_index: 0 }).success, true);
    assert.equal(interactBodySchema.safeParse({ option_index: 1 }).success, false);
    assert.equal(interactBodySchema.safeParse({ sticker_index: -1 }).success, false);
    assert.equal(interactBodySchema.safeParse({ sticker_index: 0, value: 101 }).success, false);
    assert.equal(interactBodySchema.safeParse({ sticker_index: 0, option_index: 1, value: 3 }).success, false);
    assert.equal(interactBodySchema.safeParse({ sticker_index: 0, answer: "" }).success, false);
  });

  it("reactions take a single emoji and an optional message", () => {
    for (const e of ["❤️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "🔥", "#️⃣"]) assert.equal(isSingleEmoji(e), true, e);
    for (const e of ["", "a", "1", "❤️❤️", "love", "🔥 "]) assert.equal(isSingleEmoji(e), false, JSON.stringify(e));
    assert.equal(reactionBodySchema.safeParse({ emoji: "🔥", message: "wow" }).success, true);
    assert.equal(reactionBodySchema.safeParse({ emoji: "🔥", message: "x".repeat(501) }).success, false);
  });

  it("reply needs text; view body is empty; feed limit is 1..50 defaulting to 20", () => {
    assert.equal(replyBodySchema.safeParse({ text: " " }).success, false);
    assert.equal(replyBodySchema.safeParse({ text: "nice" }).success, true);
    assert.equal(viewBodySchema.safeParse({ x: 1 }).success, false);
    assert.equal(feedQuerySchema.parse({}).limit, 20);
    assert.equal(feedQuerySchema.parse({ limit: "50" }).limit, 50);
    assert.equal(feedQuerySchema.safeParse({ limit: "51" }).success, false);
  });
});
