/**
 * Plain shapes of a stored story, as the story rules read and write them. Field names follow the
 * original story service (story_type, media_id, stickers[{sticker_type, x, y, …, poll | quiz …}]).
 *
 * Sticker tallies live inside each sticker (poll.options[k].votes, poll.total_votes, …) so a vote
 * is one atomic `$inc` on the story document — see `tallyIncrements` in sticker.rules.ts.
 * Percentages, averages and rates are never stored: they are derived at read time by
 * `stickerResults`, because a stored percentage cannot be kept exact with `$inc`.
 */

export const STORY_TYPES = ["image", "video", "text", "workout", "achievement"] as const;
export type StoryType = (typeof STORY_TYPES)[number];

/** `community`: the active members of the story's community (needs `community_id`). */
export const STORY_PRIVACIES = ["public", "followers", "close_friends", "custom", "community"] as const;
export type StoryPrivacy = (typeof STORY_PRIVACIES)[number];

export const STICKER_TYPES = [
  "poll",
  "quiz",
  "question",
  "slider",
  "countdown",
  "mention",
  "location",
  "link",
  "music",
] as const;
export type StickerType = (typeof STICKER_TYPES)[number];

/** Stickers a viewer can answer; the others are decoration (mention, location, link, music). */
export const INTERACTIVE_STICKER_TYPES = ["poll", "quiz", "question", "slider", "countdown"] as const;
export type InteractiveStickerType = (typeof INTERACTIVE_STICKER_TYPES)[number];

export function isInteractiveStickerType(t: StickerType): t is InteractiveStickerType {
  return (INTERACTIVE_STICKER_TYPES as readonly string[]).includes(t);
}

/** Position on the frame: x, y, width, height are fractions of the frame (0..1), rotation in degrees. */
export interface StickerPlacement {
  x: number;
  y: number;
  width: number;
  height: number;
  rotation: number;
}

export interface PollStickerDoc extends StickerPlacement {
  sticker_type: "poll";
  poll: { question: string; options: { text: string; votes: number }[]; total_votes: number };
}
export interface QuizStickerDoc extends StickerPlacement {
  sticker_type: "quiz";
  quiz: {
    question: string;
    options: { text: string; is_correct: boolean; votes: number }[];
    correct_answer_index: number;
    total_answers: number;
    correct_answers: number;
  };
}
export interface QuestionStickerDoc extends StickerPlacement {
  sticker_type: "question";
  question: { text: string; answer_count: number };
}
export interface SliderStickerDoc extends StickerPlacement {
  sticker_type: "slider";
  slider: {
    question: string;
    emoji: string;
    min_value: number;
    max_value: number;
    response_count: number;
    /** Sum of all submitted values; average = value_sum / response_count. Integers, so exact. */
    value_sum: number;
  };
}
export interface CountdownStickerDoc extends StickerPlacement {
  sticker_type: "countdown";
  countdown: { title: string; end_time: Date; subscriber_count: number };
}
export interface MentionStickerDoc extends StickerPlacement {
  sticker_type: "mention";
  mention: { user_id: string; username: string | null };
}
export interface LocationStickerDoc extends StickerPlacement {
  sticker_type: "location";
  location: { name: string; lat: number | null; lng: number | null };
}
export interface LinkStickerDoc extends StickerPlacement {
  sticker_type: "link";
  link: { url: string; title: string | null };
}
export interface MusicStickerDoc extends StickerPlacement {
  sticker_type: "music";
  music: MusicTrack;
}

export type StickerDoc =
  | PollStickerDoc
  | QuizStickerDoc
  | QuestionStickerDoc
  | SliderStickerDoc
  | CountdownStickerDoc
  | MentionStickerDoc
  | LocationStickerDoc
  | LinkStickerDoc
  | MusicStickerDoc;

export interface MusicTrack {
  track_id: string;
  title: string | null;
  artist: string | null;
  start_ms: number;
}

export interface WorkoutData {
  activity: string;
  duration_minutes: number | null;
  calories: number | null;
  distance_km: number | null;
  exercises: { name: string; sets: number | null; reps: number | null; weight_kg: number | null }[];
}

export interface AchievementData {
  title: string;
  description: string | null;
  badge_emoji: string | null;
}

/** A story as stored (the repository adds `_id`). Dates are Date objects. */
export interface StoryDoc {
  _id?: string;
  user_id: string;
  story_type: StoryType;
  media_id: string | null;
  media_url: string | null;
  thumbnail_url: string | null;
  text_content: string | null;
  background_color: string | null;
  background_gradient: string[] | null;
  /** Seconds the frame is shown (1..15). */
  duration: number;
  music: MusicTrack | null;
  caption: string | null;
  workout_data: WorkoutData | null;
  achievement_data: AchievementData | null;
  stickers: StickerDoc[];
  /** The community the story was posted to (its feed, its members-only audience), or null. */
  community_id: string | null;
  privacy: StoryPrivacy;
  /** privacy "custom": the only users (besides the author) who may see the story. */
  custom_viewer_ids: string[];
  /** Users this story is hidden from whatever the privacy (snapshot of the author's hide list + per-story additions). */
  hidden_from_ids: string[];
  view_count: number;
  reply_count: number;
  reaction_count: number;
  /** Sticker interactions (votes, answers, slider responses, countdown subscriptions). */
  interaction_count: number;
  /**
   * The author's follower count when the story was posted: insights' reach is "unique viewers /
   * followers at the time". Null on rows stored before the snapshot existed (reach then falls back
   * to the current count).
   */
  audience_size: number | null;
  /** Set on a story that re-shares a story its author was mentioned in. */
  reshared_from: { story_id: string; user_id: string } | null;
  is_expired: boolean;
  is_archived: boolean;
  is_deleted: boolean;
  /** Hidden pending review (enough users reported it, src/moderation); absent on older rows. */
  moderation_hidden?: boolean;
  deleted_at: Date | null;
  created_at: Date;
  expires_at: Date;
  updated_at: Date;
  /** Bumped by every write (story.model.ts); absent on rows never written since it existed. */
  rev?: number;
}

/**
 * The frame a viewer watches: content only, no counters, audience or life cycle. REST views,
 * highlights and the room all present this same subset of a story.
 */
export type StoryFrame = Pick<
  StoryDoc,
  | "story_type"
  | "media_id"
  | "media_url"
  | "thumbnail_url"
  | "text_content"
  | "background_color"
  | "background_gradient"
  | "duration"
  | "music"
  | "caption"
  | "workout_data"
  | "achievement_data"
>;

/** The frame of a stored row; fields older rows lack come back as null. */
export function storyFrameOf(row: Pick<StoryDoc, "story_type" | "duration"> & Partial<StoryFrame>): StoryFrame {
  return {
    story_type: row.story_type,
    media_id: row.media_id ?? null,
    media_url: row.media_url ?? null,
    thumbnail_url: row.thumbnail_url ?? null,
    text_content: row.text_content ?? null,
    background_color: row.background_color ?? null,
    background_gradient: row.background_gradient ?? null,
    duration: row.duration,
    music: row.music ?? null,
    caption: row.caption ?? null,
    workout_data: row.workout_data ?? null,
    achievement_data: row.achievement_data ?? null,
  };
}
