import type { DialogueLine, Effects } from "./content.types";
import { effectsBetween, type ChapterEngine, type ChoiceTransition, type Cursor, type SceneView, type Stats, type Transition } from "./engine";
import { choiceNotAvailable } from "./native.engine";
import { fictionErrors } from "./fiction.errors";

// inkjs ships CommonJS with its own typings; the runtime class is all the engine needs
const { Story } = require("inkjs") as typeof import("inkjs");
type InkStory = InstanceType<typeof Story>;

/**
 * Ink conventions (README "Fiction"):
 * - a scene is what the story outputs from one choice point to the next (or to the end);
 * - `VAR rel_<name> = 0` is the relationship score with <name>; `VAR flag_<name> = false` a flag.
 *   They start from the player's scores and flags and are read back after every step;
 * - a line `Name: text` is spoken by Name; line tags `#expr:<expression>`, `#bg:<url>`,
 *   `#music:<url>`, `#scene:<id>` (the scene id; else the knot of the choice point);
 * - choice tags (inside the brackets): `#id:<option id>` (else `choice-<index>`), `#cost:<diamonds>`
 *   makes it premium, `#outfit:<id>` unlocks an outfit.
 *
 * The cursor holds the Ink state at the current choice point and the scene's lines, so a saved
 * cursor resumes in any process. A save belongs to one content version (choices are positional).
 */
export const REL_PREFIX = "rel_";
export const FLAG_PREFIX = "flag_";

export interface InkChoice {
  index: number;
  id: string;
  text: string;
  cost: number;
  outfits: string[];
  /** Where the choice is in the compiled story (its knot names the scene). */
  sourcePath: string;
}

export interface InkSegment {
  sceneId: string;
  lines: DialogueLine[];
  background: string;
  music: string;
  choices: InkChoice[];
}

/** `#key:value` → value for key, trimmed. */
function tagValue(tags: readonly string[], key: string): string | undefined {
  for (const t of tags) {
    const m = /^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$/.exec(t);
    if (m && m[1] === key) return m[2];
  }
  return undefined;
}

function tagValues(tags: readonly string[], key: string): string[] {
  return tags.flatMap((t) => {
    const v = tagValue([t], key);
    return v === undefined ? [] : [v];
  });
}

/** A choice's `#cost:` in diamonds; 0 without the tag, NaN when it is not a positive integer (the validator reports it). */
export function costTag(tags: readonly string[]): number {
  const raw = tagValue(tags, "cost");
  if (raw === undefined) return 0;
  return /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : NaN;
}

export function inkChoices(story: InkStory): InkChoice[] {
  return story.currentChoices.map((c) => {
    const tags = c.tags ?? []; // null after LoadJson for a tagless choice
    return {
      index: c.index,
      id: tagValue(tags, "id") ?? `choice-${c.index}`,
      text: c.text,
      cost: costTag(tags),
      outfits: tagValues(tags, "outfit"),
      sourcePath: c.sourcePath ?? "",
    };
  });
}

