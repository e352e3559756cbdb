import { z } from "zod";
import { nullableIsoDateTime, responseOf } from "../http/response-schema";
import type * as leaderboards from "./leaderboard.service";

/** Response schemas of /api/v1/leaderboards, tied to the service's output (src/http/response-schema.ts). */
const boardItem = z
  .object({
    rank: z.number().int().min(1),
    user: z.object({ id: z.string(), username: z.string().nullable(), display_name: z.string().nullable() }).strict(),
    score: z.number(),
  })
  .strict();
const itemExample = { rank: 1, user: { id: "665f1c2e8b3c4a0012345678", username: "mira", display_name: "Mira" }, score: 1200 };
const season = { board_id: z.string(), season: z.string(), resets_at: nullableIsoDateTime.meta({ description: "null for an all-time board" }) };
const seasonExample = { board_id: "gifters_weekly", season: "2026-W01", resets_at: "2026-01-05T00:00:00.000Z" };

export const boardPageResponse = responseOf<Awaited<ReturnType<typeof leaderboards.getLeaderboard>>>()(
  z
    .object({ ...season, items: z.array(boardItem), next_cursor: z.string().nullable() })
    .strict()
    .meta({ id: "LeaderboardPage", example: { ...seasonExample, items: [itemExample], next_cursor: null } }),
);

export const myRankResponse = responseOf<Awaited<ReturnType<typeof leaderboards.getMyRank>>>()(
  z
    .object({ ...season, rank: z.number().int().min(1).nullable(), score: z.number().nullable(), around: z.array(boardItem).meta({ description: "the neighbours above and below" }) })
    .strict()
    .meta({ id: "MyRank", example: { ...seasonExample, rank: 1, score: 1200, around: [itemExample] } }),
);
