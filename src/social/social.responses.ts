import { z } from "zod";
import { isoDateTime, pageOf, responseOf } from "../http/response-schema";
import type * as social from "./social.service";

/** Response schemas of /api/v1/users, tied to the service's output (see src/http/response-schema.ts). */
export const publicProfileResponse = responseOf<Awaited<ReturnType<typeof social.publicProfile>>>()(
  z
    .object({
      id: z.string(),
      username: z.string(),
      display_name: z.string(),
      bio: z.string(),
      avatar_url: z.string().nullable(),
      follower_count: z.number().int().min(0),
      following_count: z.number().int().min(0),
    })
    .strict()
    .meta({
      id: "PublicProfile",
      example: { id: "665f1c2e8b3c4a0012345678", username: "mira", display_name: "Mira", bio: "runs at dawn", avatar_url: null, follower_count: 120, following_count: 80 },
    }),
);

export const userSummary = z
  .object({ id: z.string(), username: z.string(), display_name: z.string(), avatar_url: z.string().nullable() })
  .strict()
  .meta({ id: "UserSummary", example: { id: "665f1c2e8b3c4a0012345678", username: "mira", display_name: "Mira", avatar_url: null } });

export const followPageResponse = responseOf<Awaited<ReturnType<typeof social.listFollows>>>()(
  pageOf(z.object({ user: userSummary, followed_at: isoDateTime }).strict()).meta({
    id: "FollowPage",
    example: { items: [{ user: { id: "665f1c2e8b3c4a0012345678", username: "mira", display_name: "Mira", avatar_url: null }, followed_at: "2026-01-01T12:00:00.000Z" }], next_cursor: null },
  }),
);
