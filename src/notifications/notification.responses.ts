import { z } from "zod";
import { responseOf } from "../http/response-schema";
import { NOTIFICATION_TYPES } from "./notification.service";
import type * as notifications from "./notification.service";

/** Response schemas of /api/v1/notifications, tied to the service's output (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";

export const notificationPageResponse = responseOf<Awaited<ReturnType<typeof notifications.listNotifications>>>()(
  z
    .object({
      items: z.array(
        z
          .object({
            id: z.string(),
            type: z.enum(NOTIFICATION_TYPES),
            actor_id: z.string().nullable(),
            story_id: z.string().nullable(),
            data: z.record(z.string(), z.unknown()).meta({ description: "per type, e.g. `{ text }` for a story reply" }),
            is_read: z.boolean(),
            read_at: z.iso.datetime().nullable(),
            created_at: z.iso.datetime(),
          })
          .strict(),
      ),
      next_cursor: z.string().nullable(),
      unread_count: z.number().int().min(0),
    })
    .strict()
    .meta({
      id: "NotificationPage",
      example: {
        items: [{ id: ID, type: "story_reply", actor_id: ID, story_id: ID, data: { text: "Nice pace!" }, is_read: false, read_at: null, created_at: "2026-01-01T12:00:00.000Z" }],
        next_cursor: null,
        unread_count: 1,
      },
    }),
);

export const markReadResponse = responseOf<Awaited<ReturnType<typeof notifications.markRead>>>()(
  z.object({ updated: z.number().int().min(0), unread_count: z.number().int().min(0) }).strict().meta({ id: "NotificationsMarkedRead", example: { updated: 3, unread_count: 0 } }),
);
