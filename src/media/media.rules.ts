import { randomBytes } from "node:crypto";

/**
 * Pure rules for media: which detected types are taken and how they are stored, size limits,
 * image variants, storage keys, orphan expiry. No I/O here; the service applies them.
 */
export type MediaKind = "image" | "video";

export interface AcceptedType {
  kind: MediaKind;
  /** what the stored original is served as */
  storedMime: string;
  /** extension of the stored original */
  ext: string;
}

/** Detected (file-type) MIME → how it is kept. HEIC is converted to JPEG (browsers cannot show HEIC). */
const ACCEPTED: Readonly<Record<string, AcceptedType>> = {
  "image/jpeg": { kind: "image", storedMime: "image/jpeg", ext: "jpg" },
  "image/png": { kind: "image", storedMime: "image/png", ext: "png" },
  "image/webp": { kind: "image", storedMime: "image/webp", ext: "webp" },
  "image/heic": { kind: "image", storedMime: "image/jpeg", ext: "jpg" },
  "image/heif": { kind: "image", storedMime: "image/jpeg", ext: "jpg" },
  "video/mp4": { kind: "video", storedMime: "video/mp4", ext: "mp4" },
  "video/quicktime": { kind: "video", storedMime: "video/quicktime", ext: "mov" },
};

export const ACCEPTED_MIME_TYPES = Object.keys(ACCEPTED);

/** null: refuse with unsupported_media. */
export function acceptDetectedType(mime: string | undefined): AcceptedType | null {
  return (mime !== undefined && ACCEPTED[mime]) || null;
}

export const isHeic = (mime: string) => mime === "image/heic" || mime === "image/heif";

export interface SizeLimits {
  MEDIA_IMAGE_MAX_BYTES: number;
  MEDIA_VIDEO_MAX_BYTES: number;
}

export function sizeLimitFor(kind: MediaKind, limits: SizeLimits): number {
  return kind === "image" ? limits.MEDIA_IMAGE_MAX_BYTES : limits.MEDIA_VIDEO_MAX_BYTES;
}

/** The largest file any type may be: a body beyond it (plus form overhead) is refused before a byte is read. */
export function largestFileLimit(limits: SizeLimits): number {
  return Math.max(limits.MEDIA_IMAGE_MAX_BYTES, limits.MEDIA_VIDEO_MAX_BYTES);
}

/** Multipart boundaries, part headers and the story's text fields fit well inside 1 MiB. */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/**
 * Resized widths offered beside the original: 1080 is a phone screen's width (what a story
 * shows), 480 is for the tray and slow networks. Only widths below the original are made.
 */
export const IMAGE_VARIANT_WIDTHS = [1080, 480] as const;
/** Thumbnails fit in 320×320: the feed tray and highlight covers are smaller than that. */
export const THUMBNAIL_BOX = 320;
/** Originals are capped at 4096 px on the long side: more than any phone screen shows. */
export const MAX_ORIGINAL_DIMENSION = 4096;

export function variantWidthsFor(originalWidth: number): number[] {
  return IMAGE_VARIANT_WIDTHS.filter((w) => w < originalWidth);
}

/** Uploaded media ids: `md_` + 128 random bits. The id is the capability to read the file, so it is unguessable. */
const MEDIA_ID = /^md_[0-9a-f]{32}$/;

export function newMediaId(): string {
  return `md_${randomBytes(16).toString("hex")}`;
}

/** Ids this server issued (stories may still carry opaque ids from elsewhere, taken as they are). */
export function isUploadedMediaId(id: string): boolean {
  return MEDIA_ID.test(id);
}

/** Storage keys are `<media id>/<file name>`; names are ours (`original.jpg`, `w480.webp`, `thumb.jpg`). */
const FILE_NAME = /^[a-z0-9]{1,16}\.[a-z0-9]{2,4}$/;

export function storageKey(mediaId: string, fileName: string): string {
  return `${mediaId}/${fileName}`;
}

/** True only for a key this feature could have written: anything else (dots, slashes, encodings) is not served. */
export function isServableKey(mediaId: string, fileName: string): boolean {
  return MEDIA_ID.test(mediaId) && FILE_NAME.test(fileName);
}

export function wouldExceedQuota(usedBytes: number, incomingBytes: number, quotaBytes: number): boolean {
  return usedBytes + incomingBytes > quotaBytes;
}

/** An orphan (no story, no highlight uses it) is deleted once the grace period after its upload has passed. */
export function isOrphanDue(createdAt: Date, now: Date, graceHours: number, referenced: boolean): boolean {
  return !referenced && now.getTime() - createdAt.getTime() >= graceHours * 3600_000;
}

/** The content type a stored file is served with, from the extension we gave it. */
const SERVED_TYPES: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  mp4: "video/mp4",
  mov: "video/quicktime",
};

export function servedContentType(fileName: string): string {
  return SERVED_TYPES[fileName.slice(fileName.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}
