import { getPresence } from "../infra/presence";
import { logger } from "../logger";

/**
 * Cross-process domain events over presence pub/sub (in-process with local presence, Redis when
 * scaled out). Services publish after a change is persisted; rooms subscribe and refresh their
 * state. A REST call on process A therefore reaches a room on process B.
 */
export type Unsubscribe = () => void;

export function publish<E extends object>(topic: string, event: E): void {
  // fire-and-forget: the change is already persisted; a lost event is repaired by the next refresh
  Promise.resolve(getPresence().publish(topic, event)).catch((err: unknown) => logger.warn({ err, topic }, "publish failed"));
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

/** Topics, named in one place. */
export const topics = {
  /** everything that changes an author's reel: created, deleted, expired, counters, tallies */
  storyReel: (authorId: string) => `stories:reel:${authorId}`,
  /** notifications for one user, delivered live to that user's connected clients */
  userNotifications: (userId: string) => `notifications:${userId}`,
};