function dialogueOf(raw: string, tags: readonly string[]): DialogueLine | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const m = /^([A-Za-z][\w .'-]{0,63}):\s+(.+)$/.exec(text);
  const expression = tagValue(tags, "expr");
  return {
    type: "dialogue",
    ...(m ? { character: m[1], text: m[2]! } : { text }),
    ...(expression ? { expression } : {}),
  };
}

export class InkEngine implements ChapterEngine {
  private readonly story: InkStory;
  private errors: string[] = [];

  constructor(json: string) {
    this.story = new Story(json.replace(/^\uFEFF/, ""));
    this.story.onError = (message: string) => {
      this.errors.push(message);
    };
  }

  /** Global variable names of the story (for the validator and the stats mapping). */
  variableNames(): string[] {
    return [...(this.story.variablesState as unknown as { _globalVariables: Map<string, unknown> })._globalVariables.keys()];
  }

  private writeStats(stats: Stats): void {
    for (const name of this.variableNames()) {
      if (name.startsWith(REL_PREFIX) && stats.relationships[name.slice(REL_PREFIX.length)] !== undefined) {
        this.story.variablesState[name] = stats.relationships[name.slice(REL_PREFIX.length)];
      } else if (name.startsWith(FLAG_PREFIX) && stats.flags[name.slice(FLAG_PREFIX.length)] !== undefined) {
        this.story.variablesState[name] = stats.flags[name.slice(FLAG_PREFIX.length)];
      }
    }
  }

  private readStats(previous: Stats, unlocked: string[]): Stats {
    const relationships = { ...previous.relationships };
    const flags = { ...previous.flags };
    for (const name of this.variableNames()) {
      const value = this.story.variablesState[name];
      // a declared default (0, false) the player never had is not a score or a flag they hold
      if (name.startsWith(REL_PREFIX) && typeof value === "number") {
        const who = name.slice(REL_PREFIX.length);
        if (value !== 0 || who in relationships) relationships[who] = Math.trunc(value);
      } else if (name.startsWith(FLAG_PREFIX)) {
        const flag = name.slice(FLAG_PREFIX.length);
        if (value || flag in flags) flags[flag] = Boolean(value);
      }
    }
    const outfits = [...previous.outfits];
    for (const o of unlocked) if (!outfits.includes(o)) outfits.push(o);
    return { relationships, flags, outfits };
  }

  /** Continue to the next choice point or the end, collecting the scene. */
  private runSegment(carry: { background: string; music: string }): InkSegment {
    this.errors = [];
    const lines: DialogueLine[] = [];
    let background = carry.background;
    let music = carry.music;
    let sceneTag: string | undefined;
    while (this.story.canContinue) {
      const raw = this.story.Continue() ?? "";
      const tags = this.story.currentTags ?? [];
      background = tagValue(tags, "bg") ?? background;
      music = tagValue(tags, "music") ?? music;
      sceneTag ??= tagValue(tags, "scene");
      const line = dialogueOf(raw, tags);
      if (line) lines.push(line);
    }
    if (this.errors.length > 0) throw fictionErrors.inkRuntimeError(this.errors);
    const choices = inkChoices(this.story);
    const knot = choices[0]?.sourcePath.split(".")[0];
    return { sceneId: sceneTag ?? knot ?? "end", lines, background, music, choices };
  }

  private cursorAt(segment: InkSegment, base: Omit<Cursor, "sceneId" | "line" | "ink">): Cursor {
    const ended = segment.choices.length === 0 && segment.lines.length === 0;
    return {
      ...base,
      ended: base.ended || ended,
      sceneId: segment.sceneId,
      line: 0,
      ink: { state: this.story.state.ToJson(), background: segment.background, music: segment.music, lines: segment.lines },
    };
  }

  private load(cursor: Cursor): { lines: DialogueLine[] } {
    if (!cursor.ink) throw fictionErrors.inkStateMissing();
    this.story.state.LoadJson(cursor.ink.state);
    return { lines: cursor.ink.lines };
  }

  begin(stats: Stats): Cursor {
    this.story.ResetState();
    this.writeStats(stats);
    const segment = this.runSegment({ background: "", music: "" });
    return this.cursorAt(segment, { step: 0, ended: false, stats: this.readStats(stats, []) });
  }

  view(cursor: Cursor): SceneView {
    const { lines } = this.load(cursor);
    const choices = cursor.ended ? [] : inkChoices(this.story);
    return {
      sceneId: cursor.sceneId,
      background: cursor.ink!.background,
      music: cursor.ink!.music,
      timeline: lines,
      line: cursor.line,
      current: lines[cursor.line] ?? null,
      prompt: "",
      options: choices.map((c) => ({ id: c.id, text: c.text, cost: c.cost })),
      ended: cursor.ended,
    };
  }

  advance(cursor: Cursor): Transition {
    if (cursor.ended) return { cursor, effects: {} };
    const { lines } = this.load(cursor);
    if (cursor.line < lines.length - 1) return { cursor: { ...cursor, line: cursor.line + 1 }, effects: {} };
    if (this.story.currentChoices.length > 0) return { cursor, effects: {} };
    return { cursor: { ...cursor, ended: true }, effects: {} };
  }

  choose(cursor: Cursor, optionId: string, sceneId?: string): ChoiceTransition {
    if (cursor.ended || (sceneId !== undefined && sceneId !== cursor.sceneId)) throw choiceNotAvailable(optionId);
    this.load(cursor);
    const choice = inkChoices(this.story).find((c) => c.id === optionId);
    if (!choice) throw choiceNotAvailable(optionId);
    this.writeStats(cursor.stats);
    this.story.ChooseChoiceIndex(choice.index);
    const segment = this.runSegment({ background: cursor.ink!.background, music: cursor.ink!.music });
    const stats = this.readStats(cursor.stats, choice.outfits);
    const effects: Effects = effectsBetween(cursor.stats, stats);
    return {
      cursor: this.cursorAt(segment, { step: cursor.step + 1, ended: false, stats }),
      effects,
      optionId,
      cost: choice.cost,
      fromSceneId: cursor.sceneId,
    };
  }
}
