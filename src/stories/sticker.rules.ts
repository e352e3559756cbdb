import { ConflictError, ForbiddenError, GoneError, NotFoundError, ValidationError } from "../shared/errors";
import type { InteractBody } from "./story.schemas";
import { storyErrors } from "./story.errors";
import { assertStoryActive } from "./story.rules";
import type { InteractiveStickerType, StickerDoc, StoryDoc } from "./story.types";
import { isInteractiveStickerType } from "./story.types";

/**
 * Sticker interactions: validate an interact body against the sticker it targets, normalise it into
 * an interaction record, and say which counters it moves.
 *
 * Counting model (exact under concurrency):
 *   1. the repository inserts the record into an interactions collection with a unique index on
 *      (story_id, sticker_index, user_id) — the second attempt by the same user fails there, so
 *      "one vote per user" holds even for simultaneous requests;
 *   2. only when that insert succeeds does it apply `tallyIncrements(interaction)` to the story
 *      with one `$inc` — atomic per document, so 200 concurrent votes give exactly 200.
 * A retried request (duplicate key) is answered with `repeatInteraction(previous, next)`.
 */

/** The normalised record stored per (story, sticker, user); what the voter sent, plus what we derived. */
export type StickerInteraction =
  | { sticker_index: number; sticker_type: "poll"; option_index: number }
  | { sticker_index: number; sticker_type: "quiz"; option_index: number; is_correct: boolean }
  | { sticker_index: number; sticker_type: "question"; answer: string }
  | { sticker_index: number; sticker_type: "slider"; value: number }
  | { sticker_index: number; sticker_type: "countdown" };

/** What each body shape can answer; used for the type-mismatch message. */
function bodyKind(body: InteractBody): "option" | "answer" | "value" | "subscribe" {
  if ("option_index" in body) return "option";
  if ("answer" in body) return "answer";
  if ("value" in body) return "value";
  return "subscribe";
}

const EXPECTED_BODY: Record<InteractiveStickerType, string> = {
  poll: "{sticker_index, option_index}",
  quiz: "{sticker_index, option_index}",
  question: "{sticker_index, answer}",
  slider: "{sticker_index, value}",
  countdown: "{sticker_index}",
};

function mismatch(sticker: StickerDoc, index: number): ValidationError {
  const type = sticker.sticker_type as InteractiveStickerType;
  return storyErrors.stickerTypeMismatch(`Sticker ${index} is a ${type} sticker; send ${EXPECTED_BODY[type]}.`, { sticker_index: index, sticker_type: type });
}

function optionNotFound(index: number, option: number, count: number): ValidationError {
  return storyErrors.optionNotFound(index, count, option, {
    sticker_index: index,
    option_index: option,
    option_count: count,
  });
}

/**
 * Check an interact body against the story and return the normalised record. Throws, in order:
 * NotFoundError `story_not_found` (deleted), GoneError `story_expired`, ForbiddenError
 * `own_story_interaction` (authors read results, they do not vote), NotFoundError
 * `sticker_not_found` (index out of range), ValidationError `sticker_not_interactive` (mention,
 * location, link, music), `sticker_type_mismatch`, `option_not_found`, `slider_value_out_of_range`,
 * GoneError `countdown_ended` (subscribing to a reminder for a past event).
 * For a quiz, `is_correct` is computed here: the voter learns right/wrong from it.
 */
