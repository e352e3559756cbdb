import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import sharp from "sharp";
import { config, setConfig, type Config } from "../../src/config";
import { TEST_PORT, baseUrl } from "./server";
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
