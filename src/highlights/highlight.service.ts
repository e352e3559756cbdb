import { clock } from "../shared/clock";
import { ForbiddenError } from "../shared/errors";
import { findUserById } from "../auth/user.repository";
import { isBlockedEitherWay } from "../social/social.repository";
import { viewerFactsFor } from "../social/relationship-facts";
import type { ViewerFacts } from "../stories/privacy.rules";
import { storyFrameOf, type StoryFrame } from "../stories/story.types";
import {
  addStories,
  applyHighlightUpdate,
  assertHighlightOwner,
  buildNewHighlight,
  profileHighlights,
  removeStories,
  reorderHighlights,
  resolveCover,
  visibleHighlightStories,
  type HighlightCover,
  type HighlightDoc,
} from "./highlight.rules";
import type { CreateHighlightBody, UpdateHighlightBody } from "./highlight.schemas";
import * as repo from "./highlight.repository";
import type { HighlightStoryRow, StoredHighlight } from "./highlight.repository";
import { highlightErrors } from "./highlight.errors";
import { authErrors } from "../auth/auth.errors";

/**
 * Highlights: the owner curates permanent collections of their own stories (live, expired or
 * archived — never deleted ones). Who sees them:
 * - a highlight is profile content: any signed-in user may list and open a user's unarchived
 *   highlights, except a blocked pair (either direction), who get 404 as if the user did not exist;
 * - each story inside keeps its own audience (a close-friends story stays close-friends-only, a
 *   story hidden from someone stays hidden), so a viewer gets the highlight with the stories they
 *   may watch; expiry does not matter (that is what a highlight is for), deletion does;
 * - archived highlights are the owner's alone.
 */

/** A story inside a highlight: its frame, whatever its age (expired stories are the point). */
export type HighlightStoryJson = StoryFrame & { id: string; created_at: Date };

/** A highlight as one viewer sees it: the stored fields, with the stories this viewer may watch. */
export type HighlightJson = Omit<HighlightDoc, "_id"> & {
  id: string;
  /** The stories this viewer may watch, in playback order (story_ids and story_count count only these). */
  stories: HighlightStoryJson[];
};

/** Compare-and-set retries for add/remove: more than a few collisions means a client hammering one highlight. */
const MAX_SAVE_ATTEMPTS = 3;

function storyJson(s: HighlightStoryRow): HighlightStoryJson {
  return { id: s._id, ...storyFrameOf(s), created_at: s.created_at };
}

/** Blocked pairs never get this far (404 before); the author's standing hide list is snapshotted on each story. */
const viewerFacts = viewerFactsFor;

/** The highlight as one viewer sees it; the cover falls back to the first visible story if its own story is not watchable. */
function present(h: StoredHighlight, stories: readonly HighlightStoryRow[], viewerId: string, facts: ViewerFacts): HighlightJson {
  const visible = visibleHighlightStories(h, stories, viewerId, facts);
  const visibleIds = visible.map((s) => s._id);
  const cover =
    h.cover.story_id !== null && !visibleIds.includes(h.cover.story_id) ? resolveCover(undefined, visibleIds, visible) : h.cover;
  const { _id, ...stored } = h;
  return { ...stored, id: _id, cover, story_ids: visibleIds, story_count: visible.length, stories: visible.map(storyJson) };
}

async function presentMany(highlights: readonly StoredHighlight[], viewerId: string, ownerId: string): Promise<HighlightJson[]> {
  const [stories, facts] = await Promise.all([
    repo.findStoriesByIds(highlights.flatMap((h) => h.story_ids)),
    viewerFacts(viewerId, ownerId),
  ]);
  return highlights.map((h) => present(h, stories, viewerId, facts));
}

/** 404 for a missing highlight, one a blocked pair asks about, or someone else's archived one. */
async function requireVisibleHighlight(viewerId: string, id: string): Promise<StoredHighlight> {
  const h = await repo.findHighlightById(id);
  const hidden =
    !h || (h.user_id !== viewerId && (h.is_archived || (await isBlockedEitherWay(viewerId, h.user_id))));
  if (hidden) throw highlightErrors.notFound();
  return h!;
}

async function requireOwnHighlight(actorId: string, id: string): Promise<StoredHighlight> {
  const h = await repo.findHighlightById(id);
  if (!h) throw highlightErrors.notFound();
  assertHighlightOwner(h, actorId);
  return h;
}

