import type { DialogueLine, Effects } from "./content.types";

/**
 * One engine interface for both content formats. Engines are pure: a cursor (plain, persistable
 * data) goes in, a presentation or a new cursor comes out; no I/O, no clock, no randomness beyond
 * what the cursor carries. The playthrough service persists cursors and moves money; engines only
 * decide what the content says.
 */

/** What a player has accumulated: the part of progress content can read and change. */
export interface Stats {
  relationships: Record<string, number>;
  flags: Record<string, boolean>;
  outfits: string[];
}

export interface Cursor {
  sceneId: string;
  /** Index of the current line in the scene's timeline. */
  line: number;
  /** Choices made in this run: part of every choice's idempotency key. */
  step: number;
  ended: boolean;
  stats: Stats;
  /** Ink only: the story state (inkjs `state.ToJson()`) at the current choice point, and the scene it output. */
  ink?: { state: string; background: string; music: string; lines: DialogueLine[] };
}

export interface OptionView {
  id: string;
  text: string;
  /** Diamonds; 0 for a free option. */
  cost: number;
}

export interface SceneView {
  sceneId: string;
  background: string;
  music: string;
  timeline: DialogueLine[];
  line: number;
  /** timeline[line], or null for a scene without lines. */
  current: DialogueLine | null;
  prompt: string;
  /** Only the options whose conditions pass; gated ones are not revealed. */
  options: OptionView[];
  ended: boolean;
}

export interface Transition {
  cursor: Cursor;
  /** What changed in the stats (relationship deltas, flags set, outfits unlocked). */
  effects: Effects;
}

export interface ChoiceTransition extends Transition {
  optionId: string;
  cost: number;
  /** The scene the choice was made in (after walking linear scenes to `sceneId`, if given). */
  fromSceneId: string;
}

export interface ChapterEngine {
  begin(stats: Stats): Cursor;
  view(cursor: Cursor): SceneView;
  /** Next line; past the last line of a linear scene, the next scene; past a chapter end's last line, ended. */
  advance(cursor: Cursor): Transition;
  /**
   * Apply an option of the current scene's choice. With `sceneId`, a player who read ahead on the
   * client (REST) may name a scene reached from the current one through linear scenes only.
   * Throws `choice_not_available` when there is no such available option.
   */
  choose(cursor: Cursor, optionId: string, sceneId?: string): ChoiceTransition;
}

export function emptyStats(): Stats {
  return { relationships: {}, flags: {}, outfits: [] };
}

/** Apply effects to stats (pure). Outfits are a set: unlocking one twice keeps one. */
export function applyEffects(stats: Stats, effects: Effects): Stats {
  const relationships = { ...stats.relationships };
  for (const [who, delta] of Object.entries(effects.relationships ?? {})) relationships[who] = (relationships[who] ?? 0) + delta;
  const outfits = [...stats.outfits];
  for (const o of effects.outfits ?? []) if (!outfits.includes(o)) outfits.push(o);
  return { relationships, flags: { ...stats.flags, ...(effects.flags ?? {}) }, outfits };
}

/** The effects that take `before` to `after` (for engines that compute absolute values, like Ink). */
export function effectsBetween(before: Stats, after: Stats): Effects {
  const effects: Effects = {};
  const relationships: Record<string, number> = {};
  for (const [who, v] of Object.entries(after.relationships)) if (v !== (before.relationships[who] ?? 0)) relationships[who] = v - (before.relationships[who] ?? 0);
  const flags: Record<string, boolean> = {};
  for (const [f, v] of Object.entries(after.flags)) if (v !== before.flags[f]) flags[f] = v;
  const outfits = after.outfits.filter((o) => !before.outfits.includes(o));
  if (Object.keys(relationships).length) effects.relationships = relationships;
  if (Object.keys(flags).length) effects.flags = flags;
  if (outfits.length) effects.outfits = outfits;
  return effects;
}
