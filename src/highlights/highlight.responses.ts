import { z } from "zod";
import { isoDateTime, itemsOf, responseOf } from "../http/response-schema";
import { storyFrameShape, textFrameExample } from "../stories/story.responses";
import type { HighlightJson } from "./highlight.service";

/** Response schemas of /api/v1/highlights, tied to the presenter's output (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";

export const highlightResponse = responseOf<HighlightJson>()(
  z
    .object({
      id: z.string(),
      user_id: z.string(),
      title: z.string(),
      description: z.string().nullable(),
      cover: z.object({ story_id: z.string().nullable(), media_url: z.string().nullable(), emoji: z.string().nullable(), color: z.string().nullable() }).strict(),
      story_ids: z.array(z.string()).meta({ description: "the stories this viewer may watch, in playback order" }),
      story_count: z.number().int().min(0),
      is_archived: z.boolean(),
      is_pinned: z.boolean(),
      order_index: z.number().int(),
      created_at: isoDateTime,
      updated_at: isoDateTime,
      stories: z.array(z.object({ ...storyFrameShape, id: z.string(), created_at: isoDateTime }).strict()),
    })
    .strict()
    .meta({
      id: "Highlight",
      example: {
        id: ID, user_id: ID, title: "Marathon", description: null, cover: { story_id: ID, media_url: null, emoji: null, color: null }, story_ids: [ID], story_count: 1,
        is_archived: false, is_pinned: true, order_index: 0, created_at: AT, updated_at: AT, stories: [{ ...textFrameExample, id: ID, created_at: AT }],
      },
    }),
);

export const highlightListResponse = responseOf<{ items: HighlightJson[] }>()(itemsOf(highlightResponse).meta({ id: "HighlightList", example: { items: [] } }));
