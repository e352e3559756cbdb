import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { config } from "../config";
import { clock } from "../shared/clock";
import { takeRateLimit } from "../infra/rate-limit";
import { metrics } from "../metrics/metrics";
import { mediaErrors } from "./media.errors";
import { checkUploadHeaders, readMultipartUpload, type MultipartUpload, type StagedFile } from "./media.multipart";
import { SNIFF_BYTES, detectFfmpeg, processImage, processVideo, sniffType } from "./media.processing";
import { acceptDetectedType, isUploadedMediaId, newMediaId, sizeLimitFor, storageKey, wouldExceedQuota } from "./media.rules";
import * as repo from "./media.repository";
import type { MediaFile, MediaRow } from "./media.repository";
import { mediaStorage } from "./media.storage";
import { toMediaView, type MediaView } from "./media.presenter";

/**
 * Media uploads — the one path for `POST /media`, the presigned flow and the multipart story form:
 * rate limit and quota first, then the bytes decide the type, then processing, storage, and the
 * record. Stored bytes count against the owner's quota by a conditional update (media.repository).
 */
const uploads = metrics.counter("media_uploads_total", "Media stored, by kind.", ["kind"]);

/** Before a byte of the body is read: the per-user rate limit, and a quota that is already full. */
export async function admitUpload(ownerId: string): Promise<void> {
  const cfg = config();
  const decision = await takeRateLimit({ scope: "media:upload", limit: cfg.MEDIA_UPLOADS_PER_MINUTE, windowSeconds: 60 }, ownerId);
  if (decision && !decision.allowed) throw mediaErrors.rateLimited(Math.max(1, Math.ceil(decision.resetMs / 1000)));
  const used = await repo.usedBytes(ownerId);
  if (used >= cfg.MEDIA_QUOTA_BYTES) throw mediaErrors.quotaExceeded(used, cfg.MEDIA_QUOTA_BYTES);
}

/** Read a multipart request (the file in `fileField`, optional when `fileRequired` is false) to staging. */
export async function receiveMultipart(ownerId: string, req: IncomingMessage, fileField: string, fileRequired: boolean): Promise<MultipartUpload> {
  const cfg = config();
  checkUploadHeaders(req, cfg);
  await admitUpload(ownerId);
  const form = await readMultipartUpload(req, { fileField, stagingDir: mediaStorage().stagingDir, limits: cfg });
  if (!form.file && fileRequired) throw mediaErrors.missingFile(fileField);
  return form;
}

/** Throw away a staged file that will not be stored (the form around it was refused). */
export async function discardStaged(file: StagedFile | null): Promise<void> {
  if (file) await fs.promises.rm(file.path, { force: true });
}

interface Prepared {
  files: Array<Omit<MediaFile, "url"> & { body: { path: string } | { bytes: Buffer } }>;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  poster: MediaRow["poster"];
}

/** What will be stored for a checked local file: processed image renditions, or the video and its poster. */
async function prepare(mediaId: string, localPath: string, bytes: number, detectedMime: string): Promise<Prepared> {
  const type = acceptDetectedType(detectedMime)!;
  if (type.kind === "image") {
    const renditions = await processImage(localPath, detectedMime, type);
    const original = renditions[0]!;
    return {
      files: renditions.map((r) => ({ role: r.role, key: storageKey(mediaId, `${r.role}.${r.ext}`), content_type: r.contentType, bytes: r.bytes.length, width: r.width, height: r.height, body: { bytes: r.bytes } })),
      width: original.width,
      height: original.height,
      duration_s: null,
      poster: null,
    };
  }
  const video = await processVideo(localPath);
  return {
    files: [
      { role: "original", key: storageKey(mediaId, `original.${type.ext}`), content_type: type.storedMime, bytes, width: video.width, height: video.height, body: { path: localPath } },
      { role: "thumb", key: storageKey(mediaId, "thumb.jpg"), content_type: "image/jpeg", bytes: video.poster.bytes.length, width: video.poster.width, height: video.poster.height, body: { bytes: video.poster.bytes } },
    ],
    width: video.width,
    height: video.height,
    duration_s: video.duration_s,
    poster: video.posterKind,
  };
}

/**
 * Count the prepared files against the quota, store them, and return the finished record's
 * fields. On any failure nothing stays stored or counted.
 */
