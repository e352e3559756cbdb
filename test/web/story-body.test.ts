import assert from "node:assert/strict";
import { storyBody, type PostForm } from "../../src/web/client/story-body";
import { createStoryBodySchema } from "../../src/stories/story.schemas";

/** The post form's bodies, checked against the schema POST /stories validates with. */
const form = (extra: Partial<PostForm> = {}): PostForm => ({ text: " Friday? ", color: "#6c4bd8", privacy: "followers", imageUrl: "", question: "", options: ["", "", "", ""], ...extra });

describe("browser client: the story the post form sends", () => {
  it("a text story with a poll of the filled options is a valid body", () => {
    const body = storyBody(form({ question: " Where? ", options: ["Cinema", " ", "Karaoke", ""] }));
    const parsed = createStoryBodySchema.safeParse(body);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    assert.equal(parsed.data.story_type, "text");
    assert.equal(parsed.data.text_content, "Friday?");
    assert.deepEqual(parsed.data.stickers.map((s: any) => s.poll.options.map((o: any) => o.text)), [["Cinema", "Karaoke"]], "blank options are left out");
  });

  it("a picture by URL or by upload carries the text as its caption", () => {
    const byUrl = createStoryBodySchema.safeParse(storyBody(form({ imageUrl: "https://cdn.example/p.jpg" })));
    assert.ok(byUrl.success, JSON.stringify(byUrl.error?.issues));
    assert.deepEqual([byUrl.data.story_type, byUrl.data.media_url, byUrl.data.caption], ["image", "https://cdn.example/p.jpg", "Friday?"]);
    const uploaded = createStoryBodySchema.safeParse(storyBody(form({ media: { media_id: "md_abc123", kind: "video" }, imageUrl: "https://ignored.example/x.jpg" })));
    assert.ok(uploaded.success, JSON.stringify(uploaded.error?.issues));
    assert.deepEqual([uploaded.data.story_type, uploaded.data.media_id, uploaded.data.media_url], ["video", "md_abc123", undefined], "an upload wins over a typed URL");
  });

  it("a poll with one option, or a text story without text, is what the server refuses (the form shows its error)", () => {
    assert.equal(createStoryBodySchema.safeParse(storyBody(form({ question: "Where?", options: ["Cinema", "", "", ""] }))).success, false);
    assert.equal(createStoryBodySchema.safeParse(storyBody(form({ text: "  " }))).success, false);
  });
});
