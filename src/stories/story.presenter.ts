import { findUsersByIds, type User } from "../auth/user.repository";
import type { StickerInteraction } from "./sticker.rules";
import { presentStickerForViewer, type ViewerSticker } from "./sticker-results.rules";
import { hasExpired, isAuthor } from "./story.rules";
import { storyFrameOf, type StoryFrame, type StoryPrivacy } from "./story.types";
import type { StoryRow } from "./story.repository";
import { viewerMarksOn } from "./viewer-marks.repository";

/**
 * Stories as one caller sees them (REST snake_case; rooms map these onward in schema/): the
 * author sees every figure and their audience lists, anyone else the public counters and the
 * sticker results they earned (`presentStickerForViewer`).
 */

/** A story as REST returns it to one viewer. */
export interface StoryView extends StoryFrame {
  id: string;
  user_id: string;
  /** The story this one re-shares (its author mentioned this story's author), else null. */
  reshared_from: { story_id: string; user_id: string } | null;
  /** Each sticker with this viewer's answer and the results they may see (author: always). */
  stickers: ViewerSticker[];
  /** The community it was posted to, or null. */
  community_id: string | null;
  privacy: StoryPrivacy;
  /** Unique viewers: public, the room shows it to every viewer. */
  view_count: number;
  /** Distinct reacting users: public, like the hearts under a story. */
  reaction_count: number;
  /** Author only (insights): private replies received. */
  reply_count?: number;
  /** Author only (insights): sticker interactions received. */
  interaction_count?: number;
  created_at: Date;
  expires_at: Date;
  is_expired: boolean;
  /** This viewer has viewed it (always true for the author). */
  seen: boolean;
  /** Author only. */
  custom_viewer_ids?: string[];
  /** Author only. */
  hidden_from_ids?: string[];
}

export interface StoryAuthor {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
}

/** One reel of the tray. */
export interface FeedGroup {
  author_id: string;
  author: StoryAuthor | null;
  is_own: boolean;
  has_unseen: boolean;
  unseen_count: number;
  latest_created_at: Date;
  /** Where playback starts: the first unseen story. */
  start_index: number;
  /** Oldest first. */
  stories: StoryView[];
}

export interface ReplyView {
  id: string;
  story_id: string;
  user_id: string;
  username: string | null;
  text: string;
  created_at: Date;
}

export interface QuestionAnswerView {
  id: string;
  user_id: string;
  username: string | null;
  answer: string;
  created_at: Date;
}

export interface SeenByItem {
  user_id: string;
  username: string | null;
  viewed_at: Date;
}

export function toAuthor(u: User): StoryAuthor {
  return { id: u.id, username: u.username, display_name: u.display_name, avatar_url: u.avatar_url };
}

export function toStoryView(
  story: StoryRow,
  viewerId: string,
  seen: boolean,
  mine: ReadonlyMap<number, StickerInteraction> | undefined,
  now: Date,
): StoryView {
  const author = isAuthor(story, viewerId);
  return {
    id: story._id,
    user_id: story.user_id,
    reshared_from: story.reshared_from ?? null,
    ...storyFrameOf(story),
    stickers: story.stickers.map((s, i) => presentStickerForViewer(s, mine?.get(i) ?? null, author)),
    community_id: story.community_id ?? null,
    privacy: story.privacy,
    view_count: story.view_count,
    reaction_count: story.reaction_count,
    created_at: story.created_at,
    expires_at: story.expires_at,
    is_expired: story.is_expired || hasExpired(story, now),
    seen: author || seen,
    ...(author
      ? {
          reply_count: story.reply_count,
          interaction_count: story.interaction_count,
          custom_viewer_ids: story.custom_viewer_ids,
          hidden_from_ids: story.hidden_from_ids,
        }
      : {}),
  };
}

/**
 * Each story's JSON as a viewer sees it who is not its author and has answered none of its
 * stickers (most of a tray), without its last field, `seen`: the same text for every such viewer.
 * Keyed by the row object: the feed's rows are this process's copies at a revision, replaced on
 * every write (story-copies.ts), so a text never outlives what it was written from.
 */
const unansweredViewJson = new WeakMap<StoryRow, { expired: boolean; head: string }>();
const SEEN_LAST = ',"seen":false}';

/** `JSON.stringify(toStoryView(...))`, from the cached text when the viewer's part is only `seen`. */
export function storyViewJson(
  story: StoryRow,
  viewerId: string,
  seen: boolean,
  mine: ReadonlyMap<number, StickerInteraction> | undefined,
  now: Date,
): string {
  if (isAuthor(story, viewerId) || (mine !== undefined && mine.size > 0)) return JSON.stringify(toStoryView(story, viewerId, seen, mine, now));
  const expired = story.is_expired || hasExpired(story, now);
  let hit = unansweredViewJson.get(story);
  if (hit === undefined || hit.expired !== expired) {
    const text = JSON.stringify(toStoryView(story, viewerId, false, undefined, now));
    if (!text.endsWith(SEEN_LAST)) throw new Error("storyViewJson: `seen` must be the last field of a viewer's story");
    hit = { expired, head: text.slice(0, -"false}".length) };
    unansweredViewJson.set(story, hit);
  }
  return hit.head + (seen ? "true}" : "false}");
}

/** Present several stories to one viewer with two batched lookups (seen, own answers). */
export async function presentStories(stories: StoryRow[], viewerId: string, now: Date): Promise<StoryView[]> {
  const ids = stories.map((s) => s._id);
  const { seen, interactions } = await viewerMarksOn(viewerId, ids);
  return stories.map((s) => toStoryView(s, viewerId, seen.has(s._id), interactions.get(s._id), now));
}

export async function usernamesOf(ids: string[]): Promise<Map<string, string>> {
  const users = await findUsersByIds([...new Set(ids)]);
  return new Map(users.map((u) => [u.id, u.username]));
}