async function storePrepared(ownerId: string, prepared: Prepared, origin: string, skipKeys: Set<string> = new Set()): Promise<Pick<MediaRow, "size" | "files">> {
  const cfg = config();
  const storage = mediaStorage();
  const size = prepared.files.reduce((sum, f) => sum + f.bytes, 0);
  if (!(await repo.reserveBytes(ownerId, size, cfg.MEDIA_QUOTA_BYTES))) throw mediaErrors.quotaExceeded(await repo.usedBytes(ownerId), cfg.MEDIA_QUOTA_BYTES);
  const stored: string[] = [];
  try {
    for (const f of prepared.files) {
      if (!skipKeys.has(f.key)) {
        if ("path" in f.body) await storage.putFile(f.key, f.body.path, f.content_type);
        else await storage.putBuffer(f.key, f.body.bytes, f.content_type);
      }
      stored.push(f.key);
    }
  } catch (err) {
    await storage.delete(stored.filter((k) => !skipKeys.has(k))).catch(() => undefined);
    await repo.releaseBytes(ownerId, size);
    throw err;
  }
  return { size, files: prepared.files.map(({ body: _body, ...f }) => ({ ...f, url: storage.publicUrl(f.key, origin) })) };
}

/** Store a file received through the server (POST /media, the story form). */
export async function storeStagedUpload(ownerId: string, staged: StagedFile, origin: string): Promise<MediaView> {
  const id = newMediaId();
  try {
    const prepared = await prepare(id, staged.path, staged.bytes, staged.detectedMime);
    const { size, files } = await storePrepared(ownerId, prepared, origin);
    const now = clock.now();
    const row: MediaRow = {
      _id: id, owner_id: ownerId, kind: acceptDetectedType(staged.detectedMime)!.kind, status: "ready", content_type: files[0]!.content_type, size,
      width: prepared.width, height: prepared.height, duration_s: prepared.duration_s, storage: mediaStorage().name, files, poster: prepared.poster, created_at: now, ready_at: now,
    };
    await repo.insertMedia(row);
    uploads.inc({ kind: row.kind });
    return toMediaView(row);
  } finally {
    await discardStaged(staged);
  }
}

// ---------------------------------------------------------------------------------------------
// Presigned uploads (S3): the client PUTs straight to the bucket, then asks us to complete
// ---------------------------------------------------------------------------------------------

/** The raw object a presigned PUT writes; images are re-encoded from it (EXIF goes), videos keep it as the original. */
function rawKeyOf(row: MediaRow): string {
  return row.files.find((f) => f.role === "original")!.key;
}

export async function createPresignedUpload(ownerId: string, body: { content_type: string; size: number }): Promise<{ media_id: string; upload_url: string; method: "PUT"; headers: Record<string, string>; expires_at: string }> {
  const cfg = config();
  const storage = mediaStorage();
  if (storage.name !== "s3") throw mediaErrors.presignUnavailable();
  const type = acceptDetectedType(body.content_type);
  if (!type) throw mediaErrors.unsupported(body.content_type);
  const limit = sizeLimitFor(type.kind, cfg);
  if (body.size > limit) throw mediaErrors.tooLarge(type.kind, limit);
  await admitUpload(ownerId);
  const used = await repo.usedBytes(ownerId);
  if (wouldExceedQuota(used, body.size, cfg.MEDIA_QUOTA_BYTES)) throw mediaErrors.quotaExceeded(used, cfg.MEDIA_QUOTA_BYTES);
  const id = newMediaId();
  const key = storageKey(id, type.kind === "video" ? `original.${type.ext}` : "upload.raw");
  const now = clock.now();
  await repo.insertMedia({
    _id: id, owner_id: ownerId, kind: type.kind, status: "pending", content_type: body.content_type, size: 0, width: null, height: null, duration_s: null,
    storage: "s3", files: [{ role: "original", key, url: "", content_type: body.content_type, bytes: body.size, width: null, height: null }], poster: null, created_at: now, ready_at: null,
  });
  const url = (await storage.presignPut(key, body.content_type, body.size))!;
  return {
    media_id: id,
    upload_url: url,
    method: "PUT",
    headers: { "content-type": body.content_type, "content-length": String(body.size) },
    expires_at: new Date(now.getTime() + cfg.S3_PRESIGN_TTL_SECONDS * 1000).toISOString(),
  };
}

