import { strict as assert } from "node:assert";
import { DomainError } from "../../src/shared/errors";
import { buildFeedPage, decodeFeedCursor, groupFeed, pageFeed, type FeedStoryFields } from "../../src/stories/feed.rules";
import type { ViewerGraph } from "../../src/stories/privacy.rules";
import type { StoryPrivacy } from "../../src/stories/story.types";
import { HOUR, NOW } from "./story.fixtures";

const ME = "0".repeat(24);
const id = (n: number) => n.toString(16).padStart(24, "f");
const user = (c: string) => c.repeat(24);
let seq = 0;
function story(author: string, hoursAgo: number, privacy: StoryPrivacy = "followers", extra: Partial<FeedStoryFields> = {}): FeedStoryFields {
  const created = new Date(NOW.getTime() - hoursAgo * HOUR);
  return {
    _id: id(++seq),
    user_id: author,
    created_at: created,
    expires_at: new Date(created.getTime() + 24 * HOUR),
    is_deleted: false,
    privacy,
    custom_viewer_ids: [],
    hidden_from_ids: [],
    ...extra,
  };
}

describe("feed rules: the story tray", () => {
  it("own reel first, then authors with unseen stories, then fully seen ones, newest first within each", () => {
    const A = user("a"), B = user("b"), C = user("c"), D = user("d");
    const a1 = story(A, 5), b1 = story(B, 1), c1 = story(C, 3), c2 = story(C, 2), d1 = story(D, 4), mine = story(ME, 10);
    // B posted most recently but is fully seen; C has one unseen; A and D are unseen.
    const reels = groupFeed([a1, b1, c1, c2, d1, mine], [b1._id, c1._id], ME);
    assert.deepEqual(reels.map((r) => r.author_id), [ME, C, D, A, B]);
    const c = reels[1]!;
    assert.deepEqual(c.stories.map((s) => s._id), [c1._id, c2._id], "oldest first");
    assert.equal(c.start_index, 1, "playback resumes at the first unseen story");
    assert.equal(c.unseen_count, 1);
    assert.equal(reels[4]!.has_unseen, false);
    assert.equal(reels[4]!.start_index, 0);
    assert.equal(reels[0]!.is_own, true);
  });

  it("never shows expired, deleted, blocked, hidden or privacy-restricted stories", () => {
    const F = user("a"), S = user("b"), P = user("c");
    const graph: ViewerGraph = {
      viewerId: ME,
      followingIds: new Set([F, P]),
      closeFriendOfIds: new Set(),
      blockedIds: new Set([P]),
      hiddenByAuthorIds: new Set(),
    };
    const visible = story(F, 1);
    const stories = [
      visible,
      story(F, 25), // expired
      story(F, 1, "followers", { is_deleted: true }),
      story(F, 1, "close_friends"),
      story(F, 1, "custom", { custom_viewer_ids: [user("e")] }),
      story(F, 1, "public", { hidden_from_ids: [ME] }),
      story(S, 1, "followers"), // not followed
      story(P, 1, "public"), // blocked
    ];
    const page = buildFeedPage(stories, [], graph, NOW, { limit: 20 });
    assert.deepEqual(page.items.flatMap((r) => r.stories.map((s) => s._id)), [visible._id]);
  });

  it("shows a stranger's public story and a close friend's close-friends story", () => {
    const S = user("b"), CF = user("c");
    const graph: ViewerGraph = {
      viewerId: ME,
      followingIds: new Set(),
      closeFriendOfIds: new Set([CF]),
      blockedIds: new Set(),
      hiddenByAuthorIds: new Set(),
    };
    const page = buildFeedPage([story(S, 1, "public"), story(CF, 2, "close_friends")], [], graph, NOW, { limit: 20 });
    assert.deepEqual(page.items.map((r) => r.author_id), [S, CF]);
  });

  it("pages through the tray with an opaque cursor, without repeats or gaps", () => {
    const authors = Array.from({ length: 7 }, (_, i) => user("abcdef1"[i]!));
    const stories = authors.map((a, i) => story(a, i + 1));
    const reels = groupFeed(stories, [stories[0]!._id, stories[3]!._id], ME);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = pageFeed(reels, { cursor, limit: 3 });
      seen.push(...page.items.map((r) => r.author_id));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, reels.map((r) => r.author_id));
    assert.throws(() => decodeFeedCursor("not-a-cursor"), (e: unknown) => e instanceof DomainError && e.code === "invalid_cursor");
  });
});
