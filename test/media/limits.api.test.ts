import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { resetState, testServer } from "../support/server";
import { config, setConfig } from "../../src/config";
import { recountMediaUsage } from "../../src/media/media.repository";
import { createUser, type TestUser } from "../support/factories";
import { jpegWithGps, minimalMp4, pngBytes, streamUpload, stubbornUpload, uploadFile, useMediaConfig } from "../support/media";

const MB = 1024 * 1024;

/** Size limits on the stream, the per-user rate limit and the quota. */
describe("media limits", () => {
  let alice: TestUser;
  const media = useMediaConfig(() => ({ MEDIA_UPLOADS_PER_MINUTE: 4 }));
  before(testServer);
  beforeEach(async () => {
    await resetState();
    alice = await createUser();
  });

  const nothingKept = async () => {
    assert.equal(await mongoose.connection.collection("media").countDocuments(), 0, "no media record");
    // the refusal is answered first; the staged part is removed as the aborted stream closes
    const staging = path.join(media.dir(), ".staging");
    const left = () => (fs.existsSync(staging) ? fs.readdirSync(staging) : []);
    for (let i = 0; i < 50 && left().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(left(), [], "the staged part was removed");
  };

  it("answers 413 to a 200 MB image streamed without a length, early, while memory stays flat", async function () {
    this.timeout(120_000);
    const head = (await jpegWithGps(64, 64)).subarray(0, 4096); // a JPEG start: the image limit (15 MB) applies
    const attempt = await streamUpload(alice.token, { totalBytes: 200 * MB, head, declareLength: false });
    assert.equal(attempt.status, 413, JSON.stringify(attempt.body));
    assert.equal(attempt.body.error.code, "media_too_large");
    assert.equal(attempt.body.error.details.kind, "image");
    assert.equal(attempt.body.error.details.limit_bytes, 15 * MB);
    assert.ok(attempt.sentAtResponse < 60 * MB, `answered after ${Math.round(attempt.sentAtResponse / MB)} MB of 200`);
    // Node's client stops sending once it has the whole answer (Connection: close); it saw no reset
    assert.ok(attempt.rssRise < 80 * MB, `RSS rose ${Math.round(attempt.rssRise / MB)} MB over a 200 MB upload`);
    await nothingKept();
    // the server is fine afterwards
    assert.equal((await uploadFile(alice.token, await pngBytes())).status, 201);
  });

  it("answers 413 at once to a declared length over every limit, before reading the body", async function () {
    this.timeout(120_000);
    const head = (await jpegWithGps(64, 64)).subarray(0, 4096);
    const attempt = await streamUpload(alice.token, { totalBytes: 200 * MB, head, declareLength: true });
    assert.equal(attempt.status, 413);
    assert.equal(attempt.body.error.code, "media_too_large");
    assert.ok(attempt.sentAtResponse < 20 * MB, `answered after ${Math.round(attempt.sentAtResponse / MB)} MB`);
    assert.ok(attempt.rssRise < 80 * MB, `RSS rose ${Math.round(attempt.rssRise / MB)} MB`);
    await nothingKept();
  });

  it("answers 413 to a client that sends all 200 MB before reading: the connection stays until the body is in", async function () {
    this.timeout(120_000);
    // a video start: the 100 MB limit applies, and the declared length is over it
    const head = minimalMp4(4096);
    for (const chunked of [false, true]) {
      const attempt = await stubbornUpload(alice.token, { totalBytes: 200 * MB, head, chunked });
      assert.equal(attempt.status, 413, JSON.stringify(attempt.body));
      assert.equal(attempt.body.error.code, "media_too_large");
      if (chunked) assert.equal(attempt.body.error.details.kind, "video", "refused by the stream at the video limit");
      assert.ok(attempt.sentTotal > 200 * MB, "everything was sent, none of it refused by a reset");
      // the server reads and drops the rest as fast as this client writes it: the dropped chunks are
      // garbage until the next GC (RSS seen up to ~120 MB late in a full suite); holding the body
      // would take all 200 MB, and more than one attempt's worth would pile up across the two
      assert.ok(attempt.rssRise < 160 * MB, `RSS rose ${Math.round(attempt.rssRise / MB)} MB over a 200 MB body`);
      await nothingKept();
    }
  });
  it("limits uploads per user per minute: 429 with Retry-After, other users unaffected", async () => {
    const png = await pngBytes();
    for (let i = 0; i < 4; i++) assert.equal((await uploadFile(alice.token, png)).status, 201);
    const limited = await uploadFile(alice.token, png);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, "upload_rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(await mongoose.connection.collection("media").countDocuments(), 4);
    const bob = await createUser();
    assert.equal((await uploadFile(bob.token, png)).status, 201);
  });
});

describe("media quota", () => {
  let alice: TestUser;
  useMediaConfig();
  before(testServer);
  beforeEach(async () => {
    await resetState();
    alice = await createUser();
  });

  it("counts stored bytes per user and refuses what would pass the quota with 403 media_quota_exceeded", async () => {
    const photo = await jpegWithGps(1200, 900);
    const probe = await uploadFile((await createUser()).token, photo); // one upload's stored size (original, variants, thumbnail)
    assert.equal(probe.status, 201);
    const one = probe.body.size as number;
    const quota = Math.floor(one * 2.5);
    setConfig({ ...config(), MEDIA_QUOTA_BYTES: quota });

    assert.equal((await uploadFile(alice.token, photo)).status, 201);
    assert.equal((await uploadFile(alice.token, photo)).status, 201);
    const third = await uploadFile(alice.token, photo);
    assert.equal(third.status, 403);
    assert.equal(third.body.error.code, "media_quota_exceeded");
    assert.equal(third.body.error.details.used_bytes, 2 * one);
    assert.equal(third.body.error.details.quota_bytes, quota);
    assert.equal(await mongoose.connection.collection("media").countDocuments({ owner_id: alice.id }), 2);
    // quotas are per user
    assert.equal((await uploadFile((await createUser()).token, photo)).status, 201);
  });

  it("lets only one of two racing uploads take the last free space", async () => {
    const photo = await jpegWithGps(1200, 900);
    const one = (await uploadFile((await createUser()).token, photo)).body.size as number;
    setConfig({ ...config(), MEDIA_QUOTA_BYTES: Math.floor(one * 1.5) });
    const results = await Promise.all([uploadFile(alice.token, photo), uploadFile(alice.token, photo), uploadFile(alice.token, photo)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 403, 403]);
    const usage = await mongoose.connection.collection("media_usage").findOne({ _id: alice.id as never });
    assert.equal(usage?.bytes, one, "usage counts the one stored upload");
  });

  it("a usage counter left high by a crash between reserving and recording is recounted from the records at boot", async () => {
    const photo = await jpegWithGps(1200, 900);
    const one = (await uploadFile(alice.token, photo)).body.size as number;
    setConfig({ ...config(), MEDIA_QUOTA_BYTES: Math.floor(one * 2.5) });
    // what a process killed after reserving its bytes leaves: usage for a file that was never recorded
    await mongoose.connection.collection("media_usage").updateOne({ _id: alice.id as never }, { $inc: { bytes: one } });
    assert.equal((await uploadFile(alice.token, photo)).status, 403, "the phantom bytes block the next upload");
    assert.equal(await recountMediaUsage(), 1, "the boot recount corrects alice's row");
    assert.equal((await mongoose.connection.collection("media_usage").findOne({ _id: alice.id as never }))?.bytes, one);
    assert.equal((await uploadFile(alice.token, photo)).status, 201, "the quota is hers again");
    assert.equal(await recountMediaUsage(), 0, "nothing left to correct");
  });
});
