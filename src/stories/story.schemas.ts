import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { cursorParam } from "../shared/pagination";

/**
 * Edge schemas for stories: what a client may send. (Over 400 lines on purpose: the story body,
 * its nine sticker payloads and the action bodies validate together and share their field rules;
 * the room's messages are in story-messages.schemas.ts.) Every object is `.strict()` so a misspelt
 * field is refused instead of silently dropped. Rules that depend on "now" (a countdown's end
 * time must be in the future) live in story.rules.ts, keeping these schemas static.
 */

// ---------------------------------------------------------------------------------------------
// Limits (each with its reason)
// ---------------------------------------------------------------------------------------------

/** More than 10 stickers cover the media and each one adds a tally row to the story document. */
export const MAX_STICKERS_PER_STORY = 10;
/** Poll/quiz options: fewer than 2 is not a choice; more than 4 do not fit the sticker on a phone. */
export const MIN_STICKER_OPTIONS = 2;
export const MAX_STICKER_OPTIONS = 4;
/** Text frames are read in a few seconds; longer text belongs in a post. */
export const MAX_TEXT_CONTENT_LENGTH = 1000;
/** Same as a feed caption (2,200, as on Instagram) so a caption can be cross-posted unchanged. */
export const MAX_CAPTION_LENGTH = 2200;
/** Sticker questions/titles are one or two lines on the sticker. */
export const MAX_STICKER_PROMPT_LENGTH = 120;
/** An option is a button label. */
export const MAX_OPTION_TEXT_LENGTH = 40;
/** Answers to a question sticker and replies are short messages, not documents. */
export const MAX_ANSWER_LENGTH = 500;
export const MAX_REPLY_LENGTH = 1000;
export const MAX_REACTION_MESSAGE_LENGTH = 500;
/** A custom audience is a hand-picked list; 500 ids keep the story document and the `$in` check small. */
export const MAX_CUSTOM_VIEWERS = 500;
/** Per-story hide list (on top of the author's own hide list, which is stored with their settings). */
export const MAX_HIDDEN_FROM = 1000;
/** Gradients: 2 colours minimum to be a gradient, 5 is already more than any story editor offers. */
export const MIN_GRADIENT_COLORS = 2;
export const MAX_GRADIENT_COLORS = 5;
/** A frame is shown 1..15 s (a story video segment is 15 s); default 5 s for photos and text. */
export const MIN_FRAME_SECONDS = 1;
export const MAX_FRAME_SECONDS = 15;
export const DEFAULT_FRAME_SECONDS = 5;
/** Stories are ephemeral: a story may ask for a shorter life, never longer than 24 h (keeping is what highlights are for). */
export const MAX_STORY_LIFETIME_HOURS = 24;
/** URLs are stored and echoed to every viewer; 2,048 is the common browser-safe bound. */
export const MAX_URL_LENGTH = 2048;
/** Feed pages: 20 author reels fill two screens of the tray; 50 caps one request's fan-out. */
export const DEFAULT_FEED_LIMIT = 20;
export const MAX_FEED_LIMIT = 50;

// ---------------------------------------------------------------------------------------------
// Reusable field schemas
// ---------------------------------------------------------------------------------------------

/** An http(s) URL; `javascript:`, `data:`, `file:` and friends are refused (they would be rendered to viewers). */
export const httpUrl = z
  .string()
  .max(MAX_URL_LENGTH)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

/** `#RGB`, `#RRGGBB` or `#RRGGBBAA`. */
export const hexColor = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, "must be a hex colour like #FF6B6B");

