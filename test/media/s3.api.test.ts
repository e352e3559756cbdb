import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import mongoose from "mongoose";
import { config, setConfig, type Config } from "../../src/config";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { jpegWithGps, minimalMp4, uploadFile, useMediaConfig } from "../support/media";

// s3rver ships no types; this is the part the test uses
const S3rver = require("s3rver") as new (opts: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const BUCKET = "limelight-test";

/** The S3 path end to end against s3rver (a local S3-compatible server) started here. */
describe("media on S3-compatible storage", () => {
  let alice: TestUser;
  let server: InstanceType<typeof S3rver>;
  let endpoint = "";
  let dir = "";
  let saved: Config;
  before(async () => {
    await testServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "limelight-s3rver-"));
    server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
    endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await resetState();
    alice = await createUser();
    saved = config();
    setConfig({ ...saved, S3_BUCKET: BUCKET, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: "S3RVER", S3_FORCE_PATH_STYLE: true });
  });
  afterEach(() => setConfig(saved));

  const objectAt = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), type: res.headers.get("content-type") };
  };

  it("stores an upload through the server in the bucket, EXIF stripped, with its thumbnail", async () => {
    const res = await uploadFile(alice.token, await jpegWithGps(800, 600));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.ok(res.body.media_url.startsWith(`${endpoint}/${BUCKET}/${res.body.media_id}/`), res.body.media_url);
    const original = await objectAt(res.body.media_url);
    assert.equal(original.status, 200);
    assert.equal(original.type, "image/jpeg");
    const meta = await sharp(original.body).metadata();
    assert.equal(meta.exif, undefined);
    assert.deepEqual([meta.width, meta.height], [800, 600]);
    assert.equal((await objectAt(res.body.thumbnail_url)).status, 200);
    assert.equal((await api("GET", "/health/ready")).body.media.storage, "s3");
  });

  it("presigned upload: the client PUTs to the bucket, complete checks the bytes, re-encodes, thumbnails; repeating answers the same", async () => {
    const photo = await jpegWithGps(1200, 800);
    const start = await api("POST", "/api/v1/media/uploads", { token: alice.token, body: { content_type: "image/jpeg", size: photo.length } });
    assert.equal(start.status, 201, JSON.stringify(start.body));
    assert.match(start.body.media_id, /^md_/);
    assert.ok(start.body.upload_url.startsWith(`${endpoint}/${BUCKET}/`));
    assert.equal((await api("POST", `/api/v1/media/${start.body.media_id}/complete`, { token: alice.token, body: {} })).body.error.code, "upload_not_found", "nothing uploaded yet");

    const put = await fetch(start.body.upload_url, { method: "PUT", headers: { "content-type": "image/jpeg" }, body: new Uint8Array(photo) });
    assert.equal(put.status, 200, await put.text());
    const other = await createUser();
    assert.equal((await api("POST", `/api/v1/media/${start.body.media_id}/complete`, { token: other.token, body: {} })).status, 404, "only the uploader completes");

    const done = await api("POST", `/api/v1/media/${start.body.media_id}/complete`, { token: alice.token, body: {} });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.content_type, "image/jpeg");
    assert.deepEqual([done.body.width, done.body.height], [1200, 800]);
    const stored = await objectAt(done.body.media_url);
    assert.equal((await sharp(stored.body).metadata()).exif, undefined, "the client's EXIF did not survive completion");
    assert.equal((await objectAt(done.body.thumbnail_url)).status, 200);
    assert.equal((await objectAt(`${endpoint}/${BUCKET}/${start.body.media_id}/upload.raw`)).status, 404, "the raw upload is gone");
    const again = await api("POST", `/api/v1/media/${start.body.media_id}/complete`, { token: alice.token, body: {} });
    assert.deepEqual(again.body, done.body);
    const usage = await mongoose.connection.collection("media_usage").findOne({ _id: alice.id as never });
    assert.equal(usage?.bytes, done.body.size, "counted once");
  });

  it("presigned video keeps the uploaded object as the original", async () => {
    const mp4 = minimalMp4(32 * 1024);
    const start = await api("POST", "/api/v1/media/uploads", { token: alice.token, body: { content_type: "video/mp4", size: mp4.length } });
    assert.equal(start.status, 201);
    assert.equal((await fetch(start.body.upload_url, { method: "PUT", headers: { "content-type": "video/mp4" }, body: new Uint8Array(mp4) })).status, 200);
    const done = await api("POST", `/api/v1/media/${start.body.media_id}/complete`, { token: alice.token, body: {} });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.kind, "video");
    assert.match(done.body.media_url, /original\.mp4$/);
    assert.deepEqual((await objectAt(done.body.media_url)).body, mp4);
    assert.equal((await objectAt(done.body.thumbnail_url)).type, "image/jpeg");
  });

  it("refuses at completion what is not what was declared (415) and removes it; refuses oversized declarations (413)", async () => {
    const text = Buffer.from("hello, I am not a JPEG at all\n".repeat(200));
    const start = await api("POST", "/api/v1/media/uploads", { token: alice.token, body: { content_type: "image/jpeg", size: text.length } });
    assert.equal((await fetch(start.body.upload_url, { method: "PUT", headers: { "content-type": "image/jpeg" }, body: new Uint8Array(text) })).status, 200);
    const done = await api("POST", `/api/v1/media/${start.body.media_id}/complete`, { token: alice.token, body: {} });
    assert.equal(done.status, 415);
    assert.equal(done.body.error.code, "unsupported_media");
    assert.equal((await objectAt(`${endpoint}/${BUCKET}/${start.body.media_id}/upload.raw`)).status, 404, "the refused object was deleted");
    assert.equal(await mongoose.connection.collection("media").countDocuments(), 0);

    const huge = await api("POST", "/api/v1/media/uploads", { token: alice.token, body: { content_type: "image/png", size: 16 * 1024 * 1024 } });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, "media_too_large");
    const gif = await api("POST", "/api/v1/media/uploads", { token: alice.token, body: { content_type: "image/gif", size: 100 } });
    assert.equal(gif.status, 400, "only accepted types can be declared");
  });
});

describe("presigned uploads on disk storage", () => {
  useMediaConfig();
  before(testServer);
  beforeEach(resetState);

  it("are unavailable (503) and say to upload through the server", async () => {
    const alice = await createUser();
    const res = await api("POST", "/api/v1/media/uploads", { token: alice.token, body: { content_type: "image/jpeg", size: 1000 } });
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, "presigned_uploads_unavailable");
  });
});
