import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import type { TestUser } from "../support/factories";
import { api } from "../support/http";
import { minimalMp4, pathOf, pngBytes, rawGet, uploadFile, mediaSpec } from "../support/media";

const hasFfmpeg = (() => {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** /media/<id>/<file> on disk storage: ranges, validators, caching, content types, and nothing outside the media. */
describe("media serving (disk storage)", () => {
  const media = mediaSpec();
  let alice: TestUser;
  beforeEach(() => (alice = media.user()));

  it("serves a video with Range (206, suffix and open ranges, 416), ETag/304 and a year's immutable caching", async () => {
    const mp4 = minimalMp4(64 * 1024);
    const res = await uploadFile(alice.token, mp4, "clip.bin", "application/octet-stream");
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.kind, "video");
    assert.equal(res.body.content_type, "video/mp4");
    assert.equal(res.body.poster, "placeholder", "no frame can be taken from a box-only file");
    assert.equal((await rawGet(pathOf(res.body.thumbnail_url))).headers["content-type"], "image/jpeg");
    const url = pathOf(res.body.media_url);
    assert.match(url, /\/original\.mp4$/);

    const full = await rawGet(url);
    assert.equal(full.status, 200);
    assert.deepEqual(full.body, mp4, "the original is stored byte for byte");
    assert.equal(full.headers["content-type"], "video/mp4");
    assert.equal(full.headers["accept-ranges"], "bytes");
    assert.match(String(full.headers["cache-control"]), /max-age=31536000/);
    assert.match(String(full.headers["cache-control"]), /immutable/);
    assert.equal(full.headers["x-content-type-options"], "nosniff");
    const etag = String(full.headers.etag);
    assert.ok(etag.length > 2);

    const first = await rawGet(url, { range: "bytes=0-99" });
    assert.equal(first.status, 206);
    assert.equal(first.headers["content-range"], `bytes 0-99/${mp4.length}`);
    assert.deepEqual(first.body, mp4.subarray(0, 100));
    const middle = await rawGet(url, { range: "bytes=1000-" });
    assert.equal(middle.status, 206);
    assert.deepEqual(middle.body, mp4.subarray(1000));
    const tail = await rawGet(url, { range: "bytes=-500" });
    assert.equal(tail.status, 206);
    assert.deepEqual(tail.body, mp4.subarray(mp4.length - 500));
    const outside = await rawGet(url, { range: `bytes=${mp4.length + 10}-` });
    assert.equal(outside.status, 416);
    assert.equal(outside.headers["content-range"], `bytes */${mp4.length}`);

    const cached = await rawGet(url, { "if-none-match": etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);
  });

  it("refuses path traversal, encoded or not, absolute paths, listings and dot folders with 404", async () => {
    const png = await uploadFile(alice.token, await pngBytes());
    const id = png.body.media_id as string;
    fs.writeFileSync(path.join(media.dir(), "secret.txt"), "not for you");
    const attempts = [
      "/media/../package.json",
      "/media/..%2f..%2fpackage.json",
      "/media/..%2F..%2F..%2Fetc%2Fpasswd",
      "/media/%2e%2e/%2e%2e/package.json",
      `/media/${id}/..%2f..%2fsecret.txt`,
      `/media/${id}/%2e%2e%2fsecret.txt`,
      `/media/${id}/..%5csecret.txt`,
      "/media/%2fetc%2fpasswd",
      "/media//etc/passwd",
      `/media/${encodeURIComponent(path.join(media.dir(), "secret.txt"))}`,
      "/media/secret.txt",
      "/media/.staging/x.jpg",
      `/media/${id}/`,
      `/media/${id}`,
      "/media/",
      `/media/${id}/original.png/..`,
      `/media/${id}/original.PNG`,
      `/media/${id}/missing.jpg`,
      `/media/${id}/original.png%00.jpg`,
    ];
    for (const p of attempts) {
      const res = await rawGet(p);
      assert.equal(res.status, 404, `${p} → ${res.status}`);
      assert.equal(res.body.includes(Buffer.from("not for you")), false);
    }
    assert.equal((await rawGet(pathOf(png.body.media_url))).status, 200, "the real file still serves");
  });

  it("takes a poster frame, dimensions and duration from a real video with ffmpeg (placeholder without)", async function () {
    if (!hasFfmpeg) this.skip();
    this.timeout(60_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "limelight-video-"));
    const file = path.join(tmp, "clip.mov");
    execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "2", "-pix_fmt", "yuv420p", "-f", "mov", file]);
    const res = await uploadFile(alice.token, fs.readFileSync(file), "clip.mp4", "video/mp4");
    fs.rmSync(tmp, { recursive: true, force: true });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.content_type, "video/quicktime", "a MOV sent as mp4 is a MOV");
    assert.match(res.body.media_url, /original\.mov$/);
    assert.deepEqual([res.body.width, res.body.height], [320, 240]);
    assert.ok(Math.abs(res.body.duration_s - 2) < 0.2, `duration ${res.body.duration_s}`);
    assert.equal(res.body.poster, "frame");
    const poster = await sharp((await rawGet(pathOf(res.body.thumbnail_url))).body).metadata();
    assert.deepEqual([poster.width, poster.height], [320, 240]);
    const ready = await api("GET", "/health/ready");
    assert.deepEqual(ready.body.media, { storage: "disk", video_posters: "ffmpeg" });
  });
});
