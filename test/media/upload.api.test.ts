import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import mongoose from "mongoose";
import type { TestUser } from "../support/factories";
import { api } from "../support/http";
import { fileForm, jpegWithGps, pathOf, postForm, pngBytes, rawGet, uploadFile, mediaSpec } from "../support/media";

/** POST /api/v1/media on disk storage: the bytes decide the type, images lose their EXIF, answers carry URLs that serve. */
describe("media uploads (disk storage)", () => {
  const media = mediaSpec();
  let alice: TestUser;
  beforeEach(() => (alice = media.user()));

  it("stores a JPEG without its EXIF (GPS gone), upright, with variants, a thumbnail and its dimensions", async () => {
    const original = await jpegWithGps(1600, 1200); // stored sideways (1200×1600) with orientation 6
    const before = await sharp(original).metadata();
    assert.ok(before.exif && original.includes(Buffer.from("LimelightTestCam")), "the fixture really carries EXIF");
    assert.equal(before.orientation, 6);

    const res = await uploadFile(alice.token, original, "IMG_0001.JPG");
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const m = res.body;
    assert.match(m.media_id, /^md_[0-9a-f]{32}$/);
    assert.equal(m.kind, "image");
    assert.equal(m.content_type, "image/jpeg");
    assert.deepEqual([m.width, m.height], [1600, 1200], "orientation applied: landscape as the camera meant it");
    assert.deepEqual(m.variants.map((v: { width: number }) => v.width), [1080, 480]);

    const stored = await rawGet(pathOf(m.media_url));
    assert.equal(stored.status, 200);
    assert.equal(stored.headers["content-type"], "image/jpeg");
    const meta = await sharp(stored.body).metadata();
    assert.equal(meta.exif, undefined, "no EXIF block at all (GPS included)");
    assert.equal(stored.body.includes(Buffer.from("LimelightTestCam")), false);
    assert.deepEqual([meta.width, meta.height], [1600, 1200]);
    assert.equal(m.size > stored.body.length, true, "size counts every stored file");

    const thumb = await rawGet(pathOf(m.thumbnail_url));
    assert.equal(thumb.status, 200);
    const tmeta = await sharp(thumb.body).metadata();
    assert.deepEqual([tmeta.width, tmeta.height], [320, 240]);
    assert.equal(tmeta.exif, undefined);
    const v480 = await sharp((await rawGet(pathOf(m.variants[1].url))).body).metadata();
    assert.deepEqual([v480.width, v480.height], [480, 360]);
  });

  it("calls a PNG named .jpg and sent as image/jpeg a PNG", async () => {
    const res = await uploadFile(alice.token, await pngBytes(64, 48), "holiday.jpg", "image/jpeg");
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.content_type, "image/png");
    assert.match(res.body.media_url, /\/original\.png$/);
    assert.deepEqual(res.body.variants, [], "no variant wider than a 64 px original");
    const served = await rawGet(pathOf(res.body.media_url));
    assert.equal(served.headers["content-type"], "image/png");
    assert.equal((await sharp(served.body).metadata()).format, "png");
  });

  it("answers 415 naming HEIC when a HEIC photo cannot be decoded (the prebuilt libvips has no HEVC decoder)", async () => {
    // an ISO-BMFF file with the `heic` brand: what an iPhone sends, as far as the type check sees
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypheic", "latin1"), Buffer.from([0, 0, 0, 0]), Buffer.from("mif1heic", "latin1")]);
    const res = await uploadFile(alice.token, Buffer.concat([ftyp, Buffer.alloc(8192, 1)]), "IMG_0002.HEIC", "image/heic");
    assert.equal(res.status, 415);
    assert.equal(res.body.error.code, "unsupported_media");
    assert.equal(res.body.error.details.detected, "image/heic");
    assert.match(res.body.error.message, /HEIC/);
  });

  it("refuses a text file and an executable dressed as images with 415, storing nothing", async () => {
    const text = await uploadFile(alice.token, Buffer.from("just some words, not a picture\n".repeat(300)), "cat.jpg");
    assert.equal(text.status, 415);
    assert.equal(text.body.error.code, "unsupported_media");
    const elf = await uploadFile(alice.token, fs.readFileSync(process.execPath).subarray(0, 256 * 1024), "cat.png", "image/png");
    assert.equal(elf.status, 415);
    assert.equal(elf.body.error.code, "unsupported_media");
    assert.equal(elf.body.error.details.detected, "application/x-elf");
    const tiny = await uploadFile(alice.token, Buffer.from([0xff, 0xd8, 0xff]), "broken.jpg");
    assert.equal(tiny.status, 415, "a JPEG signature with no image behind it");
    assert.equal(await mongoose.connection.collection("media").countDocuments(), 0);
    const left = fs.readdirSync(media.dir(), { recursive: true }).filter((f) => !String(f).startsWith(".staging"));
    assert.deepEqual(left, [], "no file kept");
    assert.deepEqual(fs.readdirSync(path.join(media.dir(), ".staging")), [], "staging emptied");
  });

  it("needs a token, a multipart body and a file in the `file` field", async () => {
    const png = await pngBytes();
    const anon = await fetch(`http://127.0.0.1:${process.env.TEST_PORT ?? 2568}/api/v1/media`, { method: "POST", body: new FormData() });
    assert.equal(anon.status, 401);
    const json = await api("POST", "/api/v1/media", { token: alice.token, body: { file: "x" } });
    assert.equal(json.status, 400);
    assert.equal(json.body.error.code, "multipart_required");
    const wrongField = await postForm("/api/v1/media", alice.token, fileForm(png, "a.png", "image/png", "photo"));
    assert.equal(wrongField.status, 400);
    assert.equal(wrongField.body.error.code, "invalid_multipart");
    const noFile = new FormData();
    noFile.append("caption", "hi");
    const empty = await postForm("/api/v1/media", alice.token, noFile);
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, "media_file_missing");
  });

  it("is in the OpenAPI document with its multipart body, as is the story form", async () => {
    const doc = (await api("GET", "/api/v1/openapi.json")).body;
    const upload = doc.paths["/api/v1/media"].post;
    assert.ok(upload.requestBody.content["multipart/form-data"], "multipart body documented");
    assert.ok(upload.responses["201"].content && upload.responses["413"] && upload.responses["415"]);
    const story = doc.paths["/api/v1/stories"].post.requestBody.content;
    assert.ok(story["application/json"] && story["multipart/form-data"], "JSON and form both documented");
    assert.ok(doc.paths["/api/v1/media/uploads"].post && doc.paths["/api/v1/media/{id}/complete"].post);
  });
});
