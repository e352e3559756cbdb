import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import net from "node:net";
import sharp from "sharp";
import { config, setConfig, type Config } from "../../src/config";
import { TEST_PORT, baseUrl, resetState, testServer } from "./server";
import { createUser, type TestUser } from "./factories";
import type { ApiResponse } from "./http";

/**
 * Media test helpers: a fresh storage directory (and any config overrides) per spec, multipart
 * uploads through fetch's FormData, raw HTTP for paths fetch would normalise, and real fixtures.
 */
export function useMediaConfig(overrides: () => Partial<Config> = () => ({})): { dir: () => string } {
  let saved: Config;
  let dir = "";
  beforeEach(() => {
    saved = config();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "limelight-media-test-"));
    setConfig({ ...saved, MEDIA_DIR: dir, ...overrides() });
  });
  afterEach(() => {
    setConfig(saved);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir };
}

/** A media spec: the booted server, a clean slate and a fresh media directory per test, and a signed-in creator. */
export function mediaSpec(overrides: () => Partial<Config> = () => ({})): { dir: () => string; user: () => TestUser } {
  const media = useMediaConfig(overrides);
  let user: TestUser;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    user = await createUser({ roles: ["creator"] });
  });
  return { dir: media.dir, user: () => user };
}

export async function postForm<T = any>(pathname: string, token: string, form: FormData): Promise<ApiResponse<T>> {
  const res = await fetch(baseUrl + pathname, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** A one-file form: the file under `field`, named and typed as the client claims (the server ignores both). */
export function fileForm(bytes: Buffer, filename: string, claimedType = "image/jpeg", field = "file", fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append(field, new Blob([new Uint8Array(bytes)], { type: claimedType }), filename);
  return form;
}

export const uploadFile = (token: string, bytes: Buffer, filename = "photo.jpg", claimedType = "image/jpeg") =>
  postForm("/api/v1/media", token, fileForm(bytes, filename, claimedType));

/** GET over raw HTTP, the path sent byte for byte (fetch would resolve `..` and `%2e%2e`). */
export function rawGet(rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: TEST_PORT, path: rawPath, method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Local media URLs are absolute on this server; the path part is what the test server serves. */
export const pathOf = (url: string) => new URL(url).pathname;

/**
 * A real JPEG, `width`×`height` as stored, carrying EXIF with a GPS position (Paris) and the
 * orientation tag 6 ("rotate 90° to view"): stored pixels are height×width, sideways.
 */
export async function jpegWithGps(width = 600, height = 400): Promise<Buffer> {
  return sharp({ create: { width: height, height: width, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: "LimelightTestCam" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 2940/100", GPSLongitudeRef: "E", GPSLongitude: "2/1 17/1 4000/100" },
    })
    .toBuffer();
}

export const pngBytes = (width = 64, height = 48) =>
  sharp({ create: { width, height, channels: 4, background: { r: 0, g: 128, b: 255, alpha: 1 } } }).png().toBuffer();

/** ISO-BMFF boxes: the smallest file file-type calls video/mp4 (ftyp isom) with a moov and some mdat payload. */
export function minimalMp4(payloadBytes = 64 * 1024): Buffer {
  const box = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length, 0);
    head.write(type, 4, "latin1");
    return Buffer.concat([head, body]);
  };
  const ftyp = box("ftyp", Buffer.concat([Buffer.from("isom", "latin1"), Buffer.from([0, 0, 2, 0]), Buffer.from("isomiso2avc1mp41", "latin1")]));
  const moov = box("moov", box("mvhd", Buffer.alloc(100)));
  const payload = Buffer.alloc(payloadBytes);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
  return Buffer.concat([ftyp, moov, box("mdat", payload)]);
}

/** One multipart file part of `totalBytes` (starting with `head`), written 1 MiB at a time: the client holds one chunk. */
async function writeFilePart(write: (b: Buffer) => Promise<void>, pre: Buffer, head: Buffer, totalBytes: number, post: Buffer): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  await write(pre);
  await write(head);
  for (let left = totalBytes - head.length; left > 0; left -= chunk.length) await write(left >= chunk.length ? chunk : chunk.subarray(0, left));
  await write(post);
}

export interface StreamedAttempt {
  status: number;
  body: any;
  /** bytes the client had written when the answer's headers arrived */
  sentAtResponse: number;
  sentTotal: number;
  /** highest rise of this process's RSS (server and client both live here) during the attempt */
  rssRise: number;
}

/**
 * Upload `totalBytes` as one multipart file, generated on the fly in 1 MiB chunks (the client
 * holds one chunk), starting with `head` (e.g. a JPEG's first bytes). With `declareLength` the
 * request carries Content-Length; otherwise it is chunked, so only the stream can tell its size.
 */
export function streamUpload(token: string, opts: { totalBytes: number; head: Buffer; declareLength: boolean }): Promise<StreamedAttempt> {
  const boundary = `----limelight${Date.now()}`;
  const pre = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const post = Buffer.from(`\r\n--${boundary}--\r\n`);
  const headers: Record<string, string | number> = { authorization: `Bearer ${token}`, "content-type": `multipart/form-data; boundary=${boundary}` };
  if (opts.declareLength) headers["content-length"] = pre.length + opts.totalBytes + post.length;
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let sentAtResponse = -1;
    const req = http.request({ host: "127.0.0.1", port: TEST_PORT, path: "/api/v1/media", method: "POST", headers }, (res) => {
      sentAtResponse = sent;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        clearInterval(sampler);
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body, sentAtResponse, sentTotal: sent, rssRise: peak - baseline });
      });
    });
    req.on("error", (err) => {
      clearInterval(sampler);
      reject(new Error(`the client lost the connection after sending ${sent} bytes (answer seen: ${sentAtResponse >= 0}): ${err.message}`));
    });
    const write = (buf: Buffer) => {
      sent += buf.length;
      return req.write(buf) ? Promise.resolve() : new Promise<void>((r) => req.once("drain", () => r()));
    };
    writeFilePart(write, pre, opts.head, opts.totalBytes, post)
      .then(() => req.end())
      .catch(reject);
  });
}

