import { z } from "zod";
import { cursorTime, decodeCursor, encodeCursor, type Page } from "../shared/pagination";
import { canViewStory, factsFor, type ViewerGraph } from "./privacy.rules";
import { isActive } from "./story.rules";
import type { StoryDoc } from "./story.types";

/**
 * The story tray: live stories the viewer may see, grouped into one reel per author.
 *
 * Order of reels:
 *   1. the viewer's own reel, if they have live stories (always first, as on Instagram)
 *   2. authors with at least one story the viewer has not seen
 *   3. authors whose stories the viewer has all seen
 * within 2 and 3 the author with the most recent story first; ties by author id (stable paging).
 * Within a reel stories play oldest first, starting at the first unseen one.
 */

/** The story fields the feed reads. */
export type FeedStoryFields = Pick<
  StoryDoc,
  "user_id" | "created_at" | "expires_at" | "is_deleted" | "privacy" | "custom_viewer_ids" | "hidden_from_ids" | "moderation_hidden"
> & { _id: string };

export interface AuthorReel<S extends FeedStoryFields = FeedStoryFields> {
  author_id: string;
  is_own: boolean;
  has_unseen: boolean;
  unseen_count: number;
  /** created_at of the author's newest story. */
  latest_created_at: Date;
  /** Oldest first (playback order). */
  stories: S[];
  /** Where playback starts: the first unseen story, or 0 when all are seen (replay from the start). */
  start_index: number;
}

/**
 * Keep the stories the viewer may see now: live (not deleted, not expired) and allowed by the
 * story's privacy given the viewer's relationship to its author.
 */
export function selectVisibleStories<S extends FeedStoryFields>(stories: readonly S[], graph: ViewerGraph, now: Date): S[] {
  return stories.filter((s) => isActive(s, now) && canViewStory(s, graph.viewerId, factsFor(graph, s.user_id)));
}

/** Rank of a reel in the tray: 0 own, 1 has unseen, 2 all seen. */
function rankOf(reel: Pick<AuthorReel, "is_own" | "has_unseen">): 0 | 1 | 2 {
  if (reel.is_own) return 0;
  return reel.has_unseen ? 1 : 2;
}

/** The sort key of a reel, which is also what a feed cursor carries. */
export interface FeedCursorKey {
  /** rank: 0 own, 1 unseen, 2 seen */
  r: 0 | 1 | 2;
  /** newest story time, ms */
  t: number;
  /** author id */
  a: string;
}

export function feedSortKey(reel: AuthorReel<FeedStoryFields>): FeedCursorKey {
  return { r: rankOf(reel), t: reel.latest_created_at.getTime(), a: reel.author_id };
}

/** Negative when `x` comes before `y` in the tray. */
export function compareFeedKeys(x: FeedCursorKey, y: FeedCursorKey): number {
  return x.r - y.r || y.t - x.t || (x.a < y.a ? -1 : x.a > y.a ? 1 : 0);
}

/**
 * Group already-visible stories into ordered reels. `seenStoryIds` is the set of story ids the
 * viewer has viewed (from the views collection).
 */
export function groupFeed<S extends FeedStoryFields>(
  stories: readonly S[],
  seenStoryIds: ReadonlySet<string> | readonly string[],
  viewerId: string,
): AuthorReel<S>[] {
  const seen = seenStoryIds instanceof Set ? (seenStoryIds as ReadonlySet<string>) : new Set(seenStoryIds as readonly string[]);
  const byAuthor = new Map<string, S[]>();
  for (const story of stories) {
    const list = byAuthor.get(story.user_id);
    if (list) list.push(story);
    else byAuthor.set(story.user_id, [story]);
  }
  const reels: AuthorReel<S>[] = [];
  for (const [authorId, list] of byAuthor) {
    const ordered = [...list].sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a._id < b._id ? -1 : 1));
    const isOwn = authorId === viewerId;
    // Your own stories are never "unseen" to you.
    const unseen = isOwn ? [] : ordered.filter((s) => !seen.has(s._id));
    const firstUnseen = isOwn ? -1 : ordered.findIndex((s) => !seen.has(s._id));
    reels.push({
      author_id: authorId,
      is_own: isOwn,
      has_unseen: unseen.length > 0,
      unseen_count: unseen.length,
      latest_created_at: ordered[ordered.length - 1]!.created_at,
      stories: ordered,
      start_index: firstUnseen === -1 ? 0 : firstUnseen,
    });
  }
  return reels.sort((a, b) => compareFeedKeys(feedSortKey(a), feedSortKey(b)));
}

const feedCursorShape = z
  .object({ r: z.union([z.literal(0), z.literal(1), z.literal(2)]), t: cursorTime, a: z.string().min(1).max(64) })
  .strict();

/** Opaque base64url cursor of the last reel on a page. */
export function encodeFeedCursor(key: FeedCursorKey): string {
  return encodeCursor(key);
}

/** Throws ValidationError `invalid_cursor` for anything that is not a cursor we issued. */
export function decodeFeedCursor(cursor: string | undefined): FeedCursorKey | undefined {
  return decodeCursor(cursor, feedCursorShape);
}

/**
 * One page of reels after `cursor` (exclusive). Keyset paging on the sort key: if a reel moves
 * between pages (the viewer watched it, the author posted), it may show again or be skipped once —
 * the tray is refreshed from the top on the next open, so this is the accepted trade-off against
 * holding a server-side snapshot.
 */
export function pageFeed<S extends FeedStoryFields>(
  reels: readonly AuthorReel<S>[],
  query: { cursor?: string; limit: number },
): Page<AuthorReel<S>> {
  const after = decodeFeedCursor(query.cursor);
  const rest = after === undefined ? reels : reels.filter((r) => compareFeedKeys(feedSortKey(r), after) > 0);
  const items = rest.slice(0, query.limit);
  const hasMore = rest.length > query.limit;
  return { items, next_cursor: hasMore ? encodeFeedCursor(feedSortKey(items[items.length - 1]!)) : null };
}

/** The whole pure pipeline for one tray request: visible → grouped → paged. */
export function buildFeedPage<S extends FeedStoryFields>(
  stories: readonly S[],
  seenStoryIds: ReadonlySet<string> | readonly string[],
  graph: ViewerGraph,
  now: Date,
  query: { cursor?: string; limit: number },
): Page<AuthorReel<S>> {
  return pageFeed(groupFeed(selectVisibleStories(stories, graph, now), seenStoryIds, graph.viewerId), query);
}