/** A gradient is an ordered list of colours. */
export const colorGradient = z.array(hexColor).min(MIN_GRADIENT_COLORS).max(MAX_GRADIENT_COLORS);

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const EMOJI_GRAPHEME =
  /^(?:[#*0-9]\uFE0F?\u20E3|\p{Regional_Indicator}{2}|\p{Extended_Pictographic}[\p{Emoji_Modifier}\uFE0F\u200D\p{Extended_Pictographic}\u{E0020}-\u{E007F}]*)$/u;

/** True for exactly one emoji (one grapheme cluster: ❤️, 👍🏽, 👨‍👩‍👧, 🇫🇷, #️⃣). */
export function isSingleEmoji(value: string): boolean {
  if (value.length === 0 || value.length > 32) return false; // longest family/flag sequences are < 32 code units
  const clusters = [...graphemes.segment(value)];
  return clusters.length === 1 && EMOJI_GRAPHEME.test(value);
}

export const singleEmoji = z.string().refine(isSingleEmoji, "must be a single emoji");

/** Opaque id issued by the media service (uuid, ObjectId, …). */
export const mediaId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a media id (1-64 of A-Z a-z 0-9 _ -)");

const trimmed = (max: number) => z.string().trim().min(1).max(max);

// ---------------------------------------------------------------------------------------------
// Stickers
// ---------------------------------------------------------------------------------------------

/** Coordinates are fractions of the frame so a sticker lands in the same place on every screen size. */
const placement = {
  x: z.number().min(0).max(1),
  y: z.number().min(0).max(1),
  width: z.number().gt(0).max(1),
  height: z.number().gt(0).max(1),
  rotation: z.number().min(-360).max(360).default(0),
};

/** The original API's clients send each option with its initial tally (`votes: 0`); accepted and ignored. */
const optionText = z.object({ text: trimmed(MAX_OPTION_TEXT_LENGTH), votes: z.literal(0).optional() }).strict();

export const pollStickerSchema = z
  .object({
    sticker_type: z.literal("poll"),
    ...placement,
    poll: z
      .object({
        question: trimmed(MAX_STICKER_PROMPT_LENGTH),
        options: z.array(optionText).min(MIN_STICKER_OPTIONS).max(MAX_STICKER_OPTIONS),
      })
      .strict(),
  })
  .strict();

export const quizStickerSchema = z
  .object({
    sticker_type: z.literal("quiz"),
    ...placement,
    quiz: z
      .object({
        question: trimmed(MAX_STICKER_PROMPT_LENGTH),
        options: z
          .array(z.object({ text: trimmed(MAX_OPTION_TEXT_LENGTH), is_correct: z.boolean().optional() }).strict())
          .min(MIN_STICKER_OPTIONS)
          .max(MAX_STICKER_OPTIONS),
        correct_answer_index: z.number().int().min(0),
      })
      .strict()
      .superRefine((quiz, ctx) => {
        if (quiz.correct_answer_index >= quiz.options.length) {
          ctx.addIssue({
            code: "custom",
            path: ["correct_answer_index"],
            message: "correct_answer_index must point at one of the options",
          });
        }
        // is_correct flags are optional; when sent they must agree with correct_answer_index (exactly one correct).
        quiz.options.forEach((option, index) => {
          if (option.is_correct !== undefined && option.is_correct !== (index === quiz.correct_answer_index)) {
            ctx.addIssue({
              code: "custom",
              path: ["options", index, "is_correct"],
              message: "exactly one option is correct: the one at correct_answer_index",
            });
          }
        });
      }),
  })
  .strict();

export const questionStickerSchema = z
  .object({
    sticker_type: z.literal("question"),
    ...placement,
    question: z.object({ text: trimmed(MAX_STICKER_PROMPT_LENGTH) }).strict(),
  })
  .strict();

/** Emoji slider: the scale is integers within 0..100 (integers keep the `$inc` sum exact). */
export const SLIDER_MIN = 0;
export const SLIDER_MAX = 100;
export const sliderStickerSchema = z
  .object({
    sticker_type: z.literal("slider"),
    ...placement,
    slider: z
      .object({
        question: trimmed(MAX_STICKER_PROMPT_LENGTH),
        emoji: singleEmoji,
        min_value: z.number().int().min(SLIDER_MIN).max(SLIDER_MAX).default(SLIDER_MIN),
        max_value: z.number().int().min(SLIDER_MIN).max(SLIDER_MAX).default(SLIDER_MAX),
      })
      .strict()
      .refine((s) => s.min_value < s.max_value, { message: "min_value must be below max_value", path: ["max_value"] }),
  })
  .strict();

/** end_time's future-ness depends on "now" and is checked by `buildNewStory`. */
export const countdownStickerSchema = z
  .object({
    sticker_type: z.literal("countdown"),
    ...placement,
    countdown: z
      .object({ title: trimmed(MAX_STICKER_PROMPT_LENGTH), end_time: z.iso.datetime({ offset: true }) })
      .strict(),
  })
  .strict();

export const mentionStickerSchema = z
  .object({
    sticker_type: z.literal("mention"),
    ...placement,
    mention: z.object({ user_id: objectIdString, username: trimmed(64).optional() }).strict(),
  })
  .strict();

export const locationStickerSchema = z
  .object({
    sticker_type: z.literal("location"),
    ...placement,
    location: z
      .object({
        name: trimmed(120),
        lat: z.number().min(-90).max(90).optional(),
        lng: z.number().min(-180).max(180).optional(),
      })
      .strict()
      .refine((l) => (l.lat === undefined) === (l.lng === undefined), {
        message: "lat and lng come together",
        path: ["lng"],
      }),
  })
  .strict();

export const linkStickerSchema = z
  .object({
    sticker_type: z.literal("link"),
    ...placement,
    link: z.object({ url: httpUrl, title: trimmed(100).optional() }).strict(),
  })
  .strict();

export const musicTrackSchema = z
  .object({
    track_id: z.string().regex(/^[A-Za-z0-9_:.-]{1,128}$/, "must be a track id"),
    title: trimmed(200).optional(),
    artist: trimmed(200).optional(),
    /** Where in the track playback starts; 15 minutes is longer than any track excerpt needs. */
    start_ms: z.number().int().min(0).max(15 * 60 * 1000).default(0),
  })
  .strict();

export const musicStickerSchema = z
  .object({ sticker_type: z.literal("music"), ...placement, music: musicTrackSchema })
  .strict();

export const stickerSchema = z.discriminatedUnion("sticker_type", [
  pollStickerSchema,
  quizStickerSchema,
  questionStickerSchema,
  sliderStickerSchema,
  countdownStickerSchema,
  mentionStickerSchema,
  locationStickerSchema,
  linkStickerSchema,
  musicStickerSchema,
]);
export type StickerInput = z.infer<typeof stickerSchema>;

// ---------------------------------------------------------------------------------------------
// Create story
// ---------------------------------------------------------------------------------------------

export const workoutDataSchema = z
  .object({
    activity: trimmed(80),
    /** 24 h caps every field at what one session can plausibly log. */
    duration_minutes: z.number().int().min(1).max(24 * 60).optional(),
    calories: z.number().int().min(0).max(20000).optional(),
    distance_km: z.number().min(0).max(1000).optional(),
    /** A story frame lists a handful of exercises; 30 is a long session. */
    exercises: z
      .array(
        z
          .object({
            name: trimmed(80),
            sets: z.number().int().min(1).max(100).optional(),
            reps: z.number().int().min(1).max(1000).optional(),
            weight_kg: z.number().min(0).max(1000).optional(),
          })
          .strict(),
      )
      .max(30)
      .default([]),
  })
  .strict();

export const achievementDataSchema = z
  .object({
    title: trimmed(80),
    description: trimmed(280).optional(),
    badge_emoji: singleEmoji.optional(),
  })
  .strict();

const privacyFields = {
  privacy: z.enum(["public", "followers", "close_friends", "custom", "community"]).default("followers"),
  /** Post to a community (the poster must be an active member); privacy `community` needs it. */
  community_id: objectIdString.optional(),
  /** Only with privacy "custom": the users (besides the author) allowed to see the story. */
  custom_viewer_ids: z.array(objectIdString).max(MAX_CUSTOM_VIEWERS).optional(),
  /** Users this story is hidden from whatever its privacy; merged with the author's standing hide list. */
  hidden_from_ids: z.array(objectIdString).max(MAX_HIDDEN_FROM).optional(),
};

const commonFields = {
  media_id: mediaId.optional(),
  media_url: httpUrl.optional(),
  thumbnail_url: httpUrl.optional(),
  text_content: trimmed(MAX_TEXT_CONTENT_LENGTH).optional(),
  background_color: hexColor.optional(),
  background_gradient: colorGradient.optional(),
  duration: z.number().int().min(MIN_FRAME_SECONDS).max(MAX_FRAME_SECONDS).default(DEFAULT_FRAME_SECONDS),
  music: musicTrackSchema.optional(),
  caption: trimmed(MAX_CAPTION_LENGTH).optional(),
  stickers: z.array(stickerSchema).max(MAX_STICKERS_PER_STORY).default([]),
  /** Shorter lifetime than the server default, if the author wants one. */
  expires_in_hours: z.number().int().min(1).max(MAX_STORY_LIFETIME_HOURS).optional(),
  ...privacyFields,
};

const withMediaRequired = (s: { media_id?: string; media_url?: string }) =>
  s.media_id !== undefined || s.media_url !== undefined;

export const createStoryBodySchema = z
  .discriminatedUnion("story_type", [
    z.object({ story_type: z.literal("image"), ...commonFields }).strict(),
    z.object({ story_type: z.literal("video"), ...commonFields }).strict(),
    z
      .object({ story_type: z.literal("text"), ...commonFields, text_content: trimmed(MAX_TEXT_CONTENT_LENGTH) })
      .strict(),
    z.object({ story_type: z.literal("workout"), ...commonFields, workout_data: workoutDataSchema }).strict(),
    z
      .object({ story_type: z.literal("achievement"), ...commonFields, achievement_data: achievementDataSchema })
      .strict(),
  ])
  .superRefine((body, ctx) => {
    if ((body.story_type === "image" || body.story_type === "video") && !withMediaRequired(body)) {
      ctx.addIssue({ code: "custom", path: ["media_id"], message: `a ${body.story_type} story needs media_id or media_url` });
    }
    if (body.background_color !== undefined && body.background_gradient !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["background_gradient"],
        message: "send background_color or background_gradient, not both",
      });
    }
    if (body.thumbnail_url !== undefined && !withMediaRequired(body)) {
      ctx.addIssue({ code: "custom", path: ["thumbnail_url"], message: "a thumbnail needs media" });
    }
    if (body.privacy === "custom" && (body.custom_viewer_ids === undefined || body.custom_viewer_ids.length === 0)) {
      ctx.addIssue({ code: "custom", path: ["custom_viewer_ids"], message: "privacy custom needs at least one viewer" });
    }
    if (body.privacy !== "custom" && body.custom_viewer_ids !== undefined) {
      ctx.addIssue({ code: "custom", path: ["custom_viewer_ids"], message: "custom_viewer_ids only apply to privacy custom" });
    }
    if (body.privacy === "community" && body.community_id === undefined) {
      ctx.addIssue({ code: "custom", path: ["community_id"], message: "privacy community needs a community_id" });
    }
  });
