import assert from "node:assert/strict";
import mongoose from "mongoose";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { call } from "../support/stories";
import { minimalMp4, pathOf, pngBytes, rawGet, uploadFile, mediaSpec } from "../support/media";
import { sweepOrphanMedia } from "../../src/media/media-sweeper.job";
import { sweepExpiredStories } from "../../src/stories/story.maintenance";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Uploaded media in stories and highlights: URLs filled from the upload, orphans swept, purged stories' media deleted. */
describe("media lifecycle", () => {
  const media = mediaSpec(() => ({ MEDIA_ORPHAN_GRACE_HOURS: 24 }));
  let alice: TestUser;
  beforeEach(() => (alice = media.user()));

  const upload = async (user: TestUser, bytes?: Buffer) => {
    const res = await uploadFile(user.token, bytes ?? (await pngBytes(640, 480)));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { media_id: string; media_url: string; thumbnail_url: string; size: number };
  };
  const exists = async (m: { media_id: string; media_url: string }) => {
    const record = await mongoose.connection.collection("media").countDocuments({ _id: m.media_id as never });
    const file = (await rawGet(pathOf(m.media_url))).status;
    assert.equal(record === 1, file === 200, `record and file agree for ${m.media_id}`);
    return record === 1;
  };
  const usage = async (user: TestUser) => (await mongoose.connection.collection("media_usage").findOne({ _id: user.id as never }))?.bytes ?? 0;

  it("a story with an uploaded media_id shows the upload's URLs; others' media and the wrong kind are refused", async () => {
    const photo = await upload(alice);
    const story = await call("POST", "/api/v1/stories", alice.token, { story_type: "image", media_id: photo.media_id, media_url: "https://elsewhere.example/x.jpg", privacy: "public" });
    assert.equal(story.media_url, photo.media_url, "our URL wins over a typed one");
    assert.equal(story.thumbnail_url, photo.thumbnail_url);
    const bob = await createUser();
    assert.equal((await api("GET", `/api/v1/stories/${story.id}`, { token: bob.token })).body.media_url, photo.media_url);

    const theirs = await api("POST", "/api/v1/stories", { token: bob.token, body: { story_type: "image", media_id: photo.media_id } });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.error.code, "media_not_found");
    const clip = await upload(alice, minimalMp4());
    const mismatch = await api("POST", "/api/v1/stories", { token: alice.token, body: { story_type: "image", media_id: clip.media_id } });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.error.code, "media_type_mismatch");
    const opaque = await api("POST", "/api/v1/stories", { token: alice.token, body: { story_type: "image", media_id: "cdn-asset-42", media_url: "https://cdn.example/42.jpg" } });
    assert.equal(opaque.status, 201, "ids from elsewhere are taken as before");
  });

  it("deletes media no story or highlight uses once the grace period is over, and frees the quota", async () => {
    const used = await upload(alice);
    const cover = await upload(alice);
    const orphan = await upload(alice);
    await call("POST", "/api/v1/stories", alice.token, { story_type: "image", media_id: used.media_id });
    // a highlight whose stored cover still shows an upload no story uses any more (a cover keeps its
    // story's picture URL; the story itself may have left the highlight and been purged)
    const holder = await call("POST", "/api/v1/stories", alice.token, { story_type: "text", text_content: "hi" });
    const h = await call("POST", "/api/v1/highlights", alice.token, { title: "gym", story_ids: [holder.id] });
    await mongoose.connection.collection("highlights").updateOne({ _id: new mongoose.Types.ObjectId(h.id) }, { $set: { "cover.media_url": cover.thumbnail_url } });
    const before = await usage(alice);
    assert.equal(before, used.size + cover.size + orphan.size);

    assert.deepEqual(await sweepOrphanMedia(new Date(Date.now() + 23 * HOUR)), { deleted: 0 }, "within the grace period");
    assert.equal(await exists(orphan), true);
    assert.deepEqual(await sweepOrphanMedia(new Date(Date.now() + 25 * HOUR)), { deleted: 1 });
    assert.equal(await exists(orphan), false);
    assert.equal(await exists(used), true);
    assert.equal(await exists(cover), true, "a highlight cover keeps its media");
    assert.equal(await usage(alice), before - orphan.size);
  });

  it("deletes a story's media when the story is purged; a highlighted story keeps its media", async () => {
    const gone = await upload(alice);
    const kept = await upload(alice);
    await call("POST", "/api/v1/stories", alice.token, { story_type: "image", media_id: gone.media_id });
    const highlighted = await call("POST", "/api/v1/stories", alice.token, { story_type: "image", media_id: kept.media_id });
    await call("POST", "/api/v1/highlights", alice.token, { title: "keep", story_ids: [highlighted.id] });

    const { hard_deleted } = await sweepExpiredStories(new Date(Date.now() + 40 * DAY));
    assert.equal(hard_deleted, 1);
    assert.equal(await exists(gone), false, "deleted with its story, without waiting for the orphan sweep");
    assert.equal(await exists(kept), true);
    assert.equal(await usage(alice), kept.size);
  });
});
