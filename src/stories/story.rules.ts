import { ForbiddenError, GoneError, NotFoundError, ValidationError } from "../shared/errors";
import type { CreateStoryBody, StickerInput } from "./story.schemas";
import { storyErrors } from "./story.errors";
import { storyFrameOf, type StickerDoc, type StoryDoc } from "./story.types";

/**
 * Life-cycle rules of a story: building the stored document from a validated body, whether it is
 * live, when the sweeper may flag or purge it, and who may act on it.
 */

/** Stories live 24 h unless configured otherwise (STORY_EXPIRY_HOURS). */
export const DEFAULT_STORY_EXPIRY_HOURS = 24;
/**
 * Expired stories (archived ones included) are purged 30 days after expiry, soft-deleted ones 30
 * days after deletion, unless a highlight holds them (the original service's default window).
 */
export const DEFAULT_RETENTION_DAYS = 30;
/** A countdown further than a year away is almost certainly a typo in the year. */
export const MAX_COUNTDOWN_HORIZON_MS = 366 * 24 * 3600 * 1000;

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

function buildSticker(input: StickerInput, now: Date, index: number): StickerDoc {
  const { x, y, width, height, rotation } = input;
  const at = { x, y, width, height, rotation };
  switch (input.sticker_type) {
    case "poll":
      return {
        sticker_type: "poll",
        ...at,
        poll: {
          question: input.poll.question,
          options: input.poll.options.map((o) => ({ text: o.text, votes: 0 })),
          total_votes: 0,
        },
      };
    case "quiz":
      return {
        sticker_type: "quiz",
        ...at,
        quiz: {
          question: input.quiz.question,
          options: input.quiz.options.map((o, i) => ({
            text: o.text,
            is_correct: i === input.quiz.correct_answer_index,
            votes: 0,
          })),
          correct_answer_index: input.quiz.correct_answer_index,
          total_answers: 0,
          correct_answers: 0,
        },
      };
    case "question":
      return { sticker_type: "question", ...at, question: { text: input.question.text, answer_count: 0 } };
    case "slider":
      return {
        sticker_type: "slider",
        ...at,
        slider: { ...input.slider, response_count: 0, value_sum: 0 },
      };
    case "countdown": {
      const end = new Date(input.countdown.end_time);
      if (end.getTime() <= now.getTime()) {
        throw storyErrors.countdownInPast({
          sticker_index: index,
        });
      }
      if (end.getTime() - now.getTime() > MAX_COUNTDOWN_HORIZON_MS) {
        throw storyErrors.countdownTooFar({ sticker_index: index });
      }
      return { sticker_type: "countdown", ...at, countdown: { title: input.countdown.title, end_time: end, subscriber_count: 0 } };
    }
    case "mention":
      return {
        sticker_type: "mention",
        ...at,
        mention: { user_id: input.mention.user_id, username: input.mention.username ?? null },
      };
    case "location":
      return {
        sticker_type: "location",
        ...at,
        location: { name: input.location.name, lat: input.location.lat ?? null, lng: input.location.lng ?? null },
      };
    case "link":
      return { sticker_type: "link", ...at, link: { url: input.link.url, title: input.link.title ?? null } };
    case "music":
      return {
        sticker_type: "music",
        ...at,
        music: {
          track_id: input.music.track_id,
          title: input.music.title ?? null,
          artist: input.music.artist ?? null,
          start_ms: input.music.start_ms,
        },
      };
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

export interface BuildStoryOptions {
  /** Server default lifetime (config STORY_EXPIRY_HOURS); the body may ask for less. */
  expiryHours?: number;
  /** The author's standing hide-from list, snapshotted onto the story. */
  authorHiddenFromIds?: readonly string[];
  /** The author's follower count now, snapshotted as `audience_size` (null when not known). */
  audienceSize?: number | null;
  /** Re-shares: the re-sharer is an active member of the original's community. */
  resharerIsMember?: boolean;
}

/**
 * Where a re-share goes: into the original's community when the re-sharer is a member of it,
 * where a public re-share of members-only content stays members-only (`community`); a non-member
 * could only see a public original, and re-shares it outside any community.
 */
export function reshareAudience(
  original: Pick<StoryDoc, "privacy"> & { community_id?: string | null },
  privacy: ReshareInput["privacy"],
  resharerIsMember: boolean,
): Pick<StoryDoc, "community_id" | "privacy"> {
  const communityId = original.community_id ?? null;
  if (communityId === null || !resharerIsMember) return { community_id: null, privacy };
  return { community_id: communityId, privacy: original.privacy !== "public" && privacy === "public" ? "community" : privacy };
}

/**
 * The document to insert for a validated create body: counters and sticker tallies zeroed,
 * `expires_at = now + (body.expires_in_hours ?? expiryHours)`. The author never appears in their
 * own custom/hide lists (they always see their own story).
 * Throws ValidationError `countdown_in_past` / `countdown_too_far` / `mention_self`.
 */
export function buildNewStory(
  input: CreateStoryBody,
  authorId: string,
  now: Date,
  options: BuildStoryOptions = {},
): StoryDoc {
  const expiryHours = input.expires_in_hours ?? options.expiryHours ?? DEFAULT_STORY_EXPIRY_HOURS;
  const stickers = input.stickers.map((s, i) => buildSticker(s, now, i));
  stickers.forEach((s, i) => {
    if (s.sticker_type === "mention" && s.mention.user_id === authorId) {
      throw storyErrors.mentionSelf({ sticker_index: i });
    }
  });
  const notAuthor = (id: string) => id !== authorId;
  return {
    user_id: authorId,
    story_type: input.story_type,
    media_id: input.media_id ?? null,
    media_url: input.media_url ?? null,
    thumbnail_url: input.thumbnail_url ?? null,
    text_content: input.text_content ?? null,
    background_color: input.background_color ?? null,
    background_gradient: input.background_gradient ?? null,
    duration: input.duration,
    music: input.music
      ? {
          track_id: input.music.track_id,
          title: input.music.title ?? null,
          artist: input.music.artist ?? null,
          start_ms: input.music.start_ms,
        }
      : null,
    caption: input.caption ?? null,
    workout_data:
      input.story_type === "workout"
        ? {
            activity: input.workout_data.activity,
            duration_minutes: input.workout_data.duration_minutes ?? null,
            calories: input.workout_data.calories ?? null,
            distance_km: input.workout_data.distance_km ?? null,
            exercises: input.workout_data.exercises.map((e) => ({
              name: e.name,
              sets: e.sets ?? null,
              reps: e.reps ?? null,
              weight_kg: e.weight_kg ?? null,
            })),
          }
        : null,
    achievement_data:
      input.story_type === "achievement"
        ? {
            title: input.achievement_data.title,
            description: input.achievement_data.description ?? null,
            badge_emoji: input.achievement_data.badge_emoji ?? null,
          }
        : null,
    stickers,
    community_id: input.community_id ?? null,
    privacy: input.privacy,
    custom_viewer_ids: unique(input.custom_viewer_ids ?? []).filter(notAuthor),
    hidden_from_ids: unique([...(options.authorHiddenFromIds ?? []), ...(input.hidden_from_ids ?? [])]).filter(notAuthor),
    ...freshStoryFields(now, expiryHours, options.audienceSize),
  };
}

/** Counters at zero and a life cycle starting now: every new story, posted or re-shared. */
function freshStoryFields(now: Date, expiryHours: number, audienceSize: number | null | undefined) {
  return {
    view_count: 0,
    reply_count: 0,
    reaction_count: 0,
    interaction_count: 0,
    audience_size: audienceSize ?? null,
    reshared_from: null,
    is_expired: false,
    is_archived: false,
    is_deleted: false,
    deleted_at: null,
    created_at: now,
    expires_at: new Date(now.getTime() + expiryHours * HOUR_MS),
    updated_at: now,
  };
}

export interface ReshareInput {
  privacy: StoryDoc["privacy"];
  caption?: string;
}

/**
 * A mentioned user's re-share: a new story of theirs showing the original's frame (media, text,
 * background, music) with a link back to it. The original's stickers stay on the original: votes and
 * answers belong to the story they were asked on. Throws `story_expired` / `story_not_found` for an
 * original that is not live, ForbiddenError `reshare_not_allowed` unless the user is mentioned in it.
 */
export function buildReshare(
  original: StoryDoc & { _id: string },
  userId: string,
  input: ReshareInput,
  now: Date,
  options: BuildStoryOptions = {},
): StoryDoc {
  assertStoryActive(original, now);
  if (!canReshareMention(original, userId, now)) {
    throw storyErrors.reshareNotAllowed();
  }
  return {
    user_id: userId,
    ...storyFrameOf(original),
    caption: input.caption ?? original.caption ?? null,
    stickers: [],
    ...reshareAudience(original, input.privacy, options.resharerIsMember ?? false),
    custom_viewer_ids: [],
    hidden_from_ids: unique(options.authorHiddenFromIds ?? []).filter((id) => id !== userId),
    ...freshStoryFields(now, options.expiryHours ?? DEFAULT_STORY_EXPIRY_HOURS, options.audienceSize),
    reshared_from: { story_id: original._id, user_id: original.user_id },
  };
}

type Lifecycle = Pick<StoryDoc, "is_deleted" | "expires_at">;

/** Expired by the clock, whatever `is_expired` says (the sweeper only runs every few minutes). */
export function hasExpired(story: Pick<StoryDoc, "expires_at">, now: Date): boolean {
  return now.getTime() >= story.expires_at.getTime();
}

/** Live: not deleted and not yet expired. Only live stories appear in feeds and accept views, replies, reactions, interactions. */
export function isActive(story: Lifecycle, now: Date): boolean {
  return !story.is_deleted && !hasExpired(story, now);
}

/**
 * In the author's archive: expired by the clock, not deleted, and not an expiry the sweep recorded
 * without archiving (`expiryUpdate` with the "save to archive" setting off). An expired story the
 * sweep has not reached yet counts: the sweep archives by default, and the clock decides expiry.
 * It stays there until the retention purge (`shouldHardDelete`).
 */
export function isInAuthorArchive(story: Pick<StoryDoc, "is_deleted" | "is_expired" | "is_archived" | "expires_at">, now: Date): boolean {
  return !story.is_deleted && hasExpired(story, now) && (story.is_archived || !story.is_expired);
}

/**
 * Throws unless the story is live: NotFoundError `story_not_found` for a deleted story (it is gone
 * for everyone but the purge job), GoneError `story_expired` once expired.
 */
export function assertStoryActive(story: Lifecycle, now: Date): void {
  if (story.is_deleted) throw storyErrors.notFound();
  if (hasExpired(story, now)) throw storyErrors.expired();
}

/**
 * What the expiry sweeper sets on a story whose time is up, or null if nothing to do.
 * `archiveExpired` is the author's "save to archive" setting (on by default, as on Instagram):
 * archived stories stay available to the author and to highlights for the retention window.
 */
export function expiryUpdate(
  story: Pick<StoryDoc, "is_expired" | "is_deleted" | "expires_at">,
  now: Date,
  archiveExpired = true,
): { is_expired: true; is_archived: boolean; updated_at: Date } | null {
  if (story.is_expired || story.is_deleted || !hasExpired(story, now)) return null;
  return { is_expired: true, is_archived: archiveExpired, updated_at: now };
}

/**
 * May the purge job remove the story for good? Never while a highlight holds it (highlights never
 * expire). Otherwise soft-deleted stories go `retentionDays` after deletion, expired ones (archived
 * for the author or not) `retentionDays` after expiry: the archive is a retention window, not forever.
 */
export function shouldHardDelete(
  story: Pick<StoryDoc, "is_deleted" | "deleted_at" | "expires_at">,
  now: Date,
  retentionDays: number = DEFAULT_RETENTION_DAYS,
  inHighlight = false,
): boolean {
  if (inHighlight) return false;
  const retentionMs = retentionDays * DAY_MS;
  if (story.is_deleted) {
    const since = story.deleted_at ?? story.expires_at;
    return now.getTime() - since.getTime() >= retentionMs;
  }
  return now.getTime() - story.expires_at.getTime() >= retentionMs;
}

/** The `$set` for a soft delete by the author. Throws ForbiddenError `not_story_author`, NotFoundError if already deleted. */
export function softDeleteUpdate(
  story: Pick<StoryDoc, "user_id" | "is_deleted">,
  actorId: string,
  now: Date,
): { is_deleted: true; deleted_at: Date; updated_at: Date } {
  if (story.is_deleted) throw storyErrors.notFound();
  assertAuthor(story, actorId);
  return { is_deleted: true, deleted_at: now, updated_at: now };
}

export function isAuthor(story: Pick<StoryDoc, "user_id">, userId: string): boolean {
  return story.user_id === userId;
}

/** Insights, viewer lists, replies inbox, delete and archive are the author's alone. */
export function assertAuthor(story: Pick<StoryDoc, "user_id">, userId: string): void {
  if (!isAuthor(story, userId)) throw storyErrors.notAuthor();
}

/**
 * Replies and reactions are private messages to the author, only on live stories and not from
 * the author. Throws `story_expired` / `story_not_found` / ForbiddenError `own_story`.
 */
export function assertCanMessageAuthor(
  story: Pick<StoryDoc, "user_id" | "is_deleted" | "expires_at">,
  senderId: string,
  now: Date,
): void {
  assertStoryActive(story, now);
  if (isAuthor(story, senderId)) throw storyErrors.ownStory();
}

/** Users to notify when the story is published: everyone mentioned (once each). */
export function mentionedUserIds(story: Pick<StoryDoc, "stickers" | "user_id">): string[] {
  const ids = story.stickers.flatMap((s) => (s.sticker_type === "mention" ? [s.mention.user_id] : []));
  return unique(ids).filter((id) => id !== story.user_id);
}

/** A mentioned user may re-share the story to their own story while it is live. */
export function canReshareMention(
  story: Pick<StoryDoc, "stickers" | "user_id" | "is_deleted" | "expires_at">,
  userId: string,
  now: Date,
): boolean {
  return isActive(story, now) && mentionedUserIds(story).includes(userId);
}
