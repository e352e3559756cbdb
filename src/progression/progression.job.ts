import { registerJob } from "../jobs";
import { logger } from "../logger";
import { observePublished, topics } from "../realtime/events";
import type { StoryEvent } from "../stories/story.service";
import { closeLeaderboardBackend } from "../leaderboards/leaderboard.service";
import { awardXp } from "./progression.service";
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
const inFlight = new Set<Promise<unknown>>();

function awardStoryEvent(event: StoryEvent): void {
  for (const award of storyEngagementAwards(event)) {
    const p = awardXp(award)
      .catch((err: unknown) => logger.warn({ err, award }, "story engagement XP failed"))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
}

/** Resolves once every award started so far has settled (shutdown, tests). */
export async function storyEngagementSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
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
