import { strict as assert } from "node:assert";
import { DomainError } from "../../src/shared/errors";
import {
  createHighlightBodySchema,
  highlightCoverSchema,
  reorderHighlightsBodySchema,
  updateHighlightBodySchema,
} from "../../src/highlights/highlight.schemas";
import {
  addStories,
  applyHighlightUpdate,
  buildNewHighlight,
  profileHighlights,
  removeStories,
  reorderHighlights,
  visibleHighlightStories,
  type HighlightStory,
} from "../../src/highlights/highlight.rules";

const OWNER = "a".repeat(24);
const STRANGER = "b".repeat(24);
const NOW = new Date("2025-06-01T12:00:00Z");
const sid = (n: number) => n.toString(16).padStart(24, "0");
const code = (c: string) => (e: unknown) => e instanceof DomainError && e.code === c;

function s(n: number, extra: Partial<HighlightStory> = {}): HighlightStory {
  return {
    _id: sid(n),
    user_id: OWNER,
    is_deleted: false,
    media_url: `https://cdn.example/${n}.jpg`,
    thumbnail_url: `https://cdn.example/${n}_t.jpg`,
    background_color: null,
    background_gradient: null,
    ...extra,
  };
}
const stories = [s(1), s(2), s(3), s(4, { user_id: STRANGER }), s(5, { is_deleted: true }), s(6, { media_url: null, thumbnail_url: null, background_color: "#112233" })];

describe("highlight schemas", () => {
  it("accepts the seed example body and refuses long titles and unknown fields", () => {
    const body = { title: "Summer 2025", description: "Best vacation ever!", story_ids: [sid(1), sid(2)], cover: { emoji: "☀️", color: "#FFD700" }, is_pinned: true };
    assert.equal(createHighlightBodySchema.safeParse(body).success, true);
    assert.equal(createHighlightBodySchema.safeParse({ ...body, title: "x".repeat(31) }).success, false);
    assert.equal(createHighlightBodySchema.safeParse({ ...body, story_ids: [] }).success, false);
    assert.equal(createHighlightBodySchema.safeParse({ ...body, views: 3 }).success, false);
  });

  it("a cover is a story, an emoji (optionally on a colour) or a colour — nothing mixed", () => {
    assert.equal(highlightCoverSchema.safeParse({ story_id: sid(1) }).success, true);
    assert.equal(highlightCoverSchema.safeParse({ emoji: "🏖️" }).success, true);
    assert.equal(highlightCoverSchema.safeParse({ color: "#FFF" }).success, true);
    assert.equal(highlightCoverSchema.safeParse({ story_id: sid(1), emoji: "🏖️" }).success, false);
    assert.equal(highlightCoverSchema.safeParse({ emoji: "beach" }).success, false);
    assert.equal(updateHighlightBodySchema.safeParse({}).success, false);
    assert.equal(reorderHighlightsBodySchema.safeParse({ highlight_ids: [] }).success, false);
  });
});

