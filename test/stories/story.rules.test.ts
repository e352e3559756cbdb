import { strict as assert } from "node:assert";
import { DomainError } from "../../src/shared/errors";
import { createStoryBodySchema } from "../../src/stories/story.schemas";
import {
  assertCanMessageAuthor,
  buildNewStory,
  canReshareMention,
  expiryUpdate,
  isActive,
  isInAuthorArchive,
  mentionedUserIds,
  shouldHardDelete,
  softDeleteUpdate,
} from "../../src/stories/story.rules";
import { at, AUTHOR, HOUR, NOW, OTHER, storyWithStickers, VIEWER } from "./story.fixtures";

const DAY = 24 * HOUR;
const code = (c: string) => (e: unknown) => e instanceof DomainError && e.code === c;

describe("story rules: building a story", () => {
  it("zeroes counters and tallies and expires 24 h later by default", () => {
    const s = storyWithStickers();
    assert.equal(s.expires_at.getTime() - NOW.getTime(), 24 * HOUR);
    assert.deepEqual([s.view_count, s.reply_count, s.reaction_count, s.interaction_count], [0, 0, 0, 0]);
    assert.equal(s.is_expired || s.is_deleted || s.is_archived, false);
    const poll = s.stickers[0]!;
    assert.ok(poll.sticker_type === "poll");
    assert.deepEqual(poll.poll.options.map((o) => o.votes), [0, 0, 0]);
    assert.equal(poll.poll.total_votes, 0);
    const quiz = s.stickers[1]!;
    assert.ok(quiz.sticker_type === "quiz");
    assert.deepEqual(quiz.quiz.options.map((o) => o.is_correct), [false, true, false]);
    const slider = s.stickers[3]!;
    assert.ok(slider.sticker_type === "slider");
    assert.deepEqual([slider.slider.min_value, slider.slider.max_value, slider.slider.response_count], [0, 100, 0]);
  });

  it("honours the configured expiry and a shorter per-story lifetime", () => {
    const body = createStoryBodySchema.parse({ story_type: "image", media_id: "m" });
    assert.equal(buildNewStory(body, AUTHOR, NOW, { expiryHours: 12 }).expires_at.getTime(), NOW.getTime() + 12 * HOUR);
    const short = createStoryBodySchema.parse({ story_type: "image", media_id: "m", expires_in_hours: 3 });
    assert.equal(buildNewStory(short, AUTHOR, NOW).expires_at.getTime(), NOW.getTime() + 3 * HOUR);
  });

  it("refuses a countdown that has already ended", () => {
    const body = createStoryBodySchema.parse({
      story_type: "image",
      media_id: "m",
      stickers: [{ sticker_type: "countdown", ...at, countdown: { title: "Past", end_time: "2025-05-31T00:00:00Z" } }],
    });
    assert.throws(() => buildNewStory(body, AUTHOR, NOW), code("countdown_in_past"));
  });

  it("merges the author's hide list with the story's and never lists the author", () => {
    const body = createStoryBodySchema.parse({
      story_type: "image",
      media_id: "m",
      privacy: "custom",
      custom_viewer_ids: [VIEWER, VIEWER, AUTHOR],
      hidden_from_ids: [OTHER],
    });
    const s = buildNewStory(body, AUTHOR, NOW, { authorHiddenFromIds: [OTHER, "d".repeat(24)] });
    assert.deepEqual(s.custom_viewer_ids, [VIEWER]);
    assert.deepEqual(s.hidden_from_ids.sort(), [OTHER, "d".repeat(24)].sort());
  });

  it("refuses mentioning yourself; lists mentioned users for notification", () => {
    const body = createStoryBodySchema.parse({
      story_type: "image",
      media_id: "m",
      stickers: [{ sticker_type: "mention", ...at, mention: { user_id: AUTHOR } }],
    });
    assert.throws(() => buildNewStory(body, AUTHOR, NOW), code("mention_self"));
    const s = storyWithStickers();
    assert.deepEqual(mentionedUserIds(s), [OTHER]);
    assert.equal(canReshareMention(s, OTHER, NOW), true);
    assert.equal(canReshareMention(s, VIEWER, NOW), false);
    assert.equal(canReshareMention(s, OTHER, new Date(NOW.getTime() + DAY)), false);
  });
});

