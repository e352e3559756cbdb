import { z } from "zod";
import { ACCEPTED_MIME_TYPES } from "./media.rules";

/** Edge schemas for media: what a client may send, and what it gets back (for the OpenAPI document). */
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
  .meta({ id: "MediaUploadForm" });

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
  .meta({ id: "StoryForm" });

export const mediaViewResponse = z
  .object({
    media_id: z.string(),
    kind: z.enum(["image", "video"]),
    media_url: z.string(),
    thumbnail_url: z.string().nullable(),
    content_type: z.string(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    duration_s: z.number().optional(),
    size: z.number().int(),
    variants: z.array(z.object({ width: z.number().int().nullable(), height: z.number().int().nullable(), url: z.string() })),
    poster: z.enum(["frame", "placeholder"]).optional(),
  })
  .meta({ id: "Media" });

export const presignResponse = z
  .object({
    media_id: z.string(),
    upload_url: z.string(),
    method: z.literal("PUT"),
    headers: z.record(z.string(), z.string()),
    expires_at: z.iso.datetime(),
  })
  .meta({ id: "PresignedUpload" });
