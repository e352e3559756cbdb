import { h } from "../dom";

/**
 * A story's stickers as the `story` room shows them (state `stickers[i]`, README "Rooms → story").
 * Results fields (votes, percentages, averages) are present only once this viewer may see them —
 * after answering, or always for the author — so their presence is what switches a sticker from
 * "answer me" to live tallies.
 */
export interface StickerView {
  type: string;
  prompt: string;
  options?: { text: string; votes?: number; percentage?: number }[];
  emoji?: string;
  minValue?: number;
  maxValue?: number;
  endTime?: number;
  label?: string;
  totalVotes?: number;
  totalAnswers?: number;
  correctRate?: number;
  correctAnswerIndex?: number;
  responseCount?: number;
  average?: number;
  answerCount?: number;
  subscriberCount?: number;
}

/** What a viewer sends for a sticker: one of option, value, answer (none: countdown reminder). */
export type StickerAnswer = { optionIndex: number } | { value: number } | { answer: string } | Record<string, never>;

export interface StickerContext {
  index: number;
  isAuthor: boolean;
  /** the viewer's own answer, if any (from REST my_interaction or the room's reply) */
  mine?: { optionIndex?: number; value?: number };
  answer(index: number, body: StickerAnswer): void;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const hasResults = (s: StickerView) => s.totalVotes !== undefined || s.totalAnswers !== undefined || s.responseCount !== undefined;

function optionBars(s: StickerView, ctx: StickerContext, total: number | undefined): HTMLElement {
  const correct = s.type === "quiz" ? s.correctAnswerIndex : undefined;
  return h(
    "ol",
    { class: "options" },
    (s.options ?? []).map((o, i) => {
      const pct = o.percentage ?? 0;
      const mark = ctx.mine?.optionIndex === i ? " ✓ your answer" : "";
      const right = correct !== undefined && correct >= 0 && i === correct ? " (correct)" : "";
      return h(
        "li",
        { class: "result", "data-testid": `option-${ctx.index}-${i}` },
        h("span", { class: "bar", style: { width: `${pct}%` } }),
        h("span", { class: "label" }, `${o.text}${right}${mark}`),
        h("span", { class: "count" }, `${o.votes ?? 0} · ${pct}%`),
      );
    }),
    h("li", { class: "total", "data-testid": `total-${ctx.index}` }, plural(total ?? 0, s.type === "quiz" ? "answer" : "vote")),
  );
}

function optionButtons(s: StickerView, ctx: StickerContext): HTMLElement {
  return h(
    "div",
    { class: "choices" },
    (s.options ?? []).map((o, i) => h("button", { class: "choice", "data-testid": `answer-${ctx.index}-${i}`, onclick: () => ctx.answer(ctx.index, { optionIndex: i }) }, o.text)),
  );
}

function slider(s: StickerView, ctx: StickerContext): HTMLElement {
  if (hasResults(s)) {
    const avg = s.average === undefined || s.responseCount === 0 ? "no answers yet" : `average ${s.average}`;
    return h("p", { class: "result", "data-testid": `slider-result-${ctx.index}` }, `${s.emoji ?? ""} ${avg} · ${plural(s.responseCount ?? 0, "answer")}`, ctx.mine?.value !== undefined ? ` · you: ${ctx.mine.value}` : "");
  }
  const min = s.minValue ?? 0;
  const max = s.maxValue ?? 100;
  const input = h("input", { type: "range", min, max, value: Math.round((min + max) / 2), "data-testid": `slider-${ctx.index}` });
  const shown = h("output", {}, input.value);
  input.addEventListener("input", () => (shown.textContent = input.value));
  return h("div", { class: "slider" }, s.emoji ?? "", input, shown, h("button", { onclick: () => ctx.answer(ctx.index, { value: Number(input.value) }) }, "Send"));
}

function question(s: StickerView, ctx: StickerContext): HTMLElement {
  if (ctx.isAuthor) return h("p", { class: "result" }, `${s.answerCount ?? 0} answers (see replies on REST)`);
  const input = h("input", { maxLength: 500, placeholder: "Your answer" });
  return h("form", { class: "question", onsubmit: (e: Event) => (e.preventDefault(), input.value.trim() && ctx.answer(ctx.index, { answer: input.value.trim() })) }, input, h("button", {}, "Send"));
}

function countdown(s: StickerView, ctx: StickerContext): HTMLElement {
  const when = s.endTime ? new Date(s.endTime).toLocaleString() : "";
  if (ctx.isAuthor) return h("p", { class: "result" }, `ends ${when} · ${s.subscriberCount ?? 0} reminders`);
  return h("p", {}, `ends ${when} `, h("button", { onclick: () => ctx.answer(ctx.index, {}) }, "Remind me"));
}

export function renderSticker(s: StickerView, ctx: StickerContext): HTMLElement {
  const body = (() => {
    switch (s.type) {
      case "poll":
        return hasResults(s) ? optionBars(s, ctx, s.totalVotes) : optionButtons(s, ctx);
      case "quiz":
        return hasResults(s) ? optionBars(s, ctx, s.totalAnswers) : optionButtons(s, ctx);
      case "slider":
        return slider(s, ctx);
      case "question":
        return question(s, ctx);
      case "countdown":
        return countdown(s, ctx);
      default:
        return h("p", { class: "label" }, s.label);
    }
  })();
  return h("section", { class: `sticker ${s.type}`, "data-testid": `sticker-${ctx.index}` }, h("h4", {}, s.prompt || s.type), body);
}
