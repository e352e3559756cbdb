import { put, syncChild, syncList, syncStrings, toMillis } from "./sync";
import { camelize, type Camelized } from "../src/shared/camelize";
import type { StickerResults, ViewerSticker } from "../src/stories/sticker-results.rules";
import type { InteractionOutcome, StoryView } from "../src/stories/story.service";
import type { StoryFrame } from "../src/stories/story.types";
import { interactionRate } from "../src/stories/insights.rules";
import type { AchievementData, MusicTrack, WorkoutData } from "../src/stories/story.types";
import type { StateView } from "@colyseus/schema";
import {
  AUTHOR_ONLY,
  STICKER_RESULTS,
  AchievementState,
  ExerciseState,
  MusicState,
  StickerOptionState,
  StickerState,
  StoryState,
  ViewerState,
  WorkoutState,
  type StoryInsightsState,
} from "./story.state";

/**
 * Domain objects (service results, snake_case) → room state (camelCase). One direction only: the
 * room never computes a figure itself; it copies what the service and the rules produced.
 * Updates are written in place, field by field, so a patch carries only what changed and the
 * StateView tags already given to a client keep applying to the same instances.
 */

/** The fields of a story the room shows, as the story service returns them (to the author: everything). */
export type StoryForRoom = Pick<
  StoryView,
  | keyof StoryFrame
  | "id"
  | "reshared_from"
  | "community_id"
  | "privacy"
  | "created_at"
  | "expires_at"
  | "view_count"
  | "reaction_count"
  | "stickers"
> &
  Partial<Pick<StoryView, "reply_count" | "interaction_count" | "custom_viewer_ids" | "hidden_from_ids">>;

export interface SeenByRow {
  user_id: string;
  username: string | null;
  viewed_at: Date | string;
}

function writeMusic(target: MusicState, music: MusicTrack): void {
  put(target, "trackId", music.track_id);
  put(target, "title", music.title ?? undefined);
  put(target, "artist", music.artist ?? undefined);
  put(target, "startMs", music.start_ms);
}

function writeWorkout(target: WorkoutState, workout: WorkoutData): void {
  put(target, "activity", workout.activity);
  put(target, "durationMinutes", workout.duration_minutes ?? undefined);
  put(target, "calories", workout.calories ?? undefined);
  put(target, "distanceKm", workout.distance_km ?? undefined);
  syncList(target.exercises, workout.exercises, () => new ExerciseState(), (item, e) => {
    put(item, "name", e.name);
    put(item, "sets", e.sets ?? undefined);
    put(item, "reps", e.reps ?? undefined);
    put(item, "weightKg", e.weight_kg ?? undefined);
  });
}

function writeAchievement(target: AchievementState, achievement: AchievementData): void {
  put(target, "title", achievement.title);
  put(target, "description", achievement.description ?? undefined);
  put(target, "badgeEmoji", achievement.badge_emoji ?? undefined);
}

function promptOf(sticker: ViewerSticker): string {
  const body = sticker[sticker.sticker_type] as Record<string, unknown> | undefined;
  if (!body) return "";
  const prompt = body.question ?? body.title ?? body.text;
  return typeof prompt === "string" ? prompt : "";
}

function labelOf(sticker: ViewerSticker): string {
  const body = sticker[sticker.sticker_type] as Record<string, unknown> | undefined;
  if (!body) return "";
  switch (sticker.sticker_type) {
    case "mention":
      return String(body.username ?? body.user_id ?? "");
    case "location":
      return String(body.name ?? "");
    case "link":
      return String(body.url ?? "");
    case "music":
      return String(body.title ?? body.track_id ?? "");
    default:
      return "";
  }
}

/** Poll and quiz options: votes and percentage per option, in place. */
function writeOptionTallies(target: StickerState, options: readonly { votes: number; percentage: number }[]): void {
  options.forEach((o, k) => {
    const opt = target.options.at(k);
    if (!opt) return;
    put(opt, "votes", o.votes);
    put(opt, "percentage", o.percentage);
  });
}

function writeResults(target: StickerState, results: StickerResults | null): void {
  if (!results) return;
  switch (results.sticker_type) {
    case "poll":
      put(target, "totalVotes", results.total_votes);
      writeOptionTallies(target, results.options);
      break;
    case "quiz":
      put(target, "totalAnswers", results.total_answers);
      put(target, "correctRate", results.correct_rate);
      put(target, "correctAnswerIndex", results.correct_answer_index);
      writeOptionTallies(target, results.options);
      break;
    case "slider":
      put(target, "responseCount", results.response_count);
      put(target, "average", results.average ?? 0);
      break;
    case "countdown":
      put(target, "subscriberCount", results.subscriber_count);
      break;
    case "question":
      put(target, "answerCount", results.answer_count);
      break;
    default:
      break;
  }
}

