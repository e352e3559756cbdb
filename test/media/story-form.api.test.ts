import assert from "node:assert/strict";
import fs from "node:fs";
import mongoose from "mongoose";
import sharp from "sharp";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { fileForm, jpegWithGps, pathOf, postForm, rawGet, mediaSpec } from "../support/media";

const poll = { sticker_type: "poll", x: 0.5, y: 0.7, width: 0.8, height: 0.3, poll: { question: "Leg day?", options: [{ text: "Yes" }, { text: "Always" }] } };

/** Seed 001's `POST /stories` with `media: UploadFile`: the story's fields and its photo in one multipart request. */
describe("POST /api/v1/stories as a multipart form", () => {
  const media = mediaSpec();
  let alice: TestUser;
  beforeEach(() => (alice = media.user()));

  const storedFiles = () => fs.readdirSync(media.dir()).filter((f) => f !== ".staging");

  it("posts the story with its uploaded photo: media_url and thumbnail_url answered and served, EXIF gone", async () => {
    const form = fileForm(await jpegWithGps(900, 600), "gym.jpg", "image/jpeg", "media", {
      story_type: "image",
      caption: "PR today",
      privacy: "public",
      duration: "7",
      stickers: JSON.stringify([poll]),
    });
    const res = await postForm("/api/v1/stories", alice.token, form);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const story = res.body;
    assert.match(story.media_id, /^md_[0-9a-f]{32}$/);
    assert.equal(story.caption, "PR today");
    assert.equal(story.duration, 7);
    assert.equal(story.stickers[0].poll.question, "Leg day?");
    const photo = await rawGet(pathOf(story.media_url));
    assert.equal(photo.status, 200);
    const meta = await sharp(photo.body).metadata();
    assert.deepEqual([meta.width, meta.height, meta.exif], [900, 600, undefined]);
    assert.equal((await rawGet(pathOf(story.thumbnail_url))).status, 200);

    const bob = await createUser();
    const seen = await api("GET", `/api/v1/stories/${story.id}`, { token: bob.token });
    assert.equal(seen.body.thumbnail_url, story.thumbnail_url);
  });

  it("refuses a form whose story fields are invalid before storing the file", async () => {
    const form = fileForm(await jpegWithGps(300, 200), "gym.jpg", "image/jpeg", "media", { story_type: "image", privacy: "everyone" });
    const res = await postForm("/api/v1/stories", alice.token, form);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "invalid_body");
    assert.equal(await mongoose.connection.collection("media").countDocuments(), 0);
    assert.equal(await mongoose.connection.collection("stories").countDocuments(), 0);
    assert.deepEqual(storedFiles(), []);
  });

  it("takes a text story as a form without a file; refuses bad JSON fields, reserved names and an image story without media", async () => {
    const text = new FormData();
    text.append("story_type", "text");
    text.append("text_content", "rest day");
    text.append("background_gradient", JSON.stringify(["#000000", "#FF6B6B"]));
    const ok = await postForm("/api/v1/stories", alice.token, text);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.background_gradient, ["#000000", "#FF6B6B"]);

    const badJson = new FormData();
    badJson.append("story_type", "text");
    badJson.append("text_content", "x");
    badJson.append("stickers", "[{not json");
    const r1 = await postForm("/api/v1/stories", alice.token, badJson);
    assert.equal(r1.status, 400);
    assert.equal(r1.body.error.code, "invalid_multipart");

    const proto = new FormData();
    proto.append("story_type", "text");
    proto.append("text_content", "x");
    proto.append("stickers", JSON.stringify([poll]).replace('"poll":', '"__proto__":{"polluted":1},"poll":'));
    const r2 = await postForm("/api/v1/stories", alice.token, proto);
    assert.equal(r2.status, 400);
    assert.equal(r2.body.error.code, "invalid_body");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const protoField = new FormData();
    protoField.append("__proto__", "x");
    assert.equal((await postForm("/api/v1/stories", alice.token, protoField)).status, 400);

    const noMedia = new FormData();
    noMedia.append("story_type", "image");
    const r3 = await postForm("/api/v1/stories", alice.token, noMedia);
    assert.equal(r3.status, 400);
    assert.equal(await mongoose.connection.collection("stories").countDocuments(), 1, "only the text story");
  });

  it("refuses an unsupported file in the form with 415 and posts nothing", async () => {
    const form = fileForm(Buffer.from("#!/bin/sh\necho hi\n".repeat(400)), "gym.jpg", "image/jpeg", "media", { story_type: "image" });
    const res = await postForm("/api/v1/stories", alice.token, form);
    assert.equal(res.status, 415);
    assert.equal(res.body.error.code, "unsupported_media");
    assert.equal(await mongoose.connection.collection("stories").countDocuments(), 0);
  });
});
