import { z } from "zod";
import { isoDateTime, responseOf } from "../http/response-schema";
import type * as progression from "./progression.service";

/** Response schemas of /api/v1/progression, tied to the service's output (src/http/response-schema.ts). */
export const progressionProfileResponse = responseOf<Awaited<ReturnType<typeof progression.getProgressionProfile>>>()(
  z
    .object({
      user_id: z.string(),
      xp: z.number().int().min(0),
      level: z.number().int().min(1),
      level_progress: z.number().min(0).max(1).meta({ description: "share of the way to the next level" }),
      next_level_xp: z.number().int().nullable().meta({ description: "null at the top level" }),
      badges: z.array(z.object({ id: z.string(), title: z.string(), awarded_at: isoDateTime }).strict()),
    })
    .strict()
    .meta({
      id: "ProgressionProfile",
      example: { user_id: "665f1c2e8b3c4a0012345678", xp: 340, level: 3, level_progress: 0.4, next_level_xp: 500, badges: [{ id: "first_story", title: "First story", awarded_at: "2026-01-01T12:00:00.000Z" }] },
    }),
);