/**
 * The same upload from a client that never looks at the answer until it has sent everything (as
 * some browsers do): a raw socket, the request with Content-Length, the whole body, then read.
 * The server must keep the connection until the body is in, or this client sees a reset.
 */
export function stubbornUpload(token: string, opts: { totalBytes: number; head: Buffer; chunked?: boolean }): Promise<{ status: number; body: any; sentTotal: number; rssRise: number }> {
  const boundary = `----limelight${Date.now()}`;
  const pre = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const post = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = pre.length + opts.totalBytes + post.length;
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  return new Promise((resolve, reject) => {
    const socket = net.connect(TEST_PORT, "127.0.0.1");
    const received: Buffer[] = [];
    let sent = 0;
    socket.on("data", (c: Buffer) => received.push(c)); // buffered by us, read only at the end
    socket.on("error", (err) => {
      clearInterval(sampler);
      reject(new Error(`connection error after ${sent} bytes: ${err.message}`));
    });
    socket.on("end", () => {
      clearInterval(sampler);
      const text = Buffer.concat(received).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const json = text.slice(text.indexOf("\r\n\r\n") + 4);
      let body: unknown = json;
      try {
        body = JSON.parse(json);
      } catch {
        // not JSON
      }
      resolve({ status, body, sentTotal: sent, rssRise: peak - baseline });
    });
    const raw = (buf: Buffer) => (socket.write(buf) ? Promise.resolve() : new Promise<void>((r) => socket.once("drain", () => r())));
    const write = (buf: Buffer) => {
      sent += buf.length;
      return raw(opts.chunked ? Buffer.concat([Buffer.from(`${buf.length.toString(16)}\r\n`), buf, Buffer.from("\r\n")]) : buf);
    };
    socket.once("connect", () => {
      (async () => {
        const framing = opts.chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`;
        await raw(Buffer.from(`POST /api/v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n${framing}\r\n\r\n`));
        await writeFilePart(write, pre, opts.head, opts.totalBytes, post);
        if (opts.chunked) await raw(Buffer.from("0\r\n\r\n"));
      })().catch(reject);
    });
  });
}
