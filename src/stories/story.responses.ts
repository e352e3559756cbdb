import { z } from "zod";
import { isoDateTime, itemsOf, pageOf, responseOf } from "../http/response-schema";
import { STICKER_TYPES, STORY_PRIVACIES, STORY_TYPES, type StoryFrame } from "./story.types";
import type { StickerInteraction } from "./sticker.rules";
import type { StickerResults } from "./sticker-results.rules";
import type * as stories from "./story.service";

/**
 * Response schemas of /api/v1/stories (and the story frame highlights reuse), tied to the
 * presenters' output (see src/http/response-schema.ts).
 */

const ID = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";
const optionTally = { text: z.string(), votes: z.number().int().min(0), percentage: z.number() };

/** Results of one sticker, for the viewers who may see them (the author; anyone who answered). */
export const stickerResultsResponse = responseOf<StickerResults>()(
  z.discriminatedUnion("sticker_type", [
    z.object({ sticker_type: z.literal("poll"), total_votes: z.number().int().min(0), options: z.array(z.object(optionTally).strict()) }).strict(),
    z
      .object({
        sticker_type: z.literal("quiz"),
        total_answers: z.number().int().min(0),
        correct_answers: z.number().int().min(0),
        correct_rate: z.number(),
        correct_answer_index: z.number().int().min(0),
        options: z.array(z.object({ ...optionTally, is_correct: z.boolean() }).strict()),
      })
      .strict(),
    z.object({ sticker_type: z.literal("question"), answer_count: z.number().int().min(0) }).strict(),
    z.object({ sticker_type: z.literal("slider"), response_count: z.number().int().min(0), average: z.number().nullable() }).strict(),
    z.object({ sticker_type: z.literal("countdown"), subscriber_count: z.number().int().min(0), end_time: isoDateTime }).strict(),
    z.object({ sticker_type: z.enum(["music", "link", "mention", "location"]), interactive: z.literal(false) }).strict(),
  ]),
);

const myInteraction = responseOf<StickerInteraction>()(
  z.discriminatedUnion("sticker_type", [
    z.object({ sticker_index: z.number().int(), sticker_type: z.literal("poll"), option_index: z.number().int() }).strict(),
    z.object({ sticker_index: z.number().int(), sticker_type: z.literal("quiz"), option_index: z.number().int(), is_correct: z.boolean() }).strict(),
    z.object({ sticker_index: z.number().int(), sticker_type: z.literal("question"), answer: z.string() }).strict(),
    z.object({ sticker_index: z.number().int(), sticker_type: z.literal("slider"), value: z.number() }).strict(),
    z.object({ sticker_index: z.number().int(), sticker_type: z.literal("countdown") }).strict(),
  ]),
);

/** What a story shows (text, media, music, …): stories, highlights and the story room present this subset. */
export const storyFrameShape = {
  story_type: z.enum(STORY_TYPES),
  media_id: z.string().nullable(),
  media_url: z.string().nullable(),
  thumbnail_url: z.string().nullable(),
  text_content: z.string().nullable(),
  background_color: z.string().nullable(),
  background_gradient: z.array(z.string()).nullable(),
  duration: z.number(),
  music: z.object({ track_id: z.string(), title: z.string().nullable(), artist: z.string().nullable(), start_ms: z.number() }).strict().nullable(),
  caption: z.string().nullable(),
  workout_data: z
    .object({
      activity: z.string(),
      duration_minutes: z.number().nullable(),
      calories: z.number().nullable(),
      distance_km: z.number().nullable(),
      exercises: z.array(z.object({ name: z.string(), sets: z.number().nullable(), reps: z.number().nullable(), weight_kg: z.number().nullable() }).strict()),
    })
    .strict()
    .nullable(),
  achievement_data: z.object({ title: z.string(), description: z.string().nullable(), badge_emoji: z.string().nullable() }).strict().nullable(),
};
responseOf<StoryFrame>()(z.object(storyFrameShape).strict());

/** A frame as the examples show it: a text story. */
export const textFrameExample = {
  story_type: "text", media_id: null, media_url: null, thumbnail_url: null, text_content: "Morning run done", background_color: "#1E88E5",
  background_gradient: null, duration: 5, music: null, caption: null, workout_data: null, achievement_data: null,
} as const;

export const storyViewResponse = responseOf<stories.StoryView>()(
  z
    .object({
      ...storyFrameShape,
      id: z.string(),
      user_id: z.string(),
      reshared_from: z.object({ story_id: z.string(), user_id: z.string() }).strict().nullable(),
      // a sticker keeps its own fields (position, poll options, …) beside these, by type
      stickers: z.array(
        z
          .object({ sticker_type: z.enum(STICKER_TYPES), my_interaction: myInteraction.nullable(), results: stickerResultsResponse.nullable() })
          .loose(),
      ),
      community_id: z.string().nullable().meta({ description: "the community it was posted to" }),
      privacy: z.enum(STORY_PRIVACIES),
      view_count: z.number().int().min(0),
      reaction_count: z.number().int().min(0),
      reply_count: z.number().int().min(0).optional().meta({ description: "author only" }),
      interaction_count: z.number().int().min(0).optional().meta({ description: "author only" }),
      created_at: isoDateTime,
      expires_at: isoDateTime,
      is_expired: z.boolean(),
      seen: z.boolean(),
      custom_viewer_ids: z.array(z.string()).optional().meta({ description: "author only" }),
      hidden_from_ids: z.array(z.string()).optional().meta({ description: "author only" }),
    })
    .strict()
    .meta({
      id: "Story",
      example: {
        ...textFrameExample, id: ID, user_id: ID, reshared_from: null, stickers: [], community_id: null, privacy: "public", view_count: 3, reaction_count: 1,
        created_at: AT, expires_at: "2026-01-02T12:00:00.000Z", is_expired: false, seen: true,
      },
    }),
);

