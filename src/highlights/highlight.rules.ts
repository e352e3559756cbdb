import { ConflictError, NotFoundError, ValidationError } from "../shared/errors";
import { canViewStory, type ViewerFacts } from "../stories/privacy.rules";
import type { StoryDoc } from "../stories/story.types";
import { storyErrors } from "../stories/story.errors";
import {
  MAX_HIGHLIGHTS_PER_USER,
  MAX_STORIES_PER_HIGHLIGHT,
  type CreateHighlightBody,
  type HighlightCoverInput,
  type UpdateHighlightBody,
} from "./highlight.schemas";
import { highlightErrors } from "./highlight.errors";

/**
 * Highlights: permanent, owner-curated collections of the owner's stories — live, expired or
 * archived, but never deleted ones. Highlights never expire; a story in a highlight is never purged
 * (see `shouldHardDelete` in story.rules.ts).
 */

export interface HighlightCover {
  /** Set when the cover is one of the highlight's stories. */
  story_id: string | null;
  media_url: string | null;
  emoji: string | null;
  color: string | null;
}

export interface HighlightDoc {
  _id?: string;
  user_id: string;
  title: string;
  description: string | null;
  cover: HighlightCover;
  /** Playback order (order of addition). */
  story_ids: string[];
  story_count: number;
  is_archived: boolean;
  is_pinned: boolean;
  /** Position on the profile, ascending; pinned highlights come before all others. */
  order_index: number;
  created_at: Date;
  updated_at: Date;
}

/** The story fields highlight rules need. */
export type HighlightStory = Pick<
  StoryDoc,
  "user_id" | "is_deleted" | "media_url" | "thumbnail_url" | "background_color" | "background_gradient"
> & { _id: string };

export function assertHighlightOwner(highlight: Pick<HighlightDoc, "user_id">, userId: string): void {
  if (highlight.user_id !== userId) throw highlightErrors.notHighlightOwner();
}

/**
 * The requested ids, de-duplicated (first occurrence kept), after checking each is a live
 * (not deleted) story of the owner. Someone else's story and a deleted one are reported the same
 * way — NotFoundError `story_not_found` with the offending ids — so the endpoint does not reveal
 * which ids exist.
 */
export function checkOwnedStories(
  requestedIds: readonly string[],
  stories: readonly HighlightStory[],
  ownerId: string,
): string[] {
  const byId = new Map(stories.map((s) => [s._id, s]));
  const ids = [...new Set(requestedIds)];
  const bad = ids.filter((id) => {
    const s = byId.get(id);
    return s === undefined || s.is_deleted || s.user_id !== ownerId;
  });
  if (bad.length > 0) {
    throw storyErrors.notFound({ story_ids: bad });
  }
  return ids;
}

function assertCapacity(count: number): void {
  if (count > MAX_STORIES_PER_HIGHLIGHT) {
    throw highlightErrors.full(MAX_STORIES_PER_HIGHLIGHT, {
      max: MAX_STORIES_PER_HIGHLIGHT,
    });
  }
}

/** A story's picture for a cover: its thumbnail, else its media, else (text stories) its background. */
function coverFromStory(story: HighlightStory): HighlightCover {
  return {
    story_id: story._id,
    media_url: story.thumbnail_url ?? story.media_url,
    emoji: null,
    color: story.media_url || story.thumbnail_url ? null : story.background_color ?? story.background_gradient?.[0] ?? null,
  };
}

/**
 * The cover to store. An explicit story cover must be one of the highlight's stories
 * (ValidationError `cover_story_not_in_highlight`); emoji/colour covers are taken as they are;
 * no cover means the first story's picture.
 */