export type CreateStoryBody = z.infer<typeof createStoryBodySchema>;
/** What a client sends before defaults are applied. */
export type CreateStoryBodyInput = z.input<typeof createStoryBodySchema>;

// ---------------------------------------------------------------------------------------------
// Viewer actions
// ---------------------------------------------------------------------------------------------

const stickerIndex = z.number().int().min(0).max(MAX_STICKERS_PER_STORY - 1);

/**
 * POST /stories/:id/interact. The payload's shape says what kind of answer it is; the rules check
 * it matches the sticker at `sticker_index`:
 * - `{sticker_index, option_index}` poll vote or quiz answer
 * - `{sticker_index, answer}` question sticker
 * - `{sticker_index, value}` emoji slider
 * - `{sticker_index}` subscribe to a countdown reminder
 */
export const interactBodySchema = z.union([
  z.object({ sticker_index: stickerIndex, option_index: z.number().int().min(0).max(MAX_STICKER_OPTIONS - 1) }).strict(),
  z.object({ sticker_index: stickerIndex, answer: trimmed(MAX_ANSWER_LENGTH) }).strict(),
  z.object({ sticker_index: stickerIndex, value: z.number().int().min(SLIDER_MIN).max(SLIDER_MAX) }).strict(),
  z.object({ sticker_index: stickerIndex }).strict(),
]);
export type InteractBody = z.infer<typeof interactBodySchema>;