export function writeSticker(target: StickerState, sticker: ViewerSticker): void {
  put(target, "type", sticker.sticker_type);
  put(target, "x", Number(sticker.x ?? 0));
  put(target, "y", Number(sticker.y ?? 0));
  put(target, "width", Number(sticker.width ?? 0));
  put(target, "height", Number(sticker.height ?? 0));
  put(target, "rotation", Number(sticker.rotation ?? 0));
  put(target, "prompt", promptOf(sticker));
  put(target, "label", labelOf(sticker));
  const body = sticker[sticker.sticker_type] as Record<string, unknown> | undefined;
  const options = (body?.options as { text: string }[] | undefined) ?? [];
  syncList(target.options, options, () => new StickerOptionState(), (opt, o) => put(opt, "text", o.text));
  if (sticker.sticker_type === "slider" && body) {
    put(target, "emoji", String(body.emoji ?? ""));
    put(target, "minValue", Number(body.min_value ?? 0));
    put(target, "maxValue", Number(body.max_value ?? 0));
  }
  if (sticker.sticker_type === "countdown" && body) put(target, "endTime", toMillis(body.end_time as Date | string));
  writeResults(target, sticker.results);
}

/** A sticker's results as room messages carry them: the REST `results` in camelCase, dates as epoch ms. */
export type RoomStickerResults = Camelized<StickerResults>;

/** The `interact` reply: the service's outcome in camelCase (`result` as above). */
export function roomInteractReply(outcome: InteractionOutcome): Camelized<InteractionOutcome> {
  return camelize(outcome);
}

function writeInsights(target: StoryInsightsState, story: StoryForRoom): void {
  const interactions = story.interaction_count ?? 0;
  put(target, "uniqueViewers", story.view_count);
  put(target, "replies", story.reply_count ?? 0);
  put(target, "reactions", story.reaction_count);
  put(target, "interactions", interactions);
  put(target, "interactionRate", interactionRate(interactions, story.view_count));
}

/** Write a story (as the author sees it) into its state, creating nothing it can reuse. */
export function writeStory(target: StoryState, story: StoryForRoom): void {
  put(target, "id", story.id);
  put(target, "storyType", story.story_type);
  put(target, "mediaId", story.media_id ?? "");
  put(target, "resharedFromStoryId", story.reshared_from?.story_id ?? "");
  put(target, "resharedFromUserId", story.reshared_from?.user_id ?? "");
  put(target, "mediaUrl", story.media_url ?? "");
  put(target, "thumbnailUrl", story.thumbnail_url ?? "");
  put(target, "textContent", story.text_content ?? "");
  put(target, "backgroundColor", story.background_color ?? "");
  syncStrings(target.backgroundGradient, story.background_gradient);
  put(target, "duration", story.duration);
  put(target, "caption", story.caption ?? "");
  syncChild(target, "music", story.music, () => new MusicState(), writeMusic);
  syncChild(target, "workout", story.workout_data, () => new WorkoutState(), writeWorkout);
  syncChild(target, "achievement", story.achievement_data, () => new AchievementState(), writeAchievement);
  put(target, "communityId", story.community_id ?? "");
  put(target, "privacy", story.privacy);
  put(target, "createdAt", toMillis(story.created_at));
  put(target, "expiresAt", toMillis(story.expires_at));
  put(target, "viewCount", story.view_count);
  put(target, "reactionCount", story.reaction_count);
  syncList(target.stickers, story.stickers, () => new StickerState(), writeSticker);
  writeInsights(target.insights, story);
  syncStrings(target.customViewerIds, story.custom_viewer_ids);
  syncStrings(target.hiddenFrom, story.hidden_from_ids);
}

export function storyStateOf(story: StoryForRoom): StoryState {
  const state = new StoryState();
  writeStory(state, story);
  return state;
}

export function writeSeenBy(target: StoryState, rows: readonly SeenByRow[]): void {
  syncList(
    target.seenBy,
    rows,
    () => new ViewerState(),
    (item, row) => {
      put(item, "userId", row.user_id);
      put(item, "username", row.username ?? "");
      put(item, "viewedAt", toMillis(row.viewed_at));
    },
  );
}

/**
 * Put a story in one client's view with the sticker results the service showed that user
 * (`seen`; null: not visible to them, it leaves the view; undefined: the author, who sees
 * everything, author-only parts included).
 */
export function showStory(view: StateView, state: StoryState, seen: Pick<StoryForRoom, "stickers"> | null | undefined): void {
  if (seen === undefined) {
    view.add(state);
    view.add(state, AUTHOR_ONLY);
    state.stickers.forEach((sticker) => view.add(sticker, STICKER_RESULTS));
    return;
  }
  if (seen === null) {
    if (view.has(state)) view.remove(state);
    return;
  }
  view.add(state);
  seen.stickers.forEach((sticker, i) => {
    const target = state.stickers.at(i);
    if (target && sticker.results !== null) view.add(target, STICKER_RESULTS);
  });
}
