import { nativeChapterSchema, type NativeChapter } from "./content.types";
import { emptyStats, type ChapterEngine, type Cursor, type SceneView, type Stats } from "./engine";
import { InkEngine } from "./ink.engine";
import { DomainError } from "../shared/errors";
import { fictionErrors } from "./fiction.errors";

/**
 * Content validation on import: every problem at once, each with the scene it is in, so an author
 * fixes a chapter in one round. Pure: content in, problems out.
 */
export interface ContentProblem {
  /** The scene the problem is in; null when it is about the chapter as a whole (or an Ink source line). */
  scene_id: string | null;
  code:
    | "invalid_structure"
    | "missing_start_scene"
    | "unknown_next_scene"
    | "unreachable_scene"
    | "dead_end"
    | "ambiguous_exit"
    | "invalid_cost"
    | "duplicate_option_id"
    | "unknown_flag"
    | "all_options_gated"
    | "ink_compile_error"
    | "ink_runtime_error"
    | "too_many_paths";
  message: string;
}

export type ValidationOutcome<T> = { ok: true; content: T; problems: [] } | { ok: false; problems: ContentProblem[] };

function isPositiveInteger(n: unknown): boolean {
  return typeof n === "number" && Number.isInteger(n) && n > 0;
}

/** Flags a native chapter sets through option effects (conditions in later chapters may use them). */
export function flagsSetBy(chapter: NativeChapter): string[] {
  const flags = new Set<string>();
  for (const scene of Object.values(chapter.scenes)) for (const o of scene.choice?.options ?? []) for (const f of Object.keys(o.effects?.flags ?? {})) flags.add(f);
  return [...flags];
}

/**
 * `knownFlags`: flags set by earlier chapters of the book; a condition may also use flags this
 * chapter sets itself. A flag nobody sets is a typo that would silently hide an option forever.
 */
export function validateNativeChapter(raw: unknown, knownFlags: Iterable<string> = []): ValidationOutcome<NativeChapter> {
  const parsed = nativeChapterSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({
        scene_id: i.path[0] === "scenes" && typeof i.path[1] === "string" ? i.path[1] : null,
        code: "invalid_structure",
        message: `${i.path.join(".") || "(chapter)"}: ${i.message}`,
      })),
    };
  }
  const chapter = parsed.data;
  const problems: ContentProblem[] = [];
  const scenes = chapter.scenes;
  const known = new Set([...knownFlags, ...flagsSetBy(chapter)]);

  if (!scenes[chapter.startSceneId]) problems.push({ scene_id: null, code: "missing_start_scene", message: `startSceneId "${chapter.startSceneId}" is not a scene.` });

  for (const [id, scene] of Object.entries(scenes)) {
    const exits = [scene.nextSceneId !== undefined, scene.choice !== undefined, scene.end === true].filter(Boolean).length;
    if (exits === 0) problems.push({ scene_id: id, code: "dead_end", message: "The scene has no nextSceneId, no choice and is not a chapter end." });
    if (exits > 1) problems.push({ scene_id: id, code: "ambiguous_exit", message: "A scene has exactly one of nextSceneId, choice or end." });
    if (scene.nextSceneId !== undefined && !scenes[scene.nextSceneId]) {
      problems.push({ scene_id: id, code: "unknown_next_scene", message: `nextSceneId "${scene.nextSceneId}" is not a scene.` });
    }
    const seen = new Set<string>();
    for (const o of scene.choice?.options ?? []) {
      if (seen.has(o.id)) problems.push({ scene_id: id, code: "duplicate_option_id", message: `Option id "${o.id}" appears twice.` });
      seen.add(o.id);
      if (!scenes[o.nextSceneId]) problems.push({ scene_id: id, code: "unknown_next_scene", message: `Option "${o.id}": nextSceneId "${o.nextSceneId}" is not a scene.` });
      if (o.cost !== undefined && !isPositiveInteger(o.cost)) problems.push({ scene_id: id, code: "invalid_cost", message: `Option "${o.id}": cost must be a positive integer (got ${o.cost}).` });
      for (const f of Object.keys(o.conditions?.flags ?? {})) {
        if (!known.has(f)) problems.push({ scene_id: id, code: "unknown_flag", message: `Option "${o.id}": condition on flag "${f}", which no chapter up to this one sets.` });
      }
    }
    const options = scene.choice?.options ?? [];
    if (options.length > 0 && options.every((o) => o.conditions !== undefined)) {
      problems.push({ scene_id: id, code: "all_options_gated", message: "Every option has conditions: a player meeting none would be stuck." });
    }
  }

  // reachability from the start scene
  const reached = new Set<string>();
  const queue = scenes[chapter.startSceneId] ? [chapter.startSceneId] : [];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reached.has(id) || !scenes[id]) continue;
    reached.add(id);
    const scene = scenes[id]!;
    if (scene.nextSceneId) queue.push(scene.nextSceneId);
    for (const o of scene.choice?.options ?? []) queue.push(o.nextSceneId);
  }
  for (const id of Object.keys(scenes)) if (!reached.has(id)) problems.push({ scene_id: id, code: "unreachable_scene", message: "No path from the start scene leads here." });

  return problems.length === 0 ? { ok: true, content: chapter, problems: [] } : { ok: false, problems };
}

