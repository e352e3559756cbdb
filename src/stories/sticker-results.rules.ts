import type { StickerInteraction } from "./sticker.rules";
import { isInteractiveStickerType, type StickerDoc } from "./story.types";

/**
 * Sticker results and how each caller sees a sticker: the tallies as figures (percentages that
 * sum to 100, one-decimal rates), and the visibility rule — the author always sees results, a
 * viewer only after answering (question and countdown counts stay the author's).
 */

/**
 * Integer percentages that sum to exactly 100 (largest remainder / Hamilton method; ties go to the
 * earlier option so the result is deterministic). All zeros when nobody voted.
 */
export function percentagesOf(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return counts.map(() => 0);
  const exact = counts.map((c) => (c * 100) / total);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - floors[i]! })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left === 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors;
}

/** One decimal place, the precision every figure on the story screens uses. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export type StickerResults =
  | { sticker_type: "poll"; total_votes: number; options: { text: string; votes: number; percentage: number }[] }
  | {
      sticker_type: "quiz";
      total_answers: number;
      correct_answers: number;
      /** % of answers that were right, one decimal; 0 with no answers. */
      correct_rate: number;
      correct_answer_index: number;
      options: { text: string; votes: number; percentage: number; is_correct: boolean }[];
    }
  | { sticker_type: "question"; answer_count: number }
  | { sticker_type: "slider"; response_count: number; /** null until someone answers */ average: number | null }
  | { sticker_type: "countdown"; subscriber_count: number; end_time: Date }
  | { sticker_type: "mention" | "location" | "link" | "music"; interactive: false };

/** Derived, display-ready results of one sticker from its stored tallies. */
export function stickerResults(sticker: StickerDoc): StickerResults {
  switch (sticker.sticker_type) {
    case "poll": {
      const pct = percentagesOf(sticker.poll.options.map((o) => o.votes));
      return {
        sticker_type: "poll",
        total_votes: sticker.poll.total_votes,
        options: sticker.poll.options.map((o, k) => ({ text: o.text, votes: o.votes, percentage: pct[k]! })),
      };
    }
    case "quiz": {
      const q = sticker.quiz;
      const pct = percentagesOf(q.options.map((o) => o.votes));
      return {
        sticker_type: "quiz",
        total_answers: q.total_answers,
        correct_answers: q.correct_answers,
        correct_rate: q.total_answers === 0 ? 0 : round1((q.correct_answers * 100) / q.total_answers),
        correct_answer_index: q.correct_answer_index,
        options: q.options.map((o, k) => ({ text: o.text, votes: o.votes, percentage: pct[k]!, is_correct: o.is_correct })),
      };
    }
    case "question":
      return { sticker_type: "question", answer_count: sticker.question.answer_count };
    case "slider":
      return {
        sticker_type: "slider",
        response_count: sticker.slider.response_count,
        average: sticker.slider.response_count === 0 ? null : round1(sticker.slider.value_sum / sticker.slider.response_count),
      };
    case "countdown":
      return { sticker_type: "countdown", subscriber_count: sticker.countdown.subscriber_count, end_time: sticker.countdown.end_time };
    default:
      return { sticker_type: sticker.sticker_type, interactive: false };
  }
}

/** How many interactions a sticker has received, from its tallies (0 for decorative stickers). */
export function stickerInteractionCount(sticker: StickerDoc): number {
  switch (sticker.sticker_type) {
    case "poll":
      return sticker.poll.total_votes;
    case "quiz":
      return sticker.quiz.total_answers;
    case "question":
      return sticker.question.answer_count;
    case "slider":
      return sticker.slider.response_count;
    case "countdown":
      return sticker.countdown.subscriber_count;
    default:
      return 0;
  }
}

/** Insights key for a sticker, as the original service named it: `sticker_0_poll`. */
export function stickerInteractionKey(index: number, type: StickerDoc["sticker_type"]): string {
  return `sticker_${index}_${type}`;
}

/** `{ "sticker_0_poll": 156, "sticker_1_quiz": 78 }` for the interactive stickers of a story. */
export function stickerInteractionCounts(stickers: readonly StickerDoc[]): Record<string, number> {
  const out: Record<string, number> = {};
  stickers.forEach((s, i) => {
    if (isInteractiveStickerType(s.sticker_type)) out[stickerInteractionKey(i, s.sticker_type)] = stickerInteractionCount(s);
  });
  return out;
}

/**
 * A sticker as sent to one viewer. The tallies are the author's to see; a viewer sees poll,
 * quiz and slider results only after answering (as on Instagram), and never the quiz's correct
 * answer before answering — otherwise the quiz answers itself. Question and countdown counts are
 * not shown to viewers.
 */
export type ViewerSticker = Record<string, unknown> & {
  sticker_type: StickerDoc["sticker_type"];
  my_interaction: StickerInteraction | null;
  results: StickerResults | null;
};

export function presentStickerForViewer(
  sticker: StickerDoc,
  myInteraction: StickerInteraction | null,
  isAuthor: boolean,
): ViewerSticker {
  const { x, y, width, height, rotation } = sticker;
  const at = { x, y, width, height, rotation };
  const answered = myInteraction !== null;
  const results = isAuthor || answered ? stickerResults(sticker) : null;
  // the seed's inline tallies (`poll.options[j].votes`, `poll.total_votes`, …) are `results`
  // repeated in place, for exactly the callers who may see results; absent otherwise
  switch (sticker.sticker_type) {
    case "poll":
      return {
        sticker_type: "poll",
        ...at,
        poll:
          results?.sticker_type === "poll"
            ? { question: sticker.poll.question, options: results.options, total_votes: results.total_votes }
            : { question: sticker.poll.question, options: sticker.poll.options.map((o) => ({ text: o.text })) },
        my_interaction: myInteraction,
        results,
      };
    case "quiz":
      return {
        sticker_type: "quiz",
        ...at,
        quiz:
          results?.sticker_type === "quiz"
            ? {
                question: sticker.quiz.question,
                options: results.options,
                correct_answer_index: results.correct_answer_index,
                total_answers: results.total_answers,
                correct_answers: results.correct_answers,
                correct_rate: results.correct_rate,
              }
            : { question: sticker.quiz.question, options: sticker.quiz.options.map((o) => ({ text: o.text })) },
        my_interaction: myInteraction,
        results,
      };
    case "question":
      return { sticker_type: "question", ...at, question: { text: sticker.question.text }, my_interaction: myInteraction, results: isAuthor ? results : null };
    case "slider": {
      const { question, emoji, min_value, max_value } = sticker.slider;
      const tallies = results?.sticker_type === "slider" ? { response_count: results.response_count, average: results.average } : {};
      return { sticker_type: "slider", ...at, slider: { question, emoji, min_value, max_value, ...tallies }, my_interaction: myInteraction, results };
    }
    case "countdown":
      return {
        sticker_type: "countdown",
        ...at,
        countdown: { title: sticker.countdown.title, end_time: sticker.countdown.end_time },
        my_interaction: myInteraction,
        results: isAuthor ? results : null,
      };
    default:
      return { ...sticker, my_interaction: null, results: null };
  }
}
