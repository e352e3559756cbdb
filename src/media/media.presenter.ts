import type { MediaRow } from "./media.repository";

/** A media record as the API answers it (POST /media, complete). */
export interface MediaView {
  media_id: string;
  kind: "image" | "video";
  media_url: string;
  thumbnail_url: string | null;
  content_type: string;
  width: number | null;
  height: number | null;
  duration_s?: number;
  size: number;
  /** smaller renditions of an image, widest first */
  variants: Array<{ width: number | null; height: number | null; url: string }>;
  /** videos: "frame" (ffmpeg) or "placeholder" */
  poster?: "frame" | "placeholder";
}

export function toMediaView(row: MediaRow): MediaView {
  const original = row.files.find((f) => f.role === "original");
  const thumb = row.files.find((f) => f.role === "thumb");
  return {
    media_id: row._id,
    kind: row.kind,
    media_url: original?.url ?? "",
    thumbnail_url: thumb?.url ?? null,
    content_type: row.content_type,
    width: row.width,
    height: row.height,
    ...(row.duration_s !== null ? { duration_s: row.duration_s } : {}),
    size: row.size,
    variants: row.files.filter((f) => f.role === "w1080" || f.role === "w480").map((f) => ({ width: f.width, height: f.height, url: f.url })),
    ...(row.poster ? { poster: row.poster } : {}),
  };
}