describe("story rules: life cycle", () => {
  it("a story is live until expires_at, whatever the sweeper's is_expired flag says", () => {
    const s = storyWithStickers();
    assert.equal(isActive(s, new Date(NOW.getTime() + DAY - 1)), true);
    assert.equal(isActive(s, new Date(NOW.getTime() + DAY)), false);
    assert.equal(isActive({ ...s, is_deleted: true }, NOW), false);
  });

  it("the sweeper flags expired stories once, archiving per the author's setting", () => {
    const s = storyWithStickers();
    const later = new Date(NOW.getTime() + DAY);
    assert.equal(expiryUpdate(s, NOW), null);
    assert.deepEqual(expiryUpdate(s, later), { is_expired: true, is_archived: true, updated_at: later });
    assert.equal(expiryUpdate(s, later, false)!.is_archived, false);
    assert.equal(expiryUpdate({ ...s, is_expired: true }, later), null);
  });

  it("the author's archive: expired and not deleted, unless the sweep expired it without archiving", () => {
    const s = storyWithStickers();
    const later = new Date(NOW.getTime() + DAY);
    assert.equal(isInAuthorArchive(s, NOW), false, "still live");
    assert.equal(isInAuthorArchive(s, later), true, "expired by the clock, before any sweep");
    assert.equal(isInAuthorArchive({ ...s, ...expiryUpdate(s, later)! }, later), true, "swept and archived");
    assert.equal(isInAuthorArchive({ ...s, ...expiryUpdate(s, later, false)! }, later), false, "swept with archiving off");
    assert.equal(isInAuthorArchive({ ...s, is_deleted: true }, later), false, "deleted");
  });

  it("purges only after retention, never archived or highlighted stories", () => {
    const s = { ...storyWithStickers(), is_expired: true };
    const day31 = new Date(s.expires_at.getTime() + 31 * DAY);
    const day29 = new Date(s.expires_at.getTime() + 29 * DAY);
    assert.equal(shouldHardDelete(s, day29, 30), false);
    assert.equal(shouldHardDelete(s, day31, 30), true);
    assert.equal(shouldHardDelete(s, day31, 30, true), false, "in a highlight");
    const archived = { ...s, is_archived: true };
    assert.equal(shouldHardDelete(archived, day29, 30), false, "archived: kept for the retention window");
    assert.equal(shouldHardDelete(archived, day31, 30), true, "archived: purged after it unless highlighted");
    const deleted = { ...s, is_deleted: true, deleted_at: new Date(NOW.getTime() + HOUR) };
    assert.equal(shouldHardDelete(deleted, new Date(NOW.getTime() + 30 * DAY), 30), false);
    assert.equal(shouldHardDelete(deleted, new Date(NOW.getTime() + 31 * DAY), 30), true);
  });

  it("only the author can delete, once", () => {
    const s = storyWithStickers();
    assert.throws(() => softDeleteUpdate(s, VIEWER, NOW), code("not_story_author"));
    assert.deepEqual(softDeleteUpdate(s, AUTHOR, NOW), { is_deleted: true, deleted_at: NOW, updated_at: NOW });
    assert.throws(() => softDeleteUpdate({ ...s, is_deleted: true }, AUTHOR, NOW), code("story_not_found"));
  });
});

describe("story rules: views, replies, reactions", () => {
  it("replies and reactions go to a live story's author, not from the author", () => {
    const s = storyWithStickers();
    assert.doesNotThrow(() => assertCanMessageAuthor(s, VIEWER, NOW));
    assert.throws(() => assertCanMessageAuthor(s, AUTHOR, NOW), code("own_story"));
    assert.throws(() => assertCanMessageAuthor(s, VIEWER, new Date(NOW.getTime() + DAY)), code("story_expired"));
    assert.throws(() => assertCanMessageAuthor({ ...s, is_deleted: true }, VIEWER, NOW), code("story_not_found"));
  });
});
