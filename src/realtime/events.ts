import { getPresence } from "../infra/presence";
import { logger } from "../logger";

/**
 * Cross-process domain events over presence pub/sub (in-process with local presence, Redis when
 * scaled out). Services publish after a change is persisted; rooms subscribe and refresh their
 * state. A REST call on process A therefore reaches a room on process B.
 */
export type Unsubscribe = () => void;

export function publish<E extends object>(topic: string, event: E): void {
  notifyObservers(topic, event);
  // fire-and-forget: the change is already persisted; a lost event is repaired by the next refresh
  Promise.resolve(getPresence().publish(topic, event)).catch((err: unknown) => logger.warn({ err, topic }, "publish failed"));
}

/**
 * `publish`, resolved once presence has accepted the event (Redis answered the PUBLISH, by when it
 * has queued the event to every subscribed process): for a change whose effect on other processes
 * should not trail the caller's reply (a chat timeout). A failed publish is logged, as in `publish`.
 */
export async function publishConfirmed<E extends object>(topic: string, event: E): Promise<void> {
  notifyObservers(topic, event);
  await Promise.resolve(getPresence().publish(topic, event)).catch((err: unknown) => logger.warn({ err, topic }, "publish failed"));
}

/**
 * In-process observers of what this process publishes, by topic prefix. Unlike subscribers (every
 * process receives each event), an observer runs once, on the process that made the change: the
 * place for follow-up work such as awarding XP for story engagement.
 */
type Observer = { prefix: string; handler: (topic: string, event: object) => void };
const observers = new Set<Observer>();

export function observePublished<E extends object>(prefix: string, handler: (topic: string, event: E) => void): Unsubscribe {
  const observer: Observer = { prefix, handler: handler as Observer["handler"] };
  observers.add(observer);
  return () => observers.delete(observer);
}

function notifyObservers(topic: string, event: object): void {
  for (const o of observers) {
    if (!topic.startsWith(o.prefix)) continue;
    try {
      o.handler(topic, event);
    } catch (err) {
      logger.error({ err, topic }, "event observer failed");
    }
  }
}

export function subscribe<E>(topic: string, handler: (event: E) => void): Unsubscribe {
  const presence = getPresence();
  const callback = (event: E) => {
    try {
      handler(event);
    } catch (err) {
      logger.error({ err, topic }, "event handler failed");
    }
  };
  void presence.subscribe(topic, callback);
  return () => presence.unsubscribe(topic, callback);
}

/**
 * A relationship between an author and one user changed (follow, block, close friends): rooms
 * showing that author's reel re-check what that user may see, so a block or an unfollow takes
 * effect for a viewer who is already watching.
 */
export interface AudienceChanged {
  type: "audience_changed";
  author_id: string;
  user_id: string;
}

export function publishAudienceChanged(authorId: string, userId: string): void {
  const event: AudienceChanged = { type: "audience_changed", author_id: authorId, user_id: userId };
  publish(topics.storyReel(authorId), event);
}

/** Topics, named in one place. */
export const topics = {
  /** everything that changes an author's reel: created, deleted, expired, counters, tallies */
  storyReel: (authorId: string) => `stories:reel:${authorId}`,
  /** every new story (posted or re-shared), for the `feed` rooms that tell each viewer allowed to see it */
  storyPosted: "stories:posted",
  /** a follow, block or close-friends change between two users (relationship caches drop the pair) */
  relationshipChanged: "relationships:changed",
  /** one user's standing in a community changed: their room clients re-decide community stories */
  communityStanding: (userId: string) => `communities:standing:${userId}`,
  /** notifications for one user, delivered live to that user's connected clients */
  userNotifications: (userId: string) => `notifications:${userId}`,
  /** an account was banned, unbanned, deleted or given new roles: every process forgets its cached standing (and drops a banned user's clients) */
  accountStanding: "accounts:standing",
  /** a player's progress in a book changed (room or REST, any process): their playthrough room reloads */
  playthrough: (userId: string, bookId: string) => `fiction:play:${userId}:${bookId}`,
};
