import { z } from "zod";
import { objectIdString } from "../shared/ids";

/** Shapes of the playthrough's REST fallback and room messages (the same rules behind both). */
const sceneOrOptionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const chapterNumber = z.number().int().min(1).max(1000);
const step = z.number().int().min(0).max(1_000_000);

export const startBodySchema = z.object({ book_id: objectIdString, chapter: chapterNumber }).strict();
export const choiceBodySchema = z.object({ book_id: objectIdString, scene_id: sceneOrOptionId, choice_id: sceneOrOptionId, step: step.optional() }).strict();
export const bookBodySchema = z.object({ book_id: objectIdString }).strict();
export const keepBodySchema = z.object({ book_id: objectIdString, keep: z.boolean() }).strict();
export const progressParamsSchema = z.object({ book_id: objectIdString }).strict();

export const playJoinOptions = z.object({ bookId: objectIdString, userId: objectIdString }).strict();
export const PLAY_JOIN_HINT = "Join with { bookId, userId } (24-hex ids; userId is your own).";
export const startMessage = z.object({ chapter: chapterNumber }).strict();
export const advanceMessage = z.object({}).strict();
export const chooseMessage = z.object({ optionId: sceneOrOptionId, step: step.optional() }).strict();
export const keepMessage = z.object({ keep: z.boolean() }).strict();