/** Compile Ink source to the runtime JSON; compiler errors are problems (with their line). */
export function compileInk(source: string): { json: string } | { problems: ContentProblem[] } {
  const { Compiler } = require("inkjs/compiler/Compiler") as typeof import("inkjs/compiler/Compiler");
  const compiler = new Compiler(source.replace(/^\uFEFF/, ""));
  try {
    const story = compiler.Compile();
    const json = story?.ToJson();
    if (compiler.errors.length === 0 && json) return { json };
  } catch {
    // the errors are on the compiler
  }
  const errors = compiler.errors.length > 0 ? compiler.errors : ["The Ink source did not compile."];
  return { problems: errors.map((message) => ({ scene_id: null, code: "ink_compile_error", message })) };
}

export interface PathEnd {
  /** Option ids chosen, in order. */
  choices: string[];
  cursor: Cursor;
  /** Scenes visited in order. */
  scenes: string[];
}

/**
 * Every path through a chapter from `stats`, by choosing each available option at each choice
 * point (depth first) and advancing through every line. Used by the Ink validator and the tests.
 * Throws `too_many_paths` past `maxPaths` (a loop in the content, or an enormous chapter).
 */
export function explorePaths(
  engine: ChapterEngine,
  stats: Stats = emptyStats(),
  opts: { maxPaths?: number; onView?: (view: SceneView) => void } = {},
): PathEnd[] {
  const maxPaths = opts.maxPaths ?? 5000;
  const ends: PathEnd[] = [];
  const walk = (start: Cursor, choices: string[], scenes: string[]): void => {
    let cursor = start;
    const visited = [...scenes];
    for (let guard = 0; guard < 100_000; guard++) {
      if (visited[visited.length - 1] !== cursor.sceneId) visited.push(cursor.sceneId);
      if (cursor.ended) {
        ends.push({ choices, cursor, scenes: visited });
        if (ends.length > maxPaths) throw fictionErrors.tooManyPaths(maxPaths);
        return;
      }
      const next = engine.advance(cursor).cursor;
      if (next === cursor || (next.line === cursor.line && next.sceneId === cursor.sceneId && !next.ended)) {
        const view = engine.view(cursor);
        opts.onView?.(view);
        if (view.options.length === 0) throw fictionErrors.deadEnd(cursor.sceneId);
        for (const option of view.options) walk(engine.choose(cursor, option.id).cursor, [...choices, option.id], visited);
        return;
      }
      cursor = next;
    }
    throw fictionErrors.tooManyPaths();
  };
  walk(engine.begin(stats), [], []);
  return ends;
}

/**
 * An Ink chapter: compiled JSON (from the compiler or inklecate) checked by playing every path
 * from fresh variables and from the player stats in `probeStats` (conditions open other paths):
 * runtime errors (a knot that runs out of content is a dead end), and every `#cost:` tag.
 */
export function validateInkChapter(json: string, probeStats: Stats[] = [emptyStats()]): ValidationOutcome<{ json: string; premium: boolean }> {
  const problems: ContentProblem[] = [];
  let engine: InkEngine;
  try {
    engine = new InkEngine(json);
  } catch (err) {
    return { ok: false, problems: [{ scene_id: null, code: "invalid_structure", message: `Not a compiled Ink story: ${(err as Error).message}` }] };
  }
  const costProblems = new Map<string, ContentProblem>();
  let premium = false;
  const checkCosts = (view: SceneView) => {
    for (const o of view.options) {
      if (o.cost > 0) premium = true;
      if (o.cost !== 0 && !isPositiveInteger(o.cost)) {
        costProblems.set(`${view.sceneId}/${o.id}`, { scene_id: view.sceneId, code: "invalid_cost", message: `Option "${o.id}": #cost must be a positive integer.` });
      }
    }
  };
  for (const stats of probeStats) {
    try {
      explorePaths(engine, stats, { onView: checkCosts });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const code = err.code === "too_many_paths" ? "too_many_paths" : err.code === "dead_end" ? "dead_end" : "ink_runtime_error";
      problems.push({ scene_id: null, code, message: err.message });
      break;
    }
  }
  problems.push(...costProblems.values());
  return problems.length === 0 ? { ok: true, content: { json, premium }, problems: [] } : { ok: false, problems };
}
