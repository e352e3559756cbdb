import { z } from "zod";
import { ACCEPTED_MIME_TYPES } from "./media.rules";

/** Edge schemas for media: what a client may send (what it gets back: media.responses.ts). */
export const mediaParams = z.object({ id: z.string().regex(/^md_[0-9a-f]{32}$/, "must be a media id") }).strict();

/** Declared up front so the presigned PUT is signed for exactly this type and length. */
export const presignBodySchema = z
  .object({
    content_type: z.enum(ACCEPTED_MIME_TYPES as [string, ...string[]]),
    size: z.number().int().min(1),
  })
  .strict();
export type PresignBody = z.infer<typeof presignBodySchema>;

export const emptyBodySchema = z.object({}).strict();

const binary = z.string().meta({ format: "binary" });

/** multipart/form-data of POST /media (documentation: the file is streamed, never parsed as a whole). */
export const uploadFormSchema = z
  .object({ file: binary.meta({ description: "JPEG, PNG, WebP, HEIC (stored as JPEG), MP4 or MOV — judged from the bytes" }) })
  .meta({ id: "MediaUploadForm", example: { file: "(the bytes of run.jpg)" } });

/** multipart/form-data of POST /stories: the JSON body's fields as form fields, plus the file. */
export const storyFormSchema = z
  .object({
    story_type: z.enum(["image", "video", "text", "workout", "achievement"]),
    media: binary.optional().meta({ description: "the photo or video; its media_id, media_url and thumbnail_url fill the story" }),
    caption: z.string().optional(),
    privacy: z.string().optional(),
    stickers: z.string().optional().meta({ description: "JSON text, as in the JSON body (so are workout_data, achievement_data, music, custom_viewer_ids, hidden_from_ids, background_gradient)" }),
  })
  .loose()
  .meta({ id: "StoryForm", example: { story_type: "image", media: "(the bytes of run.jpg)", caption: "5 km before breakfast", privacy: "followers" } });
