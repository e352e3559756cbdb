import { z } from "zod";

/**
 * Chapter content is data. Two formats share one engine interface (engine.ts):
 * - `native`: the StoryContent document of the product design — scenes keyed by id, each with a
 *   background, music, a dialogue timeline and either a `nextSceneId`, a `choice` or `end: true`;
 * - `ink`: an Ink story (source compiled on import, or compiled JSON), with the conventions in
 *   ink.engine.ts (variables `rel_*` / `flag_*`, choice tags `#cost:`, `#outfit:`, `#id:`).
 *
 * The shapes here are structural only (types and sizes); the graph rules (targets exist, every
 * scene reachable, no dead end, positive integer costs, known flags) are in validator.rules.ts so
 * an author gets every problem at once, each with its scene id.
 */

/** Ids are short slugs: they travel in messages, idempotency keys and URLs. */
const slug = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, _ or -");
const text = (max: number) => z.string().min(1).max(max);

export const dialogueLineSchema = z
  .object({
    type: z.literal("dialogue").default("dialogue"),
    /** Who speaks; omitted for narration. */
    character: z.string().max(64).optional(),
    text: text(2000),
    /** The speaker's sprite expression, e.g. "smile". */
    expression: z.string().max(64).optional(),
  })
  .strict();

export const conditionsSchema = z
  .object({
    flags: z.record(slug, z.boolean()).optional(),
    /** Relationship score at least this much, per character. */
    min_relationship: z.record(slug, z.number().int()).optional(),
  })
  .strict();

export const effectsSchema = z
  .object({
    /** Deltas added to relationship scores. */
    relationships: z.record(slug, z.number().int().min(-1000).max(1000)).optional(),
    flags: z.record(slug, z.boolean()).optional(),
    outfits: z.array(slug).max(20).optional(),
  })
  .strict();

export const optionSchema = z
  .object({
    id: slug,
    text: text(500),
    /** Diamonds; checked to be a positive integer by the validator (reported with its scene id). */
    cost: z.number().optional(),
    nextSceneId: slug,
    effects: effectsSchema.optional(),
    conditions: conditionsSchema.optional(),
  })
  .strict();

export const sceneSchema = z
  .object({
    background: z.string().max(1000).optional(),
    music: z.string().max(1000).optional(),
    timeline: z.array(dialogueLineSchema).max(500).default([]),
    nextSceneId: slug.optional(),
    choice: z.object({ prompt: z.string().max(500).optional(), options: z.array(optionSchema).min(1).max(10) }).strict().optional(),
    /** A chapter end: the only scene allowed to lead nowhere. */
    end: z.boolean().optional(),
  })
  .strict();

export const nativeChapterSchema = z
  .object({
    title: text(200),
    startSceneId: slug,
    scenes: z.record(slug, sceneSchema).refine((s) => Object.keys(s).length > 0 && Object.keys(s).length <= 1000, "1 to 1000 scenes"),
  })
  .strict();

export type DialogueLine = z.infer<typeof dialogueLineSchema>;
export type Conditions = z.infer<typeof conditionsSchema>;
export type Effects = z.infer<typeof effectsSchema>;
export type ChoiceOption = z.infer<typeof optionSchema>;
export type Scene = z.infer<typeof sceneSchema>;
export type NativeChapter = z.infer<typeof nativeChapterSchema>;

/** A compiled Ink story plus the title; `json` is inkjs' `story.ToJson()`. */
export interface InkChapter {
  title: string;
  json: string;
}

export type ChapterContent = { format: "native"; native: NativeChapter } | { format: "ink"; ink: InkChapter };