describe("highlight rules", () => {
  const create = (body: object, existing: { order_index: number }[] = []) =>
    buildNewHighlight(createHighlightBodySchema.parse({ title: "Trip", ...body }), OWNER, stories, existing, NOW);

  it("creates from the owner's stories, deduplicated, with the first story as default cover", () => {
    const h = create({ story_ids: [sid(2), sid(1), sid(2)] });
    assert.deepEqual(h.story_ids, [sid(2), sid(1)]);
    assert.equal(h.story_count, 2);
    assert.deepEqual(h.cover, { story_id: sid(2), media_url: "https://cdn.example/2_t.jpg", emoji: null, color: null });
    assert.equal(h.is_pinned, false);
    assert.equal(h.order_index, 0);
    assert.equal(create({ story_ids: [sid(1)] }, [{ order_index: 0 }, { order_index: -2 }]).order_index, -3, "new highlights go first");
  });

  it("refuses someone else's story and a deleted one, without saying which exists", () => {
    assert.throws(() => create({ story_ids: [sid(1), sid(4)] }), (e: unknown) => code("story_not_found")(e) && JSON.stringify((e as DomainError).details).includes(sid(4)));
    assert.throws(() => create({ story_ids: [sid(5)] }), code("story_not_found"));
    assert.throws(() => create({ story_ids: [sid(99)] }), code("story_not_found"));
  });

  it("a story cover must be in the highlight; a text story's cover is its colour", () => {
    assert.throws(() => create({ story_ids: [sid(1)], cover: { story_id: sid(2) } }), code("cover_story_not_in_highlight"));
    assert.deepEqual(create({ story_ids: [sid(6)] }).cover, { story_id: sid(6), media_url: null, emoji: null, color: "#112233" });
    assert.deepEqual(create({ story_ids: [sid(1)], cover: { emoji: "☀️", color: "#FFD700" } }).cover, {
      story_id: null,
      media_url: null,
      emoji: "☀️",
      color: "#FFD700",
    });
  });

  it("adding is idempotent and owner-only; removing the cover story moves the cover; removing all says delete", () => {
    const h = { ...create({ story_ids: [sid(1)] }), _id: "h1" };
    const added = addStories(h, [sid(1), sid(2), sid(3)], stories, OWNER, NOW);
    assert.deepEqual(added.added, [sid(2), sid(3)]);
    assert.deepEqual(added.already_present, [sid(1)]);
    assert.deepEqual(added.highlight.story_ids, [sid(1), sid(2), sid(3)]);
    assert.throws(() => addStories(h, [sid(2)], stories, STRANGER, NOW), code("not_highlight_owner"));

    const removed = removeStories(added.highlight, [sid(1)], stories, OWNER, NOW);
    assert.equal(removed.highlight.cover.story_id, sid(2));
    assert.equal(removed.highlight.story_count, 2);
    assert.equal(removed.delete_highlight, false);
    assert.equal(removeStories(removed.highlight, [sid(2), sid(3)], stories, OWNER, NOW).delete_highlight, true);
  });

  it("caps a highlight at 100 stories", () => {
    const many = Array.from({ length: 101 }, (_, i) => s(100 + i));
    const h = buildNewHighlight(
      createHighlightBodySchema.parse({ title: "All", story_ids: many.slice(0, 100).map((x) => x._id) }),
      OWNER,
      many,
      [],
      NOW,
    );
    assert.throws(() => addStories(h, [many[100]!._id], many, OWNER, NOW), code("highlight_full"));
  });

  it("archiving unpins; the profile shows pinned first, then by order, never archived", () => {
    const h = create({ story_ids: [sid(1)], is_pinned: true });
    const archived = applyHighlightUpdate(h, { is_archived: true }, stories, OWNER, NOW);
    assert.equal(archived.is_pinned, false);
    const list = [
      { id: "x", is_archived: false, is_pinned: false, order_index: 0 },
      { id: "y", is_archived: false, is_pinned: true, order_index: 5 },
      { id: "z", is_archived: true, is_pinned: false, order_index: -1 },
      { id: "w", is_archived: false, is_pinned: false, order_index: -1 },
    ];
    assert.deepEqual(profileHighlights(list).map((h) => h.id), ["y", "w", "x"]);
  });

  it("reorder must be a permutation of the owner's unarchived highlights", () => {
    const mine = [
      { _id: "h1", user_id: OWNER, is_archived: false, order_index: 0 },
      { _id: "h2", user_id: OWNER, is_archived: false, order_index: 1 },
      { _id: "h3", user_id: OWNER, is_archived: true, order_index: 2 },
      { _id: "hx", user_id: STRANGER, is_archived: false, order_index: 0 },
    ];
    assert.deepEqual(reorderHighlights(mine, ["h2", "h1"], OWNER), [
      { _id: "h2", order_index: 0 },
      { _id: "h1", order_index: 1 },
    ]);
    for (const bad of [["h1"], ["h1", "h2", "h2"], ["h1", "h2", "hx"], ["h2", "h1", "h3"]]) {
      assert.throws(() => reorderHighlights(mine, bad, OWNER), code("reorder_not_permutation"), bad.join());
    }
  });

  it("a highlight keeps each story's privacy (close-friends stays close-friends) and drops deleted stories", () => {
    const base = { custom_viewer_ids: [], hidden_from_ids: [], is_deleted: false };
    const list = [
      { _id: "1", privacy: "public" as const, ...base },
      { _id: "2", privacy: "close_friends" as const, ...base },
      { _id: "3", privacy: "public" as const, ...base, is_deleted: true },
    ];
    const facts = { isAuthor: false, followsAuthor: true, isCloseFriend: false, blockedEitherWay: false };
    const h = { story_ids: ["1", "2", "3"] };
    assert.deepEqual(visibleHighlightStories(h, list, STRANGER, facts).map((x) => x._id), ["1"]);
    assert.deepEqual(visibleHighlightStories(h, list, STRANGER, { ...facts, isCloseFriend: true }).map((x) => x._id), ["1", "2"]);
  });
});
