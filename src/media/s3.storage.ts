import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { Config } from "../config";
import type { MediaStorage } from "./media.storage";

/**
 * Media in an S3 bucket (AWS, or any S3-compatible server at S3_ENDPOINT with path-style URLs).
 * Uploads through the server are staged in the OS temp dir, then streamed to the bucket; large
 * videos can skip the server with a presigned PUT.
 */
export class S3Storage implements MediaStorage {
  readonly name = "s3" as const;
  readonly stagingDir: string;
  private readonly client: S3Client;

  constructor(
    private readonly cfg: Config,
    private readonly bucket: string,
  ) {
    this.stagingDir = path.join(os.tmpdir(), "limelight-media-staging");
    fs.mkdirSync(this.stagingDir, { recursive: true });
    this.client = new S3Client({
      region: cfg.S3_REGION,
      ...(cfg.S3_ENDPOINT ? { endpoint: cfg.S3_ENDPOINT } : {}),
      forcePathStyle: cfg.S3_FORCE_PATH_STYLE,
      ...(cfg.S3_ACCESS_KEY_ID && cfg.S3_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: cfg.S3_ACCESS_KEY_ID, secretAccessKey: cfg.S3_SECRET_ACCESS_KEY } }
        : {}),
    });
  }

  async putFile(key: string, localPath: string, contentType: string): Promise<void> {
    const { size } = await fs.promises.stat(localPath);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: fs.createReadStream(localPath), ContentLength: size, ContentType: contentType, CacheControl: IMMUTABLE }));
    await fs.promises.rm(localPath, { force: true });
  }

  async putBuffer(key: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentLength: bytes.length, ContentType: contentType, CacheControl: IMMUTABLE }));
  }

  async stat(key: string): Promise<{ bytes: number } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { bytes: head.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async readHead(key: string, n: number): Promise<Buffer> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${n - 1}` }));
    return Buffer.from(await res.Body!.transformToByteArray()).subarray(0, n);
  }

  async download(key: string, localPath: string): Promise<void> {
    const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    await pipeline(res.Body as Readable, fs.createWriteStream(localPath));
  }

  async delete(keys: string[]): Promise<void> {
    // one call per key: DeleteObjects needs a Content-MD5 some S3-compatible servers reject
    await Promise.all(keys.map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))));
  }

  publicUrl(key: string): string {
    if (this.cfg.MEDIA_PUBLIC_BASE_URL) return `${this.cfg.MEDIA_PUBLIC_BASE_URL}/${key}`;
    if (this.cfg.S3_ENDPOINT) {
      const endpoint = this.cfg.S3_ENDPOINT.replace(/\/+$/, "");
      if (this.cfg.S3_FORCE_PATH_STYLE) return `${endpoint}/${this.bucket}/${key}`;
      const url = new URL(endpoint);
      return `${url.protocol}//${this.bucket}.${url.host}/${key}`;
    }
    return `https://${this.bucket}.s3.${this.cfg.S3_REGION}.amazonaws.com/${key}`;
  }

  /** Signed with the type and length, so the client cannot PUT a larger or different object on this URL. */
  async presignPut(key: string, contentType: string, bytes: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: bytes, CacheControl: IMMUTABLE }),
      { expiresIn: this.cfg.S3_PRESIGN_TTL_SECONDS, signableHeaders: new Set(["content-type", "content-length"]) },
    );
  }
}

/** Objects never change under a key (a new upload is a new media id). */
const IMMUTABLE = "public, max-age=31536000, immutable";

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
}
