import { ArraySchema, MapSchema, Schema, type, view } from "@colyseus/schema";

/**
 * State of the `story` room: one author's live reel. Everyone in the room shares one state tree;
 * what each client receives is decided by its StateView (see rooms/story.room.ts):
 *
 * - `stories` is `@view()`: a story reaches a client only once the room added it to that client's
 *   view, i.e. the story service said this viewer may see it (privacy, blocks, hide lists).
 * - `AUTHOR_ONLY` fields (seen-by, insights, audience lists) reach a client only when the story
 *   was added to its view with that tag — the author's client, nobody else.
 * - `STICKER_RESULTS` fields (tallies) reach a client only when the sticker was added with that
 *   tag: the author, and a viewer after answering that sticker — the same rule REST applies
 *   (`presentStickerForViewer`): results are the reward for answering, and a quiz must not
 *   answer itself. Question and countdown counts stay author-only, as on REST.
 *
 * Dates are epoch milliseconds (numbers): the wire has no date type and clients compute
 * countdowns from them. The state is written only by `schema/story.mapper.ts`, from service
 * results, never edited by hand in the room.
 */

/** View tags are bit flags (the encoder keeps one bit per tag per view). */
export const AUTHOR_ONLY = 1;
export const STICKER_RESULTS = 2;

export class StickerOptionState extends Schema {
  @type("string") text = "";
  @view(STICKER_RESULTS) @type("number") votes = 0;
  /** Integer percentages summing to 100 (largest remainder), as REST reports them. */
  @view(STICKER_RESULTS) @type("number") percentage = 0;
}

export class StickerState extends Schema {
  /** poll | quiz | question | slider | countdown | mention | location | link | music */
  @type("string") type = "";
  /** Position as fractions of the frame, rotation in degrees. */
  @type("number") x = 0;
  @type("number") y = 0;
  @type("number") width = 0;
  @type("number") height = 0;
  @type("number") rotation = 0;
  /** The poll/quiz/slider question, the question sticker's prompt, the countdown title. */
  @type("string") prompt = "";
  /** Poll and quiz options (text public, tallies tagged). */
  @type([StickerOptionState]) options = new ArraySchema<StickerOptionState>();
  /** Slider emoji and scale. */
  @type("string") emoji = "";
  @type("number") minValue = 0;
  @type("number") maxValue = 0;
  /** Countdown end, epoch ms (0 when not a countdown). */
  @type("number") endTime = 0;
  /** Decorative stickers: mention username, location name, link url, music title. */
  @type("string") label = "";

  /** Poll: total votes. */
  @view(STICKER_RESULTS) @type("number") totalVotes = 0;
  /** Quiz: answers, % right (one decimal) and which option is right (-1 until revealed). */
  @view(STICKER_RESULTS) @type("number") totalAnswers = 0;
  @view(STICKER_RESULTS) @type("number") correctRate = 0;
  @view(STICKER_RESULTS) @type("number") correctAnswerIndex = -1;
  /** Slider: responses and their average (one decimal; meaningless while responseCount is 0). */
  @view(STICKER_RESULTS) @type("number") responseCount = 0;
  @view(STICKER_RESULTS) @type("number") average = 0;
  /** Countdown: reminder subscribers. */
  @view(STICKER_RESULTS) @type("number") subscriberCount = 0;
  /** Question: answers received. */
  @view(STICKER_RESULTS) @type("number") answerCount = 0;
}

export class ViewerState extends Schema {
  @type("string") userId = "";
  @type("string") username = "";
  /** First view, epoch ms. */
  @type("number") viewedAt = 0;
}

/** Live insights for the author; the full report (reach, hours, top viewers) is on REST. */
export class StoryInsightsState extends Schema {
  @type("number") uniqueViewers = 0;
  @type("number") replies = 0;
  @type("number") reactions = 0;
  /** Sticker interactions (votes, answers, slider responses, countdown subscriptions). */
  @type("number") interactions = 0;
  /** interactions / uniqueViewers × 100, one decimal (insights.rules `interactionRate`). */
  @type("number") interactionRate = 0;
}

/** A story's soundtrack. Title and artist are absent when the story did not name them. */
export class MusicState extends Schema {
  @type("string") trackId = "";
  @type("string") title?: string;
  @type("string") artist?: string;
  /** Where playback starts in the track, ms. */
  @type("number") startMs = 0;
}

/** One exercise of a workout; figures the author left out are absent (not 0: "0 kg" is a real value). */
export class ExerciseState extends Schema {
  @type("string") name = "";
  @type("number") sets?: number;
  @type("number") reps?: number;
  @type("number") weightKg?: number;
}

/** A workout story's data; optional figures are absent when not given. */
export class WorkoutState extends Schema {
  @type("string") activity = "";
  @type("number") durationMinutes?: number;
  @type("number") calories?: number;
  @type("number") distanceKm?: number;
  @type([ExerciseState]) exercises = new ArraySchema<ExerciseState>();
}

/** An achievement story's badge. */
export class AchievementState extends Schema {
  @type("string") title = "";
  @type("string") description?: string;
  @type("string") badgeEmoji?: string;
}

export class StoryState extends Schema {
  @type("string") id = "";
  @type("string") storyType = "";
  @type("string") mediaId = "";
  /** A re-share of a story its author was mentioned in: the original's id and author ("" otherwise). */
  @type("string") resharedFromStoryId = "";
  @type("string") resharedFromUserId = "";
  @type("string") mediaUrl = "";
  @type("string") thumbnailUrl = "";
  @type("string") textContent = "";
  @type("string") backgroundColor = "";
  @type(["string"]) backgroundGradient = new ArraySchema<string>();
  /** Seconds the frame is shown. */
  @type("number") duration = 0;
  @type("string") caption = "";
  /**
   * Content of some story types only: absent (never sent, `undefined` when decoded) unless the
   * story has it — a child schema left unset costs nothing on the wire.
   */
  @type(MusicState) music?: MusicState;
  @type(WorkoutState) workout?: WorkoutState;
  @type(AchievementState) achievement?: AchievementState;
  /** The community the story was posted to ("" when none). */
  @type("string") communityId = "";
  @type("string") privacy = "";
  @type("number") createdAt = 0;
  @type("number") expiresAt = 0;
  /** Unique viewers. */
  @type("number") viewCount = 0;
  @type("number") reactionCount = 0;
  @type([StickerState]) stickers = new ArraySchema<StickerState>();

  /** Newest first, capped at SEEN_BY_LIVE_LIMIT (the full list is paged on REST). */
  @view(AUTHOR_ONLY) @type([ViewerState]) seenBy = new ArraySchema<ViewerState>();
  @view(AUTHOR_ONLY) @type(StoryInsightsState) insights = new StoryInsightsState();
  @view(AUTHOR_ONLY) @type(["string"]) customViewerIds = new ArraySchema<string>();
  @view(AUTHOR_ONLY) @type(["string"]) hiddenFrom = new ArraySchema<string>();
}

export class StoryRoomState extends Schema {
  /** Keyed by story id; per-client visibility via StateView (`@view()`). */
  @view() @type({ map: StoryState }) stories = new MapSchema<StoryState>();
  /** Connected clients in this room (the author included). */
  @type("number") watchingNow = 0;
  @type("string") authorId = "";
}
