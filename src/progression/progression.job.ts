import { registerJob } from "../jobs";
import { logger } from "../logger";
import { observePublished, topics } from "../realtime/events";
import type { StoryEvent } from "../stories/story.service";
import { closeLeaderboardBackend } from "../leaderboards/leaderboard.service";
import { awardXp } from "./progression.service";
import { storyEngagementAwards } from "./story-engagement.rules";

/**
 * Progression's background part. Story engagement gives XP: this observes the story service's own
 * events (on the process that made the change, see observePublished) and awards them, idempotently
 * by event id. Awards run after the story write; shutdown waits for those in flight, so a graceful
 * stop loses none, and only then closes the leaderboard backend they also write to.
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
  return {
    stop: async () => {
      stop();
      await storyEngagementSettled();
      await closeLeaderboardBackend();
    },
  };
});
