import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import path from "node:path";
import type sharpModule from "sharp";
import { config } from "../config";
import { logger } from "../logger";
import { mediaErrors } from "./media.errors";
import { MAX_ORIGINAL_DIMENSION, THUMBNAIL_BOX, isHeic, variantWidthsFor, type AcceptedType } from "./media.rules";

/**
 * Turning an accepted upload into what is stored: images through sharp (orientation applied, all
 * metadata — EXIF, GPS — dropped, since sharp writes none unless asked; resized variants; a
 * thumbnail), videos through ffmpeg/ffprobe when installed (a poster frame, dimensions,
 * duration), a placeholder poster otherwise.
 */
const run = promisify(execFile);
type Sharp = ReturnType<typeof sharpModule>;

// sharp (libvips) and file-type load on the first upload, not at boot: a server that never sees a
// file should not pay for them (they are most of this feature's start-up cost)
let sharpLoaded: typeof sharpModule | undefined;
const sharp: typeof sharpModule = ((...args: Parameters<typeof sharpModule>) => (sharpLoaded ??= require("sharp") as typeof sharpModule)(...args)) as typeof sharpModule;

// file-type is ESM-only; Node 24 loads it with require(), and its types need node16 resolution
type FileTypeModule = { fileTypeFromBuffer(b: Uint8Array): Promise<{ mime: string } | undefined> };
let fileType: FileTypeModule | undefined;

/** file-type decides from at most this many leading bytes. */
export const SNIFF_BYTES = 4100;

export async function sniffType(head: Buffer): Promise<string | undefined> {
  fileType ??= require("file-type") as FileTypeModule;
  return (await fileType.fileTypeFromBuffer(head))?.mime;
}

export interface ProcessedImage {
  role: "original" | "w1080" | "w480" | "thumb";
  bytes: Buffer;
  contentType: string;
  ext: string;
  width: number;
  height: number;
}

function encode(pipeline: Sharp, type: AcceptedType): Sharp {
  if (type.storedMime === "image/png") return pipeline.png({ compressionLevel: 9 });
  if (type.storedMime === "image/webp") return pipeline.webp({ quality: 85 });
  return pipeline.jpeg({ quality: 85, mozjpeg: true });
}

async function render(pipeline: Sharp, role: ProcessedImage["role"], contentType: string, ext: string): Promise<ProcessedImage> {
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return { role, bytes: data, contentType, ext, width: info.width, height: info.height };
}

/** The original (re-encoded without metadata, upright, capped), smaller widths, and a JPEG thumbnail. */
export async function processImage(localPath: string, detectedMime: string, type: AcceptedType): Promise<ProcessedImage[]> {
  let meta: Awaited<ReturnType<Sharp["metadata"]>>;
  // 100 Mpx: a decompression bomb within 15 MB is refused rather than decoded
  const source = () => sharp(localPath, { limitInputPixels: 100_000_000, failOn: "error" });
  try {
    meta = await source().metadata();
  } catch {
    throw isHeic(detectedMime) ? mediaErrors.heicUndecodable() : mediaErrors.undecodable(detectedMime);
  }
  // EXIF orientations 5-8 swap the axes once applied
  const swapped = (meta.orientation ?? 1) >= 5;
  const uprightWidth = (swapped ? meta.height : meta.width) ?? 0;
  try {
    const base = source().rotate();
    const capped = base.clone().resize({ width: MAX_ORIGINAL_DIMENSION, height: MAX_ORIGINAL_DIMENSION, fit: "inside", withoutEnlargement: true });
    const out = [await render(encode(capped, type), "original", type.storedMime, type.ext)];
    for (const width of variantWidthsFor(Math.min(uprightWidth, out[0]!.width))) {
      out.push(await render(encode(base.clone().resize({ width }), type), `w${width}` as "w1080" | "w480", type.storedMime, type.ext));
    }
    out.push(await thumbnailOf(base.clone()));
    return out;
  } catch (err) {
    if (isHeic(detectedMime)) throw mediaErrors.heicUndecodable();
    logger.warn({ err }, "image processing failed");
    throw mediaErrors.undecodable(detectedMime);
  }
}

