import type { ChoiceOption, Conditions, NativeChapter, Scene } from "./content.types";
import { applyEffects, type ChapterEngine, type ChoiceTransition, type Cursor, type SceneView, type Stats, type Transition } from "./engine";
import { DomainError } from "../shared/errors";
import { fictionErrors } from "./fiction.errors";

/** How many linear scenes a REST client may have read ahead of the server before choosing. */
const MAX_LINEAR_WALK = 100;

export function conditionsHold(conditions: Conditions | undefined, stats: Stats): boolean {
  if (!conditions) return true;
  for (const [flag, want] of Object.entries(conditions.flags ?? {})) if ((stats.flags[flag] ?? false) !== want) return false;
  for (const [who, min] of Object.entries(conditions.min_relationship ?? {})) if ((stats.relationships[who] ?? 0) < min) return false;
  return true;
}

export function choiceNotAvailable(optionId: string): DomainError {
  return fictionErrors.choiceNotAvailable(`The option "${optionId}" is not available here.`);
}

/** The native StoryContent format (content.types.ts) walked as data. */
export class NativeEngine implements ChapterEngine {
  constructor(private readonly chapter: NativeChapter) {}

  private scene(id: string): Scene {
    const scene = this.chapter.scenes[id];
    // imported content is validated, so this is a cursor from an older content version
    if (!scene) throw fictionErrors.sceneNotFound(id);
    return scene;
  }

  begin(stats: Stats): Cursor {
    return { sceneId: this.chapter.startSceneId, line: 0, step: 0, ended: false, stats };
  }

  view(cursor: Cursor): SceneView {
    const scene = this.scene(cursor.sceneId);
    const options = cursor.ended ? [] : (scene.choice?.options ?? []).filter((o) => conditionsHold(o.conditions, cursor.stats));
    return {
      sceneId: cursor.sceneId,
      background: scene.background ?? "",
      music: scene.music ?? "",
      timeline: scene.timeline,
      line: cursor.line,
      current: scene.timeline[cursor.line] ?? null,
      prompt: scene.choice?.prompt ?? "",
      options: options.map((o) => ({ id: o.id, text: o.text, cost: o.cost ?? 0 })),
      ended: cursor.ended,
    };
  }

  advance(cursor: Cursor): Transition {
    if (cursor.ended) return { cursor, effects: {} };
    const scene = this.scene(cursor.sceneId);
    if (cursor.line < scene.timeline.length - 1) return { cursor: { ...cursor, line: cursor.line + 1 }, effects: {} };
    if (scene.choice) return { cursor, effects: {} }; // waits for a choice
    if (scene.nextSceneId) return { cursor: { ...cursor, sceneId: scene.nextSceneId, line: 0 }, effects: {} };
    return { cursor: { ...cursor, ended: true }, effects: {} };
  }

  choose(cursor: Cursor, optionId: string, sceneId?: string): ChoiceTransition {
    if (cursor.ended) throw choiceNotAvailable(optionId);
    const from = sceneId === undefined ? cursor.sceneId : this.walkLinear(cursor.sceneId, sceneId, optionId);
    const option = this.availableOption(from, optionId, cursor.stats);
    const stats = applyEffects(cursor.stats, option.effects ?? {});
    return {
      cursor: { ...cursor, sceneId: option.nextSceneId, line: 0, step: cursor.step + 1, stats },
      effects: option.effects ?? {},
      optionId,
      cost: option.cost ?? 0,
      fromSceneId: from,
    };
  }

  private availableOption(sceneId: string, optionId: string, stats: Stats): ChoiceOption {
    const option = this.scene(sceneId).choice?.options.find((o) => o.id === optionId);
    if (!option || !conditionsHold(option.conditions, stats)) throw choiceNotAvailable(optionId);
    return option;
  }

  /** From `start`, follow `nextSceneId` through scenes without a choice until `target`. */
  private walkLinear(start: string, target: string, optionId: string): string {
    let at = start;
    for (let i = 0; i < MAX_LINEAR_WALK; i++) {
      if (at === target) return at;
      const scene = this.scene(at);
      if (scene.choice || !scene.nextSceneId) break;
      at = scene.nextSceneId;
    }
    throw choiceNotAvailable(optionId);
  }
}
