import { clock } from "../shared/clock";
import { timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import { publish, topics } from "../realtime/events";
import { relationshipFacts } from "../social/relationship-facts";
import * as repo from "./notification.repository";

/**
 * Notifications: one `notify` path writes the row and delivers it live on
 * `topics.userNotifications(userId)` (any process); `src/realtime/notification-bridge.ts` forwards
 * it to the user's connected room clients.
 */
export const NOTIFICATION_TYPES = ["mention", "story_reply", "countdown_ended", "story_reshared", "stream_live", "story_removed"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotifyInput {
  type: NotificationType;
  actor_id?: string | null;
  story_id?: string | null;
  data?: Record<string, unknown>;
}

/** REST shape (snake_case); dates as ISO strings so the same object crosses Redis pub/sub unchanged. */
export interface NotificationView {
  id: string;
  type: NotificationType;
  actor_id: string | null;
  story_id: string | null;
  data: Record<string, unknown>;
  is_read: boolean;
  read_at: string | null;
  created_at: string;
}

/** Room message shape (camelCase), what `client.send("notification", n)` carries. */
export interface NotificationMessage {
  id: string;
  type: NotificationType;
  actorId: string | null;
  storyId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

type Row = Record<string, any>;

function toView(row: Row): NotificationView {
  return {
    id: String(row._id),
    type: row.type,
    actor_id: row.actor_id ?? null,
    story_id: row.story_id ?? null,
    data: row.data ?? {},
    is_read: row.is_read === true,
    read_at: row.read_at ? new Date(row.read_at).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function toNotificationMessage(n: NotificationView): NotificationMessage {
  return { id: n.id, type: n.type, actorId: n.actor_id, storyId: n.story_id, data: n.data, createdAt: n.created_at };
}

/**
 * Store and deliver one notification. Nothing is sent to yourself, nor between a blocked pair
 * (either direction); returns null then.
 */
export async function notify(userId: string, input: NotifyInput): Promise<NotificationView | null> {
  const actorId = input.actor_id ?? null;
  if (actorId !== null && (actorId === userId || (await relationshipFacts(actorId, userId)).blockedEitherWay)) return null;
  const row = await repo.insertNotification({
    user_id: userId,
    type: input.type,
    actor_id: actorId,
    story_id: input.story_id ?? null,
    data: input.data ?? {},
    is_read: false,
    read_at: null,
    created_at: clock.now(),
  });
  const view = toView(row);
  publish(topics.userNotifications(userId), view);
  return view;
}

export async function unreadCount(userId: string): Promise<number> {
  return repo.countUnread(userId);
}

/** The user's notifications, newest first, with the unread count. */
export async function listNotifications(userId: string, page: PageQuery): Promise<Page<NotificationView> & { unread_count: number }> {
  const [rows, unread] = await Promise.all([repo.listForUser(userId, decodeCursor(page.cursor, timeIdCursor), page.limit + 1), unreadCount(userId)]);
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r._id));
  return { items: result.items.map(toView), next_cursor: result.next_cursor, unread_count: unread };
}

/** Mark the given notifications (only the caller's own) or all of them read. */
export async function markRead(userId: string, ids?: string[]): Promise<{ updated: number; unread_count: number }> {
  const updated = await repo.markReadForUser(userId, ids, clock.now());
  return { updated, unread_count: await unreadCount(userId) };
}
