import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { interactBodySchema, reactionBodySchema, replyBodySchema } from "./story.schemas";

/**
 * The `story` room's join options and message payloads (camelCase on the wire). Each message is
 * turned into the REST body its service function takes and checked by the REST schema, so a room
 * message and its REST twin accept exactly the same input.
 */
export const storyJoinOptions = z.object({ authorId: objectIdString }).strict();
export const STORY_JOIN_HINT = "Join with { authorId } (a 24-hex user id).";

const storyRef = { storyId: objectIdString };

export const viewMessage = z.object(storyRef).strict();

export const interactMessage = z
  .object({
    ...storyRef,
    stickerIndex: z.number(),
    optionIndex: z.number().optional(),
    value: z.number().optional(),
    answer: z.string().optional(),
  })
  .strict()
  .transform(({ storyId, stickerIndex, optionIndex, value, answer }) => ({
    storyId,
    body: {
      sticker_index: stickerIndex,
      ...(optionIndex !== undefined ? { option_index: optionIndex } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(answer !== undefined ? { answer } : {}),
    },
  }))
  .pipe(z.object({ storyId: objectIdString, body: interactBodySchema }));

export const reactMessage = z.object({ ...storyRef, ...reactionBodySchema.shape }).strict();
export const replyMessage = z.object({ ...storyRef, ...replyBodySchema.shape }).strict();