function thumbnailOf(pipeline: Sharp): Promise<ProcessedImage> {
  return render(pipeline.resize({ width: THUMBNAIL_BOX, height: THUMBNAIL_BOX, fit: "inside", withoutEnlargement: true }).jpeg({ quality: 80 }), "thumb", "image/jpeg", "jpg");
}

// ---------------------------------------------------------------------------------------------
// Video
// ---------------------------------------------------------------------------------------------

let ffmpeg: Promise<boolean> | undefined;
let ffmpegFound: boolean | undefined;

/** What /health/ready reports without waiting: "detecting" until the boot-time check has answered. */
export function videoPosterMode(): "ffmpeg" | "placeholder" | "detecting" {
  return ffmpegFound === undefined ? "detecting" : ffmpegFound ? "ffmpeg" : "placeholder";
}

/** Is ffmpeg (and ffprobe beside it) runnable? Asked once at boot; `/health/ready` reports it. */
export function detectFfmpeg(): Promise<boolean> {
  ffmpeg ??= Promise.all([run(config().FFMPEG_PATH, ["-version"]), run(ffprobePath(), ["-version"])]).then(
    () => (ffmpegFound = true),
    () => {
      logger.warn("ffmpeg not found: video posters are placeholders");
      return (ffmpegFound = false);
    },
  );
  return ffmpeg;
}

function ffprobePath(): string {
  const bin = config().FFMPEG_PATH;
  return bin.includes("/") ? path.join(path.dirname(bin), "ffprobe") : "ffprobe";
}

export interface VideoFacts {
  width: number | null;
  height: number | null;
  duration_s: number | null;
  poster: ProcessedImage;
  posterKind: "frame" | "placeholder";
}

/** Dimensions, duration and a poster frame; any failure (no ffmpeg, a file it cannot read) gives the placeholder. */
export async function processVideo(localPath: string): Promise<VideoFacts> {
  if (!(await detectFfmpeg())) return { width: null, height: null, duration_s: null, poster: await placeholderPoster(), posterKind: "placeholder" };
  const probe = await probeVideo(localPath).catch(() => null);
  const frame = await posterFrame(localPath, probe?.duration_s ?? 0).catch((err: unknown) => {
    logger.warn({ err }, "video poster failed; using the placeholder");
    return null;
  });
  return {
    width: probe?.width ?? null,
    height: probe?.height ?? null,
    duration_s: probe?.duration_s ?? null,
    poster: frame ?? (await placeholderPoster()),
    posterKind: frame ? "frame" : "placeholder",
  };
}

async function probeVideo(localPath: string): Promise<{ width: number | null; height: number | null; duration_s: number | null }> {
  const { stdout } = await run(ffprobePath(), ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height:format=duration", "-of", "json", localPath], { timeout: 20_000 });
  const json = JSON.parse(stdout) as { streams?: Array<{ width?: number; height?: number }>; format?: { duration?: string } };
  const duration = Number(json.format?.duration);
  return {
    width: json.streams?.[0]?.width ?? null,
    height: json.streams?.[0]?.height ?? null,
    duration_s: Number.isFinite(duration) ? Math.round(duration * 1000) / 1000 : null,
  };
}

/** A frame a little into the video (the first is often black), as a thumbnail. */
async function posterFrame(localPath: string, durationS: number): Promise<ProcessedImage> {
  const out = `${localPath}.poster.png`;
  try {
    const at = Math.min(1, durationS / 2);
    await run(config().FFMPEG_PATH, ["-v", "error", "-y", "-ss", String(at), "-i", localPath, "-frames:v", "1", out], { timeout: 30_000 });
    return await thumbnailOf(sharp(await fs.promises.readFile(out)));
  } finally {
    await fs.promises.rm(out, { force: true });
  }
}

let placeholder: Promise<ProcessedImage> | undefined;

/** A plain dark 9:16 frame: what a client shows until it plays the video itself. */
function placeholderPoster(): Promise<ProcessedImage> {
  placeholder ??= render(
    sharp({ create: { width: 180, height: 320, channels: 3, background: { r: 32, g: 32, b: 40 } } }).jpeg({ quality: 80 }),
    "thumb",
    "image/jpeg",
    "jpg",
  );
  return placeholder;
}