const authorSchema = z.object({ id: z.string(), username: z.string(), display_name: z.string(), avatar_url: z.string().nullable() }).strict();

export const feedResponse = responseOf<Awaited<ReturnType<typeof stories.getFeed>>>()(
  z
    .object({
      groups: z.array(
        z
          .object({
            author_id: z.string(),
            author: authorSchema.nullable(),
            is_own: z.boolean(),
            has_unseen: z.boolean(),
            unseen_count: z.number().int().min(0),
            latest_created_at: isoDateTime,
            start_index: z.number().int().min(0).meta({ description: "where playback starts: the first unseen story" }),
            stories: z.array(storyViewResponse),
          })
          .strict(),
      ),
      next_cursor: z.string().nullable(),
    })
    .strict()
    .meta({
      id: "StoryFeed",
      example: {
        groups: [{ author_id: ID, author: { id: ID, username: "mira", display_name: "Mira", avatar_url: null }, is_own: false, has_unseen: true, unseen_count: 1, latest_created_at: AT, start_index: 0, stories: [] }],
        next_cursor: null,
      },
    }),
);

export const storyPageResponse = responseOf<Awaited<ReturnType<typeof stories.listArchive>>>()(pageOf(storyViewResponse).meta({ id: "StoryPage", example: { items: [], next_cursor: null } }));
export const storyListResponse = responseOf<{ items: stories.StoryView[] }>()(itemsOf(storyViewResponse).meta({ id: "StoryList", example: { items: [] } }));

export const sweepResponse = responseOf<Awaited<ReturnType<typeof stories.sweepExpiredStories>>>()(
  z.object({ expired: z.number().int().min(0), hard_deleted: z.number().int().min(0) }).strict().meta({ id: "StorySweep", example: { expired: 12, hard_deleted: 3 } }),
);

export const viewRecordedResponse = responseOf<Awaited<ReturnType<typeof stories.recordView>>>()(
  z
    .object({ counted: z.boolean().meta({ description: "false when this viewer had already viewed it" }), view_count: z.number().int().min(0) })
    .strict()
    .meta({ id: "ViewRecorded", example: { counted: true, view_count: 4 } }),
);

const replyView = z.object({ id: z.string(), story_id: z.string(), user_id: z.string(), username: z.string().nullable(), text: z.string(), created_at: isoDateTime }).strict();
const replyExample = { id: ID, story_id: ID, user_id: ID, username: "sam", text: "Nice pace!", created_at: AT };

export const replyResponse = responseOf<Awaited<ReturnType<typeof stories.replyToStory>>>()(
  z.object({ reply: replyView }).strict().meta({ id: "StoryReply", example: { reply: replyExample } }),
);
export const replyPageResponse = responseOf<Awaited<ReturnType<typeof stories.listReplies>>>()(
  pageOf(replyView).meta({ id: "StoryReplyPage", example: { items: [replyExample], next_cursor: null } }),
);

export const reactionResponse = responseOf<Awaited<ReturnType<typeof stories.reactToStory>>>()(
  z.object({ reaction_count: z.number().int().min(0) }).strict().meta({ id: "ReactionCount", example: { reaction_count: 2 } }),
);

export const interactionResponse = responseOf<stories.InteractionOutcome>()(
  z
    .object({
      sticker_index: z.number().int().min(0),
      result: stickerResultsResponse.nullable(),
      is_correct: z.boolean().optional().meta({ description: "quiz answers" }),
      already: z.boolean().optional().meta({ description: "true when this repeated an answer already counted" }),
    })
    .strict()
    .meta({ id: "StickerInteraction", example: { sticker_index: 0, result: { sticker_type: "poll", total_votes: 3, options: [{ text: "Yes", votes: 2, percentage: 66.7 }, { text: "No", votes: 1, percentage: 33.3 }] } } }),
);

export const seenByPageResponse = responseOf<Awaited<ReturnType<typeof stories.seenBy>>>()(
  pageOf(z.object({ user_id: z.string(), username: z.string().nullable(), viewed_at: isoDateTime }).strict()).meta({
    id: "SeenByPage",
    example: { items: [{ user_id: ID, username: "sam", viewed_at: AT }], next_cursor: null },
  }),
);

export const answerPageResponse = responseOf<Awaited<ReturnType<typeof stories.listQuestionAnswers>>>()(
  pageOf(z.object({ id: z.string(), user_id: z.string(), username: z.string().nullable(), answer: z.string(), created_at: isoDateTime }).strict()).meta({
    id: "QuestionAnswerPage",
    example: { items: [{ id: ID, user_id: ID, username: "sam", answer: "Tempo runs", created_at: AT }], next_cursor: null },
  }),
);
