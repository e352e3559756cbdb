import { config } from "../config";
import { registerJob } from "../jobs";
import { logger } from "../logger";
import { observePublished, topics } from "../realtime/events";
import type { StoryEvent } from "../stories/story.service";
import { closeLeaderboardBackend } from "../leaderboards/leaderboard.service";
import { awardXpBatch, type AwardXpInput } from "./progression.service";
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
 * Awards are background work, taken in batches: whatever queued while the previous batch was
 * committing goes out as one (`awardXpBatch`: one transaction, one progress write per user, one
 * board submission), so a burst of engagement (a poll 200 people answer in a second) costs a few
 * transactions instead of two per answer, and never competes with the requests themselves.
 */
const MAX_BATCH = 200;
const queue: AwardXpInput[] = [];
let running = false;
let idle: Promise<void> = Promise.resolve();
let markIdle: () => void = () => undefined;

function awardStoryEvent(event: StoryEvent): void {
  const awards = storyEngagementAwards(event);
  if (awards.length === 0) return;
  if (!running && queue.length === 0) idle = new Promise((resolve) => (markIdle = resolve));
  queue.push(...awards);
  drain();
}

function drain(): void {
  if (running) return;
  if (queue.length === 0) return markIdle();
  running = true;
  const go = () => {
    const batch = queue.splice(0, MAX_BATCH);
    awardXpBatch(batch)
      .catch((err: unknown) => logger.warn({ err, awards: batch.length }, "story engagement XP failed"))
      .finally(() => {
        running = false;
        drain();
      });
  };
  // how long a batch waits for company once an award arrives (XP shows up this much later)
  const linger = config().XP_BATCH_LINGER_MS;
  if (queue.length >= MAX_BATCH || linger === 0) go();
  else setTimeout(go, linger);
}

/** Resolves once every award queued so far has settled (shutdown, tests). */
export function storyEngagementSettled(): Promise<void> {
  return !running && queue.length === 0 ? Promise.resolve() : idle;
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
