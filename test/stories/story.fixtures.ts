import { createStoryBodySchema, type CreateStoryBodyInput } from "../../src/stories/story.schemas";
import { buildNewStory } from "../../src/stories/story.rules";
import type { StoryDoc } from "../../src/stories/story.types";

export const AUTHOR = "a".repeat(24);
export const VIEWER = "b".repeat(24);
export const OTHER = "c".repeat(24);
export const NOW = new Date("2025-06-01T12:00:00.000Z");
export const HOUR = 3600 * 1000;

export const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };

/** A story built through the real schema and rules, with every interactive sticker. */
export function storyWithStickers(now: Date = NOW): StoryDoc & { _id: string } {
  const body: CreateStoryBodyInput = {
    story_type: "image",
    media_id: "media-1",
    privacy: "public",
    stickers: [
      { sticker_type: "poll", ...at, poll: { question: "Best?", options: [{ text: "A" }, { text: "B" }, { text: "C" }] } },
      {
        sticker_type: "quiz",
        ...at,
        quiz: { question: "Capital of France?", options: [{ text: "London" }, { text: "Paris" }, { text: "Berlin" }], correct_answer_index: 1 },
      },
      { sticker_type: "question", ...at, question: { text: "Ask me anything" } },
      { sticker_type: "slider", ...at, slider: { question: "Love it?", emoji: "😍" } },
      { sticker_type: "countdown", ...at, countdown: { title: "Launch", end_time: new Date(now.getTime() + 2 * HOUR).toISOString() } },
      { sticker_type: "mention", ...at, mention: { user_id: OTHER } },
    ],
  };
  return { ...buildNewStory(createStoryBodySchema.parse(body), AUTHOR, now), _id: "s".repeat(24) };
}