export function validateInteraction(
  story: Pick<StoryDoc, "user_id" | "is_deleted" | "expires_at" | "stickers">,
  body: InteractBody,
  now: Date,
  actorId: string,
): StickerInteraction {
  assertStoryActive(story, now);
  if (story.user_id === actorId) {
    throw storyErrors.ownStoryInteraction();
  }
  const index = body.sticker_index;
  const sticker = story.stickers[index];
  if (sticker === undefined) {
    throw storyErrors.stickerNotFound({ sticker_index: index, sticker_count: story.stickers.length });
  }
  if (!isInteractiveStickerType(sticker.sticker_type)) {
    throw storyErrors.stickerNotInteractive({ sticker_index: index, sticker_type: sticker.sticker_type });
  }
  const kind = bodyKind(body);
  switch (sticker.sticker_type) {
    case "poll": {
      if (kind !== "option" || !("option_index" in body)) throw mismatch(sticker, index);
      const count = sticker.poll.options.length;
      if (body.option_index >= count) throw optionNotFound(index, body.option_index, count);
      return { sticker_index: index, sticker_type: "poll", option_index: body.option_index };
    }
    case "quiz": {
      if (kind !== "option" || !("option_index" in body)) throw mismatch(sticker, index);
      const count = sticker.quiz.options.length;
      if (body.option_index >= count) throw optionNotFound(index, body.option_index, count);
      return {
        sticker_index: index,
        sticker_type: "quiz",
        option_index: body.option_index,
        is_correct: body.option_index === sticker.quiz.correct_answer_index,
      };
    }
    case "question": {
      if (kind !== "answer" || !("answer" in body)) throw mismatch(sticker, index);
      return { sticker_index: index, sticker_type: "question", answer: body.answer };
    }
    case "slider": {
      if (kind !== "value" || !("value" in body)) throw mismatch(sticker, index);
      const { min_value, max_value } = sticker.slider;
      if (!Number.isInteger(body.value) || body.value < min_value || body.value > max_value) {
        throw storyErrors.sliderValueOutOfRange(min_value, max_value, { sticker_index: index, min_value, max_value });
      }
      return { sticker_index: index, sticker_type: "slider", value: body.value };
    }
    case "countdown": {
      if (kind !== "subscribe") throw mismatch(sticker, index);
      if (now.getTime() >= sticker.countdown.end_time.getTime()) {
        throw storyErrors.countdownEnded({ sticker_index: index });
      }
      return { sticker_index: index, sticker_type: "countdown" };
    }
    default:
      throw storyErrors.stickerNotInteractive({ sticker_index: index });
  }
}

function sameInteraction(a: StickerInteraction, b: StickerInteraction): boolean {
  if (a.sticker_index !== b.sticker_index || a.sticker_type !== b.sticker_type) return false;
  switch (a.sticker_type) {
    case "poll":
    case "quiz":
      return a.option_index === (b as typeof a).option_index;
    case "question":
      return a.answer === (b as typeof a).answer;
    case "slider":
      return a.value === (b as typeof a).value;
    case "countdown":
      return true;
  }
}

/**
 * A user answers a sticker once. Sending the same answer again is a harmless retry: it returns the
 * first record (counts unchanged, a quiz voter sees the same right/wrong). A different answer is
 * refused with ConflictError `sticker_already_answered` — no changing a vote, no second quiz attempt.
 */
export function repeatInteraction(
  previous: StickerInteraction,
  next: StickerInteraction,
): { duplicate: true; interaction: StickerInteraction } {
  if (!sameInteraction(previous, next)) {
    throw storyErrors.stickerAlreadyAnswered({
      sticker_index: previous.sticker_index,
      your_interaction: previous,
    });
  }
  return { duplicate: true, interaction: previous };
}

/**
 * The `$inc` document for one recorded interaction, on the story document. Paths:
 *   poll      stickers.<i>.poll.options.<k>.votes, stickers.<i>.poll.total_votes
 *   quiz      stickers.<i>.quiz.options.<k>.votes, stickers.<i>.quiz.total_answers,
 *             stickers.<i>.quiz.correct_answers (only when correct)
 *   question  stickers.<i>.question.answer_count
 *   slider    stickers.<i>.slider.response_count, stickers.<i>.slider.value_sum (+value)
 *   countdown stickers.<i>.countdown.subscriber_count
 * and always `interaction_count` (the story's total sticker interactions, used by insights).
 */
