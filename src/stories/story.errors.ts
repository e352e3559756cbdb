import { ConflictError, ForbiddenError, GoneError, NotFoundError, ValidationError } from "../shared/errors";
import type { StickerInteraction } from "./sticker.rules";
import type { StickerType } from "./story.types";

/**
 * Every error code the stories feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status) and the shape of `details`. Rules and services throw these.
 */
export const storyErrors = {
  /** missing, deleted, or hidden from this caller (indistinguishable on purpose) */
  notFound: (details?: { story_ids: string[] }) =>
    new NotFoundError("story_not_found", details ? "Some stories do not exist or are not yours." : "Story not found.", details),
  expired: () => new GoneError("story_expired", "This story has expired."),
  /** a room join: nothing of this author's reel is visible to the caller */
  reelNotVisible: () => new ForbiddenError("reel_not_visible", "This user has no active story you can see."),
  notAuthor: () => new ForbiddenError("not_story_author", "Only the story's author can do this."),
  limitReached: (max: number) => new ConflictError("story_limit_reached", `You can have at most ${max} live stories.`),
  alreadyReshared: () => new ConflictError("already_reshared", "You already re-shared this story."),
  stickerNotFound: (details: { sticker_index: number; sticker_count?: number }) =>
    new NotFoundError("sticker_not_found", `This story has no sticker ${details.sticker_index}.`, details),
  stickerNotInteractive: (details: { sticker_index: number; sticker_type?: StickerType }) =>
    new ValidationError(
      "sticker_not_interactive",
      details.sticker_type ? `A ${details.sticker_type} sticker takes no answers.` : "This sticker takes no answers.",
      details,
    ),
  stickerTypeMismatch: (message: string, details?: { sticker_index: number; sticker_type: StickerType }) =>
    new ValidationError("sticker_type_mismatch", message, details),
  countdownEnded: (details: { sticker_index: number }) => new GoneError("countdown_ended", "This countdown has already ended.", details),
  countdownInPast: (details: { sticker_index: number }) => new ValidationError("countdown_in_past", "A countdown must end in the future.", details),
  countdownTooFar: (details: { sticker_index: number }) => new ValidationError("countdown_too_far", "A countdown must end within a year.", details),
  mentionSelf: (details: { sticker_index: number }) => new ValidationError("mention_self", "You cannot mention yourself.", details),
  mentionUserNotFound: (details: { user_ids: string[] }) => new ValidationError("mention_user_not_found", "A mentioned user does not exist.", details),
  optionNotFound: (index: number, count: number, option: number, details: { sticker_index: number; option_index: number; option_count: number }) => new ValidationError("option_not_found", `Sticker ${index} has ${count} options; option ${option} does not exist.`, details),
  /** metrics over every story (no community_id): the platform admins' only */
  metricsNeedAdmin: () => new ForbiddenError("forbidden_role", "Metrics over all stories need the admin role; community admins pass community_id."),
  storyIdMismatch: () => new ValidationError("story_id_mismatch", "story_id in the body must be the story in the path."),
  ownStory: () => new ForbiddenError("own_story", "You cannot reply or react to your own story."),
  ownStoryInteraction: () => new ForbiddenError("own_story_interaction", "You cannot answer stickers on your own story."),
  reshareNotAllowed: () => new ForbiddenError("reshare_not_allowed", "Only a user mentioned in a live story can re-share it."),
  sliderValueOutOfRange: (min_value: number, max_value: number, details: { sticker_index: number; min_value: number; max_value: number }) => new ValidationError("slider_value_out_of_range", `The slider takes a whole number from ${min_value} to ${max_value}.`, details),
  stickerAlreadyAnswered: (details: { sticker_index: number; your_interaction: StickerInteraction }) => new ConflictError("sticker_already_answered", "You have already answered this sticker.", details),
} as const;

/** The story is gone for this reader (deleted, expired, or never visible to them): what a room drops. */
export function isStoryGone(err: unknown): boolean {
  return err instanceof NotFoundError || err instanceof GoneError || err instanceof ForbiddenError;
}
