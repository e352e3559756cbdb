import { z } from "zod";
import { isoDateTime, responseOf } from "../http/response-schema";
import type { MediaView } from "./media.presenter";
import type * as media from "./media.service";

/** Response schemas of /api/v1/media, tied to the presenter and service (src/http/response-schema.ts). */
const MEDIA_ID = "md_0123456789abcdef0123456789abcdef";

export const mediaViewResponse = responseOf<MediaView>()(
  z
    .object({
      media_id: z.string(),
      kind: z.enum(["image", "video"]),
      media_url: z.string(),
      thumbnail_url: z.string().nullable(),
      content_type: z.string(),
      width: z.number().int().nullable(),
      height: z.number().int().nullable(),
      duration_s: z.number().optional().meta({ description: "videos" }),
      size: z.number().int().min(0).meta({ description: "bytes stored" }),
      variants: z.array(z.object({ width: z.number().int().nullable(), height: z.number().int().nullable(), url: z.string() }).strict()).meta({ description: "smaller renditions of an image, widest first" }),
      poster: z.enum(["frame", "placeholder"]).optional().meta({ description: "videos: a real frame (ffmpeg) or a placeholder" }),
    })
    .strict()
    .meta({
      id: "Media",
      example: {
        media_id: MEDIA_ID, kind: "image", media_url: `https://cdn.example/media/${MEDIA_ID}/original.jpg`, thumbnail_url: `https://cdn.example/media/${MEDIA_ID}/thumb.jpg`,
        content_type: "image/jpeg", width: 1080, height: 1920, size: 482113, variants: [{ width: 540, height: 960, url: `https://cdn.example/media/${MEDIA_ID}/540.jpg` }],
      },
    }),
);

export const presignResponse = responseOf<Awaited<ReturnType<typeof media.createPresignedUpload>>>()(
  z
    .object({
      media_id: z.string(),
      upload_url: z.string().meta({ description: "PUT the bytes here, with `headers`, then POST /media/{id}/complete" }),
      method: z.literal("PUT"),
      headers: z.record(z.string(), z.string()),
      expires_at: isoDateTime,
    })
    .strict()
    .meta({
      id: "PresignedUpload",
      example: { media_id: MEDIA_ID, upload_url: "https://bucket.s3.example/…?X-Amz-Signature=…", method: "PUT", headers: { "Content-Type": "image/jpeg", "Content-Length": "482113" }, expires_at: "2026-01-01T12:15:00.000Z" },
    }),
);