/** Check what arrived in the bucket (exists, type from its first bytes, size), process it, and make the media ready. Repeating it answers the same. */
export async function completePresignedUpload(ownerId: string, mediaId: string, origin: string): Promise<MediaView> {
  const cfg = config();
  const storage = mediaStorage();
  const row = await repo.findMediaById(mediaId);
  if (!row || row.owner_id !== ownerId) throw mediaErrors.notFound();
  if (row.status === "ready") return toMediaView(row);
  const rawKey = rawKeyOf(row);
  const stat = await storage.stat(rawKey);
  if (!stat) throw mediaErrors.objectMissing();
  const abandon = async (err: Error): Promise<never> => {
    await storage.delete([rawKey]).catch(() => undefined);
    await repo.deleteMediaRecord(row._id);
    throw err;
  };
  const detected = await sniffType(await storage.readHead(rawKey, SNIFF_BYTES));
  const type = acceptDetectedType(detected);
  if (!type) return abandon(mediaErrors.unsupported(detected ?? null));
  if (type.kind !== row.kind) return abandon(mediaErrors.typeMismatch(row.content_type, detected!));
  const limit = sizeLimitFor(type.kind, cfg);
  if (stat.bytes > limit) return abandon(mediaErrors.tooLarge(type.kind, limit));

  const local = path.join(storage.stagingDir, randomUUID());
  try {
    // a video is only read back when ffmpeg can take its poster; otherwise the placeholder needs no bytes
    if (type.kind === "image" || (await detectFfmpeg())) await storage.download(rawKey, local);
    const prepared = await prepare(mediaId, local, stat.bytes, detected!).catch((err: Error) => abandon(err));
    // a video's original is already in the bucket under its key; images replace the raw upload
    const keep = new Set(type.kind === "video" ? [rawKey] : []);
    const { size, files } = await storePrepared(ownerId, prepared, origin, keep);
    if (type.kind === "image") await storage.delete([rawKey]);
    const ready = { content_type: files[0]!.content_type, size, width: prepared.width, height: prepared.height, duration_s: prepared.duration_s, files, poster: prepared.poster, ready_at: clock.now() };
    if (!(await repo.markMediaReady(mediaId, ready))) {
      // completed concurrently: the other request's record stands; this one's count is given back
      await repo.releaseBytes(ownerId, size);
      const current = await repo.findMediaById(mediaId);
      if (!current) throw mediaErrors.notFound();
      return toMediaView(current);
    }
    uploads.inc({ kind: type.kind });
    return toMediaView({ ...row, ...ready, status: "ready" });
  } finally {
    await fs.promises.rm(local, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Use by stories, and deletion
// ---------------------------------------------------------------------------------------------

/**
 * The URLs a story shows for `media_id`, when the id is one of our uploads: it must be the
 * author's own, ready, and of the story's kind (an image story shows an image). Ids from
 * elsewhere (opaque) are left to the client's URLs, as before uploads existed: null.
 */
export async function storyMediaUrls(authorId: string, mediaId: string, storyType: string): Promise<{ media_url: string; thumbnail_url: string | null } | null> {
  if (!isUploadedMediaId(mediaId)) return null;
  const row = await repo.findMediaById(mediaId);
  if (!row || row.owner_id !== authorId || row.status !== "ready") throw mediaErrors.notFound();
  if ((storyType === "image" || storyType === "video") && row.kind !== storyType) throw mediaErrors.storyMediaMismatch(storyType, row.kind);
  const view = toMediaView(row);
  return { media_url: view.media_url, thumbnail_url: view.thumbnail_url };
}

export async function deleteMedia(row: MediaRow): Promise<void> {
  await mediaStorage().delete(row.files.map((f) => f.key));
  if (await repo.deleteMediaRecord(row._id)) await repo.releaseBytes(row.owner_id, row.size);
}

/** After stories are purged: their uploaded media goes at once, unless another story or a highlight still uses it. */
export async function releaseMediaOf(mediaIds: Array<string | null>): Promise<number> {
  const ids = [...new Set(mediaIds.filter((id): id is string => id !== null && isUploadedMediaId(id)))];
  if (ids.length === 0) return 0;
  const used = await repo.referencedMediaIds(ids);
  const rows = await repo.findMediaByIds(ids.filter((id) => !used.has(id)));
  for (const row of rows) await deleteMedia(row);
  return rows.length;
}

export type { MediaView };