export function resolveCover(
  cover: HighlightCoverInput | null | undefined,
  storyIds: readonly string[],
  stories: readonly HighlightStory[],
): HighlightCover {
  const byId = new Map(stories.map((s) => [s._id, s]));
  if (cover && "story_id" in cover) {
    const story = byId.get(cover.story_id);
    if (!storyIds.includes(cover.story_id) || story === undefined) {
      throw highlightErrors.coverStoryNotInHighlight({
        story_id: cover.story_id,
      });
    }
    return coverFromStory(story);
  }
  if (cover && "emoji" in cover) return { story_id: null, media_url: null, emoji: cover.emoji, color: cover.color ?? null };
  if (cover && "color" in cover) return { story_id: null, media_url: null, emoji: null, color: cover.color };
  const first = storyIds.length > 0 ? byId.get(storyIds[0]!) : undefined;
  return first ? coverFromStory(first) : { story_id: null, media_url: null, emoji: null, color: null };
}

/**
 * A new highlight document. It goes first on the profile (order_index one below the smallest
 * existing, so no other highlight has to be rewritten). `existing` are the owner's current
 * highlights; at most MAX_HIGHLIGHTS_PER_USER (ConflictError `too_many_highlights`).
 */
export function buildNewHighlight(
  input: CreateHighlightBody,
  ownerId: string,
  stories: readonly HighlightStory[],
  existing: readonly Pick<HighlightDoc, "order_index">[],
  now: Date,
): HighlightDoc {
  if (existing.length >= MAX_HIGHLIGHTS_PER_USER) {
    throw highlightErrors.tooManyHighlights(MAX_HIGHLIGHTS_PER_USER);
  }
  const storyIds = checkOwnedStories(input.story_ids, stories, ownerId);
  assertCapacity(storyIds.length);
  const minIndex = existing.reduce((m, h) => Math.min(m, h.order_index), Number.POSITIVE_INFINITY);
  return {
    user_id: ownerId,
    title: input.title,
    description: input.description ? input.description : null,
    cover: resolveCover(input.cover, storyIds, stories),
    story_ids: storyIds,
    story_count: storyIds.length,
    is_archived: false,
    is_pinned: input.is_pinned,
    order_index: existing.length === 0 ? 0 : minIndex - 1,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Add stories (owner's, not deleted). Ones already in the highlight are skipped, not an error
 * (adding is idempotent). ConflictError `highlight_full` past the cap. If the highlight had no
 * picture cover yet, the first story becomes it.
 */
export function addStories(
  highlight: HighlightDoc,
  storyIds: readonly string[],
  stories: readonly HighlightStory[],
  actorId: string,
  now: Date,
): { highlight: HighlightDoc; added: string[]; already_present: string[] } {
  assertHighlightOwner(highlight, actorId);
  const ids = checkOwnedStories(storyIds, stories, actorId);
  const present = new Set(highlight.story_ids);
  const added = ids.filter((id) => !present.has(id));
  const alreadyPresent = ids.filter((id) => present.has(id));
  const next = [...highlight.story_ids, ...added];
  assertCapacity(next.length);
  const emptyCover = !highlight.cover.story_id && !highlight.cover.emoji && !highlight.cover.color && !highlight.cover.media_url;
  return {
    highlight: {
      ...highlight,
      story_ids: next,
      story_count: next.length,
      cover: emptyCover ? resolveCover(undefined, next, stories) : highlight.cover,
      updated_at: added.length > 0 ? now : highlight.updated_at,
    },
    added,
    already_present: alreadyPresent,
  };
}

/**
 * Remove stories. Ids not in the highlight are ignored. A highlight left without stories should be
 * deleted (as on Instagram): `delete_highlight: true`. If the cover story was removed the cover
 * falls back to the first remaining story (`stories` must then include it).
 */
export function removeStories(
  highlight: HighlightDoc,
  storyIds: readonly string[],
  stories: readonly HighlightStory[],
  actorId: string,
  now: Date,
): { highlight: HighlightDoc; removed: string[]; delete_highlight: boolean } {
  assertHighlightOwner(highlight, actorId);
  const drop = new Set(storyIds);
  const removed = highlight.story_ids.filter((id) => drop.has(id));
  const next = highlight.story_ids.filter((id) => !drop.has(id));
  const coverGone = highlight.cover.story_id !== null && drop.has(highlight.cover.story_id);
  return {
    highlight: {
      ...highlight,
      story_ids: next,
      story_count: next.length,
      cover: coverGone ? resolveCover(undefined, next, stories) : highlight.cover,
      updated_at: removed.length > 0 ? now : highlight.updated_at,
    },
    removed,
    delete_highlight: next.length === 0,
  };
}

/** Apply a PATCH body. A story cover must be one of the highlight's stories; `cover: null` resets to the first story. */
export function applyHighlightUpdate(
  highlight: HighlightDoc,
  body: UpdateHighlightBody,
  stories: readonly HighlightStory[],
  actorId: string,
  now: Date,
): HighlightDoc {
  assertHighlightOwner(highlight, actorId);
  const next: HighlightDoc = { ...highlight, updated_at: now };
  if (body.title !== undefined) next.title = body.title;
  if (body.description !== undefined) next.description = body.description ? body.description : null;
  if (body.cover !== undefined) next.cover = resolveCover(body.cover, highlight.story_ids, stories);
  if (body.is_pinned !== undefined) next.is_pinned = body.is_pinned;
  if (body.is_archived !== undefined) {
    next.is_archived = body.is_archived;
    // An archived highlight leaves the profile; staying pinned there would be meaningless.
    if (body.is_archived) next.is_pinned = false;
  }
  return next;
}

/**
 * New order_index values for a reorder request. `highlightIds` must be exactly the owner's
 * unarchived highlights, each once (ValidationError `reorder_not_permutation` with the missing,
 * unknown and duplicated ids). Archived highlights are not on the profile and keep their index.
 */
export function reorderHighlights(
  highlights: readonly Pick<HighlightDoc, "_id" | "user_id" | "is_archived" | "order_index">[],
  highlightIds: readonly string[],
  ownerId: string,
): { _id: string; order_index: number }[] {
  const mine = highlights.filter((h) => h.user_id === ownerId && !h.is_archived && h._id !== undefined);
  const expected = new Set(mine.map((h) => h._id!));
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of highlightIds) {
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  const unknown = [...seen].filter((id) => !expected.has(id));
  const missing = [...expected].filter((id) => !seen.has(id));
  if (duplicates.length || unknown.length || missing.length) {
    throw highlightErrors.reorderNotPermutation({ missing, unknown, duplicates });
  }
  return highlightIds.map((id, i) => ({ _id: id, order_index: i }));
}

/** Highlights as shown on a profile: unarchived, pinned first, then by order_index. */
export function profileHighlights<H extends Pick<HighlightDoc, "is_archived" | "is_pinned" | "order_index">>(
  highlights: readonly H[],
): H[] {
  return highlights
    .filter((h) => !h.is_archived)
    .sort((a, b) => Number(b.is_pinned) - Number(a.is_pinned) || a.order_index - b.order_index);
}

/**
 * The stories of a highlight a viewer may watch, in highlight order. Expiry does not matter here
 * (that is the point of a highlight) but deletion and each story's own privacy do: a close-friends
 * story stays close-friends-only inside a highlight.
 */
export function visibleHighlightStories<
  S extends Pick<StoryDoc, "is_deleted" | "privacy" | "custom_viewer_ids" | "hidden_from_ids"> & { _id: string },
>(highlight: Pick<HighlightDoc, "story_ids">, stories: readonly S[], viewerId: string | null, facts: ViewerFacts): S[] {
  const byId = new Map(stories.map((s) => [s._id, s]));
  return highlight.story_ids.flatMap((id) => {
    const s = byId.get(id);
    return s && !s.is_deleted && canViewStory(s, viewerId, facts) ? [s] : [];
  });
}
