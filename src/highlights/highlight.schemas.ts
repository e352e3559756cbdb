import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { hexColor, singleEmoji } from "../stories/story.schemas";

/**
 * Edge schemas for highlights (permanent collections of a user's stories). Ownership, caps that
 * depend on what is stored, and permutation checks are in highlight.rules.ts.
 */

/** The title sits under a small circle on the profile; 30 characters is already two lines there. */
export const MAX_HIGHLIGHT_TITLE_LENGTH = 30;
/** A one-line blurb on the highlight's header. */
export const MAX_HIGHLIGHT_DESCRIPTION_LENGTH = 150;
/** Instagram's own cap; keeps story_ids and the reel a viewer downloads bounded. */
export const MAX_STORIES_PER_HIGHLIGHT = 100;
/** The profile row scrolls sideways; 100 highlights is far past what anyone browses, and bounds a reorder body. */
export const MAX_HIGHLIGHTS_PER_USER = 100;

/**
 * Cover: one of
 * - `{story_id}` one of the highlight's stories (its thumbnail or media is used),
 * - `{emoji, color?}` an emoji, optionally on a coloured background (the seed example),
 * - `{color}` a plain colour.
 */
export const highlightCoverSchema = z.union([
  z.object({ story_id: objectIdString }).strict(),
  z.object({ emoji: singleEmoji, color: hexColor.optional() }).strict(),
  z.object({ color: hexColor }).strict(),
]);
export type HighlightCoverInput = z.infer<typeof highlightCoverSchema>;

const title = z.string().trim().min(1).max(MAX_HIGHLIGHT_TITLE_LENGTH);
const description = z.string().trim().max(MAX_HIGHLIGHT_DESCRIPTION_LENGTH);
const storyIds = z.array(objectIdString).min(1).max(MAX_STORIES_PER_HIGHLIGHT);

export const createHighlightBodySchema = z
  .object({
    title,
    description: description.optional(),
    story_ids: storyIds,
    cover: highlightCoverSchema.optional(),
    is_pinned: z.boolean().default(false),
  })
  .strict();
export type CreateHighlightBody = z.infer<typeof createHighlightBodySchema>;

/** PATCH: any subset; `description: null` or `cover: null` clears it (cover falls back to the first story). */
export const updateHighlightBodySchema = z
  .object({
    title: title.optional(),
    description: description.nullable().optional(),
    cover: highlightCoverSchema.nullable().optional(),
    is_pinned: z.boolean().optional(),
    is_archived: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "send at least one field to change" });
export type UpdateHighlightBody = z.infer<typeof updateHighlightBodySchema>;

/** POST / DELETE /highlights/:id/stories */
export const highlightStoriesBodySchema = z.object({ story_ids: storyIds }).strict();
export type HighlightStoriesBody = z.infer<typeof highlightStoriesBodySchema>;

/** POST /highlights/reorder: the owner's (unarchived) highlights in their new order. */
export const reorderHighlightsBodySchema = z
  .object({ highlight_ids: z.array(objectIdString).min(1).max(MAX_HIGHLIGHTS_PER_USER) })
  .strict();
export type ReorderHighlightsBody = z.infer<typeof reorderHighlightsBodySchema>;
