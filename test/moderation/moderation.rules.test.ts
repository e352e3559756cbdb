import assert from "node:assert/strict";
import { RESOLUTIONS, shouldHide } from "../../src/moderation/moderation.rules";
import { RESOLUTION_ACTIONS } from "../../src/moderation/report.model";
import { storyViewDecision, type ViewerFacts } from "../../src/stories/privacy.rules";
import { isBanActive, type UserBan } from "../../src/auth/ban.rules";

/** The pure decisions behind reports and bans, without a server. */
describe("moderation and ban rules", () => {
  it("hides at the threshold of distinct open reporters, not before", () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => shouldHide(n, 3)), [false, false, false, true, true]);
    assert.equal(shouldHide(1, 1), true);
  });

  it("every resolution closes the reports and does exactly its own thing", () => {
    assert.deepEqual(Object.keys(RESOLUTIONS).sort(), [...RESOLUTION_ACTIONS].sort());
    assert.deepEqual(RESOLUTIONS.dismiss, { status: "dismissed", hidden: false, removeStory: false, banAuthor: false, notifyAuthorOfRemoval: false });
    assert.deepEqual(RESOLUTIONS.remove_story, { status: "actioned", hidden: undefined, removeStory: true, banAuthor: false, notifyAuthorOfRemoval: true });
    assert.deepEqual(RESOLUTIONS.ban_author, { status: "actioned", hidden: true, removeStory: false, banAuthor: true, notifyAuthorOfRemoval: false });
  });

  it("a story hidden pending review is seen by its author only, whatever its privacy", () => {
    const story = { privacy: "public" as const, custom_viewer_ids: ["v"], hidden_from_ids: [], moderation_hidden: true };
    const facts = (over: Partial<ViewerFacts> = {}): ViewerFacts => ({ isAuthor: false, followsAuthor: true, isCloseFriend: true, blockedEitherWay: false, ...over });
    assert.deepEqual(storyViewDecision(story, "a", facts({ isAuthor: true })), { allowed: true, reason: "author" });
    for (const privacy of ["public", "followers", "close_friends", "custom"] as const) {
      assert.deepEqual(storyViewDecision({ ...story, privacy }, "v", facts()), { allowed: false, reason: "under_review" }, privacy);
    }
    assert.deepEqual(storyViewDecision(story, null, facts()), { allowed: false, reason: "under_review" });
    assert.equal(storyViewDecision({ ...story, moderation_hidden: false }, "v", facts()).allowed, true);
    assert.equal(storyViewDecision({ privacy: "public", custom_viewer_ids: [], hidden_from_ids: [] }, "v", facts()).allowed, true, "rows stored before the field");
  });

  it("a ban is active while indefinite or until its time, and lifts by itself after", () => {
    const now = new Date("2026-06-01T12:00:00Z");
    const ban = (until: string | null): UserBan => ({ reason: "r", until: until ? new Date(until) : null, banned_at: new Date("2026-06-01T00:00:00Z"), banned_by: "admin" });
    assert.equal(isBanActive(null, now), false);
    assert.equal(isBanActive(undefined, now), false);
    assert.equal(isBanActive(ban(null), now), true);
    assert.equal(isBanActive(ban("2026-06-01T12:00:01Z"), now), true);
    assert.equal(isBanActive(ban("2026-06-01T12:00:00Z"), now), false, "lifted at the instant");
    assert.equal(isBanActive(ban("2026-05-01T00:00:00Z"), now), false);
  });
});
