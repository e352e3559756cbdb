import { Schema, model } from "mongoose";

/**
 * One uploaded file and what was made from it (variants, thumbnail), in `media`. `_id` is the
 * public media id (`md_…`). A presigned upload starts `pending` and becomes `ready` on completion;
 * the sweeper deletes pending ones that were never completed and ready ones nothing references.
 */
const fileSchema = new Schema(
  {
    /** original | w1080 | w480 | thumb */
    role: { type: String, required: true },
    key: { type: String, required: true },
    url: { type: String, default: "" },
    content_type: { type: String, required: true },
    bytes: { type: Number, required: true },
    width: { type: Number, default: null },
    height: { type: Number, default: null },
  },
  { _id: false },
);

const mediaSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner_id: { type: String, required: true },
    kind: { type: String, enum: ["image", "video"], required: true },
    status: { type: String, enum: ["pending", "ready"], required: true },
    /** the stored original's type (HEIC arrives, JPEG is kept) */
    content_type: { type: String, required: true },
    /** bytes stored for this media, all files together: what counts against the quota */
    size: { type: Number, default: 0 },
    width: { type: Number, default: null },
    height: { type: Number, default: null },
    duration_s: { type: Number, default: null },
    storage: { type: String, enum: ["disk", "s3"], required: true },
    files: { type: [fileSchema], default: [] },
    /** video posters: a frame by ffmpeg, or the placeholder when ffmpeg is not installed */
    poster: { type: String, enum: ["frame", "placeholder", null], default: null },
    created_at: { type: Date, required: true },
    ready_at: { type: Date, default: null },
  },
  { collection: "media", versionKey: false, minimize: false },
);
// the orphan sweep walks media oldest first, per status
mediaSchema.index({ status: 1, created_at: 1 });

/** Stored bytes per user, moved by conditional `$inc` so concurrent uploads cannot overrun the quota. */
const usageSchema = new Schema(
  { _id: { type: String, required: true }, bytes: { type: Number, required: true } },
  { collection: "media_usage", versionKey: false },
);

export const MediaModel = model("Media", mediaSchema);
export const MediaUsageModel = model("MediaUsage", usageSchema);
