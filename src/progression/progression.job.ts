import { registerJob } from "../jobs";
import { logger } from "../logger";
import { observePublished, topics } from "../realtime/events";
import type { StoryEvent } from "../stories/story.service";
import { closeLeaderboardBackend } from "../leaderboards/leaderboard.service";
import { awardXp, type AwardXpInput } from "./progression.service";
import { storyEngagementAwards } from "./story-engagement.rules";
import { reconcileStoryEngagement, RECONCILE_INTERVAL_MS } from "./story-engagement.reconcile";

/**
 * Progression's background part. Story engagement gives XP: this observes the story service's own
 * events (on the process that made the change, see observePublished) and awards them, idempotently
 * by event id. Awards run after the story write; shutdown waits for those in flight, so a graceful
 * stop loses none, and only then closes the leaderboard backend they also write to. A kill -9
 * between a story write and its award is repaired by the reconciliation pass every minute
 * (story-engagement.reconcile.ts).
 */
/**
 * Awards are background work: at most this many run at once, so a burst of engagement (a poll
 * 200 people answer in a second) queues its XP instead of competing with the requests themselves.
 */
const MAX_CONCURRENT_AWARDS = 4;
const queue: AwardXpInput[] = [];
let running = 0;
let idle: Promise<void> = Promise.resolve();
let markIdle: () => void = () => undefined;

function awardStoryEvent(event: StoryEvent): void {
  const awards = storyEngagementAwards(event);
  if (awards.length === 0) return;
  if (running === 0 && queue.length === 0) idle = new Promise((resolve) => (markIdle = resolve));
  queue.push(...awards);
  drain();
}

function drain(): void {
  while (running < MAX_CONCURRENT_AWARDS && queue.length > 0) {
    const award = queue.shift()!;
    running++;
    awardXp(award)
      .catch((err: unknown) => logger.warn({ err, award }, "story engagement XP failed"))
      .finally(() => {
        running--;
        drain();
        if (running === 0 && queue.length === 0) markIdle();
      });
  }
}

/** Resolves once every award queued so far has settled (shutdown, tests). */
export function storyEngagementSettled(): Promise<void> {
  return running === 0 && queue.length === 0 ? Promise.resolve() : idle;
}

registerJob(() => {
  const stop = observePublished<StoryEvent>(topics.storyReel(""), (_topic, event) => awardStoryEvent(event));
  let reconciling: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (reconciling) return; // the previous pass is still going
    reconciling = reconcileStoryEngagement()
      .catch((err: unknown) => logger.error({ err }, "story engagement reconciliation failed"))
      .finally(() => (reconciling = undefined));
  }, RECONCILE_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      stop();
      clearInterval(timer);
      await Promise.all([storyEngagementSettled(), reconciling]);
      await closeLeaderboardBackend();
    },
  };
});