export async function createHighlight(ownerId: string, body: CreateHighlightBody): Promise<HighlightJson> {
  const [stories, existing] = await Promise.all([repo.findStoriesByIds(body.story_ids), repo.findHighlightsByUser(ownerId)]);
  const doc = buildNewHighlight(body, ownerId, stories, existing, clock.now());
  const stored = await repo.insertHighlight(doc);
  return (await presentMany([stored], ownerId, ownerId))[0]!;
}

export async function getHighlight(viewerId: string, id: string): Promise<HighlightJson> {
  const h = await requireVisibleHighlight(viewerId, id);
  return (await presentMany([h], viewerId, h.user_id))[0]!;
}

/**
 * A user's highlights: unarchived ones pinned first, then by order_index. `archived: true` is the
 * owner's archive view (ForbiddenError for anyone else).
 */
export async function listUserHighlights(viewerId: string, userId: string, archived = false): Promise<HighlightJson[]> {
  if (viewerId !== userId) {
    if (archived) throw highlightErrors.notHighlightOwner("Only the owner can see archived highlights.");
    if (!(await findUserById(userId)) || (await isBlockedEitherWay(viewerId, userId))) {
      throw authErrors.userNotFound();
    }
  }
  const all = await repo.findHighlightsByUser(userId);
  const shown = archived ? all.filter((h) => h.is_archived) : profileHighlights(all);
  return presentMany(shown, viewerId, userId);
}

export async function updateHighlight(actorId: string, id: string, body: UpdateHighlightBody): Promise<HighlightJson> {
  return mutate(actorId, id, async (h) => {
    let next = applyHighlightUpdate(h, body, await repo.findStoriesByIds(h.story_ids), actorId, clock.now());
    if (body.is_archived === false && h.is_archived) {
      // back on the profile: at the front, like a new highlight, without rewriting the others
      const others = (await repo.findHighlightsByUser(actorId)).filter((o) => o._id !== h._id && !o.is_archived);
      next = { ...next, order_index: others.length === 0 ? 0 : Math.min(...others.map((o) => o.order_index)) - 1 };
    }
    return next;
  });
}

export async function addHighlightStories(actorId: string, id: string, storyIds: readonly string[]): Promise<HighlightJson> {
  return mutate(actorId, id, async (h) => {
    const stories = await repo.findStoriesByIds([...h.story_ids, ...storyIds]);
    return addStories(h, storyIds, stories, actorId, clock.now()).highlight;
  });
}

/** Remove stories; removing the last one deletes the highlight (as on Instagram) and returns null. */
export async function removeHighlightStories(actorId: string, id: string, storyIds: readonly string[]): Promise<HighlightJson | null> {
  let emptied = false;
  const result = await mutate(actorId, id, async (h) => {
    const outcome = removeStories(h, storyIds, await repo.findStoriesByIds(h.story_ids), actorId, clock.now());
    emptied = outcome.delete_highlight;
    return outcome.highlight;
  });
  if (emptied) {
    await repo.deleteHighlightById(id, actorId);
    return null;
  }
  return result;
}

export async function deleteHighlight(actorId: string, id: string): Promise<void> {
  await requireOwnHighlight(actorId, id);
  if (!(await repo.deleteHighlightById(id, actorId))) throw highlightErrors.notFound();
}

/** Reorder the owner's profile; returns the profile listing in its new order. */
export async function reorderUserHighlights(ownerId: string, highlightIds: readonly string[]): Promise<HighlightJson[]> {
  const mine = await repo.findHighlightsByUser(ownerId);
  const order = reorderHighlights(mine, highlightIds, ownerId);
  await repo.setOrderIndexes(ownerId, order, clock.now());
  return listUserHighlights(ownerId, ownerId);
}

/** Read → rule → compare-and-set write, retried when a concurrent change to the same highlight won. */
async function mutate(
  actorId: string,
  id: string,
  change: (h: StoredHighlight) => Promise<HighlightDoc>,
): Promise<HighlightJson> {
  for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
    const h = await requireOwnHighlight(actorId, id);
    const saved = await repo.saveHighlight(h, await change(h));
    if (saved) return (await presentMany([saved], actorId, actorId))[0]!;
  }
  throw highlightErrors.busy();
}
