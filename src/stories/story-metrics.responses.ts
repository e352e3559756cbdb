import { z } from "zod";
import { isoDateTime, responseOf } from "../http/response-schema";
import type { StoryMetrics } from "./story-metrics.service";

/** Response schema of GET /api/v1/admin/stories/metrics, tied to the service (src/http/response-schema.ts). */
export const metricsResponse = responseOf<StoryMetrics>()(
  z
    .object({
      community_id: z.string().nullable().meta({ description: "null: every story (site admins)" }),
      from: isoDateTime,
      to: isoDateTime,
      total_stories_today: z.number().int().min(0).meta({ description: "stories posted in the window" }),
      active_stories: z.number().int().min(0),
      total_views: z.number().int().min(0),
      total_reactions: z.number().int().min(0),
      top_creators: z.array(
        z
          .object({
            user_id: z.string(),
            username: z.string().nullable(),
            display_name: z.string().nullable(),
            story_count: z.number().int().min(0),
            total_views: z.number().int().min(0),
            total_reactions: z.number().int().min(0),
          })
          .strict(),
      ),
      engagement_rate: z.number(),
      reported_rate: z.number(),
    })
    .strict()
    .meta({
      id: "StoryMetrics",
      example: {
        community_id: null, from: "2026-01-01T00:00:00.000Z", to: "2026-01-02T00:00:00.000Z", total_stories_today: 42, active_stories: 130, total_views: 5120, total_reactions: 610,
        top_creators: [{ user_id: "665f1c2e8b3c4a0012345678", username: "mira", display_name: "Mira", story_count: 6, total_views: 900, total_reactions: 120 }],
        engagement_rate: 0.12, reported_rate: 0.01,
      },
    }),
);
