import { z } from "zod";
import { isoDateTime, pageOf, responseOf } from "../http/response-schema";
import { stickerResultsResponse } from "../stories/story.responses";
import type * as insights from "./insights.service";

/** Response schemas of /api/v1/viewers, tied to the service's output (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";
const counts = z.record(z.string(), z.number());
const rate = z.number().meta({ description: "a percentage, 0-100" });

export const storyViewersResponse = responseOf<Awaited<ReturnType<typeof insights.storyViewers>>>()(
  pageOf(
    z.object({ user_id: z.string(), username: z.string().nullable(), display_name: z.string().nullable(), viewed_at: isoDateTime, view_count: z.number().int().min(1) }).strict(),
  ).meta({ id: "StoryViewerPage", example: { items: [{ user_id: ID, username: "sam", display_name: "Sam", viewed_at: AT, view_count: 2 }], next_cursor: null } }),
);

const storyFigures = {
  total_views: z.number().int().min(0),
  unique_viewers: z.number().int().min(0),
  reach_percentage: rate,
  total_interactions: z.number().int().min(0),
  interaction_rate: rate,
  replies: z.number().int().min(0),
  reactions: z.number().int().min(0),
  engagement_score: z.number(),
};
const figuresExample = { total_views: 14, unique_viewers: 10, reach_percentage: 50, total_interactions: 4, interaction_rate: 40, replies: 1, reactions: 3, engagement_score: 12.5 };

export const storyInsightsResponse = responseOf<insights.StoryInsightsJson>()(
  z
    .object({
      story_id: z.string(),
      ...storyFigures,
      views_by_hour: counts.meta({ description: "views per hour of the day (UTC, `\"0\"`-`\"23\"`)" }),
      peak_viewing_hour: z.number().int().nullable(),
      sticker_interactions: counts.meta({ description: "interactions per sticker type" }),
      sticker_results: z.record(z.string(), stickerResultsResponse).meta({ description: "results by sticker index" }),
      top_viewers: z.array(
        z.object({ user_id: z.string(), username: z.string().nullable(), display_name: z.string().nullable(), interactions: z.number().int().min(0), viewed_at: isoDateTime.nullable() }).strict(),
      ),
    })
    .strict()
    .meta({
      id: "StoryInsights",
      example: { story_id: ID, ...figuresExample, views_by_hour: { "8": 10, "9": 4 }, peak_viewing_hour: 8, sticker_interactions: { poll: 4 }, sticker_results: {}, top_viewers: [] },
    }),
);

export const userInsightsResponse = responseOf<Awaited<ReturnType<typeof insights.userInsights>>>()(
  z
    .object({
      from: isoDateTime,
      to: isoDateTime,
      follower_count: z.number().int().min(0),
      story_count: z.number().int().min(0),
      total_views: z.number().int().min(0),
      unique_views: z.number().int().min(0),
      distinct_viewers: z.number().int().min(0).nullable(),
      average_unique_viewers: z.number(),
      average_reach_percentage: rate,
      replies: z.number().int().min(0),
      reactions: z.number().int().min(0),
      total_interactions: z.number().int().min(0),
      interaction_rate: rate,
      interactions_by_sticker_type: counts,
      views_by_hour: counts,
      peak_viewing_hour: z.number().int().nullable(),
      engagement_score: z.number(),
      top_story_id: z.string().nullable(),
      top_stories: z.array(z.object({ story_id: z.string(), story_type: z.string(), created_at: isoDateTime, ...storyFigures }).strict()),
    })
    .strict()
    .meta({
      id: "UserInsights",
      example: {
        from: "2025-12-25T00:00:00.000Z", to: AT, follower_count: 20, story_count: 1, total_views: 14, unique_views: 10, distinct_viewers: 10, average_unique_viewers: 10,
        average_reach_percentage: 50, replies: 1, reactions: 3, total_interactions: 4, interaction_rate: 40, interactions_by_sticker_type: { poll: 4 }, views_by_hour: { "8": 14 },
        peak_viewing_hour: 8, engagement_score: 12.5, top_story_id: ID, top_stories: [{ story_id: ID, story_type: "text", created_at: AT, ...figuresExample }],
      },
    }),
);
