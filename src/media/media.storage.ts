import path from "node:path";
import { config, type Config } from "../config";
import { DiskStorage } from "./disk.storage";
import type { S3Storage } from "./s3.storage";

/**
 * Where media bytes live. Chosen by configuration, never by callers: the local disk
 * (DATA_DIR/media, served by the sidecar at /media) by default, an S3-compatible bucket when
 * S3_BUCKET is set. Keys are `<media id>/<file name>`.
 */
export interface MediaStorage {
  readonly name: "disk" | "s3";
  /** Where uploads are staged on the local disk while being checked and processed. */
  readonly stagingDir: string;
  /** Store a staged local file under `key` (it may be moved away). */
  putFile(key: string, localPath: string, contentType: string): Promise<void>;
  putBuffer(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Size of the stored object, or null when there is none. */
  stat(key: string): Promise<{ bytes: number } | null>;
  /** Its first `n` bytes (fewer when shorter): enough to sniff the type without downloading it. */
  readHead(key: string, n: number): Promise<Buffer>;
  /** Copy the object to a local file (for processing). */
  download(key: string, localPath: string): Promise<void>;
  /** Remove objects; keys that do not exist are fine. */
  delete(keys: string[]): Promise<void>;
  /** The URL clients fetch the object from; `origin` is this server's, for disk storage. */
  publicUrl(key: string, origin: string): string;
  /** A URL the client PUTs the object to directly (S3 only: null on disk). */
  presignPut(key: string, contentType: string, bytes: number): Promise<string | null>;
}

let cached: { cfg: Config; storage: MediaStorage } | undefined;

export function mediaDir(cfg: Config = config()): string {
  return path.resolve(cfg.MEDIA_DIR ?? path.join(cfg.DATA_DIR, "media"));
}

/** The configured storage (rebuilt when the configuration object changes, as tests do). */
export function mediaStorage(): MediaStorage {
  const cfg = config();
  if (cached?.cfg !== cfg) cached = { cfg, storage: cfg.S3_BUCKET ? s3Storage(cfg, cfg.S3_BUCKET) : new DiskStorage(mediaDir(cfg), cfg.MEDIA_PUBLIC_BASE_URL) };
  return cached.storage;
}

/** The AWS SDK is loaded only when a bucket is configured (it is heavy, and disk deployments never use it). */
function s3Storage(cfg: Config, bucket: string): S3Storage {
  const { S3Storage: Storage } = require("./s3.storage") as typeof import("./s3.storage");
  return new Storage(cfg, bucket);
}