export const reactionBodySchema = z
  .object({ emoji: singleEmoji, message: trimmed(MAX_REACTION_MESSAGE_LENGTH).optional() })
  .strict();
export type ReactionBody = z.infer<typeof reactionBodySchema>;

export const replyBodySchema = z.object({ text: trimmed(MAX_REPLY_LENGTH) }).strict();

/** Re-sharing a story you are mentioned in: a custom audience would need its own list, so it is not offered. */
export const reshareBodySchema = z
  .object({
    privacy: z.enum(["public", "followers", "close_friends"]).default("followers"),
    caption: trimmed(MAX_CAPTION_LENGTH).optional(),
  })
  .strict();
export type ReshareBody = z.infer<typeof reshareBodySchema>;
export type ReplyBody = z.infer<typeof replyBodySchema>;

/** Marking a story seen carries no data: who and which story come from auth and the path. */
export const viewBodySchema = z.object({}).strict();
export type ViewBody = z.infer<typeof viewBodySchema>;

export const feedQuerySchema = z
  .object({
    /** That community's feed (members only) instead of the caller's tray. */
    community_id: objectIdString.optional(),
    cursor: cursorParam,
    limit: z.coerce.number().int().min(1).max(MAX_FEED_LIMIT).default(DEFAULT_FEED_LIMIT),
  })
  .strict();
export type FeedQuery = z.infer<typeof feedQuerySchema>;