export function tallyIncrements(interaction: StickerInteraction): Record<string, number> {
  const base = `stickers.${interaction.sticker_index}`;
  switch (interaction.sticker_type) {
    case "poll":
      return {
        [`${base}.poll.options.${interaction.option_index}.votes`]: 1,
        [`${base}.poll.total_votes`]: 1,
        interaction_count: 1,
      };
    case "quiz":
      return {
        [`${base}.quiz.options.${interaction.option_index}.votes`]: 1,
        [`${base}.quiz.total_answers`]: 1,
        ...(interaction.is_correct ? { [`${base}.quiz.correct_answers`]: 1 } : {}),
        interaction_count: 1,
      };
    case "question":
      return { [`${base}.question.answer_count`]: 1, interaction_count: 1 };
    case "slider":
      return {
        [`${base}.slider.response_count`]: 1,
        [`${base}.slider.value_sum`]: interaction.value,
        interaction_count: 1,
      };
    case "countdown":
      return { [`${base}.countdown.subscriber_count`]: 1, interaction_count: 1 };
  }
}

/**
 * The sticker after one interaction — the in-memory mirror of `tallyIncrements`; the counter
 * repair (story.maintenance.ts) recounts tallies with it. Does not mutate its input.
 */
export function applyInteractionToTallies(sticker: StickerDoc, interaction: StickerInteraction): StickerDoc {
  if (sticker.sticker_type !== interaction.sticker_type) {
    throw storyErrors.stickerTypeMismatch("The interaction does not match this sticker.");
  }
  switch (interaction.sticker_type) {
    case "poll": {
      const s = sticker as Extract<StickerDoc, { sticker_type: "poll" }>;
      return {
        ...s,
        poll: {
          ...s.poll,
          options: s.poll.options.map((o, k) => (k === interaction.option_index ? { ...o, votes: o.votes + 1 } : o)),
          total_votes: s.poll.total_votes + 1,
        },
      };
    }
    case "quiz": {
      const s = sticker as Extract<StickerDoc, { sticker_type: "quiz" }>;
      return {
        ...s,
        quiz: {
          ...s.quiz,
          options: s.quiz.options.map((o, k) => (k === interaction.option_index ? { ...o, votes: o.votes + 1 } : o)),
          total_answers: s.quiz.total_answers + 1,
          correct_answers: s.quiz.correct_answers + (interaction.is_correct ? 1 : 0),
        },
      };
    }
    case "question": {
      const s = sticker as Extract<StickerDoc, { sticker_type: "question" }>;
      return { ...s, question: { ...s.question, answer_count: s.question.answer_count + 1 } };
    }
    case "slider": {
      const s = sticker as Extract<StickerDoc, { sticker_type: "slider" }>;
      return {
        ...s,
        slider: { ...s.slider, response_count: s.slider.response_count + 1, value_sum: s.slider.value_sum + interaction.value },
      };
    }
    case "countdown": {
      const s = sticker as Extract<StickerDoc, { sticker_type: "countdown" }>;
      return { ...s, countdown: { ...s.countdown, subscriber_count: s.countdown.subscriber_count + 1 } };
    }
  }
}

/** The stickers with every tally at zero: the start of a recount from the answer records. */
export function withZeroTallies(stickers: readonly StickerDoc[]): StickerDoc[] {
  return stickers.map((s) => {
    switch (s.sticker_type) {
      case "poll":
        return { ...s, poll: { ...s.poll, options: s.poll.options.map((o) => ({ ...o, votes: 0 })), total_votes: 0 } };
      case "quiz":
        return { ...s, quiz: { ...s.quiz, options: s.quiz.options.map((o) => ({ ...o, votes: 0 })), total_answers: 0, correct_answers: 0 } };
      case "question":
        return { ...s, question: { ...s.question, answer_count: 0 } };
      case "slider":
        return { ...s, slider: { ...s.slider, response_count: 0, value_sum: 0 } };
      case "countdown":
        return { ...s, countdown: { ...s.countdown, subscriber_count: 0 } };
      default:
        return s;
    }
  });
}

/** The story after one interaction (sticker tallies + `interaction_count`), without mutating it. */
export function applyInteractionToStory<T extends Pick<StoryDoc, "stickers" | "interaction_count">>(
  story: T,
  interaction: StickerInteraction,
): T {
  return {
    ...story,
    stickers: story.stickers.map((s, i) => (i === interaction.sticker_index ? applyInteractionToTallies(s, interaction) : s)),
    interaction_count: story.interaction_count + 1,
  };
}
