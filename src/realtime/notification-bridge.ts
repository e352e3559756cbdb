import type { Client } from "@colyseus/core";
import { toNotificationMessage, type NotificationView } from "../notifications/notification.service";
import { subscribe, topics, type Unsubscribe } from "./events";

/**
 * Notifications → connected room clients: every room forwards the signed-in user's live
 * notifications (published by the notification service on any process) as `"notification"`
 * messages. Hold the result in `clientSubscriptions` so it is released when the client leaves.
 */
/** How a room that forwards them documents its `notification` messages (`messagesOut`). */
export const NOTIFICATION_MESSAGE_DOC = "the signed-in user's notifications, live (`{ id, type, actor_id, story_id, data, created_at }`)";

export function subscribeClientToNotifications(client: Pick<Client, "send">, userId: string): Unsubscribe {
  return subscribe<NotificationView>(topics.userNotifications(userId), (n) => client.send("notification", toNotificationMessage(n)));
}
