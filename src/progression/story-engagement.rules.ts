import type { StoryEvent } from "../stories/story.service";
import type { AwardXpInput } from "./progression.service";
import type { XpSource } from "./xp.rules";

/**
 * Which XP a story event is worth, to whom. The story service publishes an event after each
 * persisted change; views and sticker answers are already once per viewer there, and the event ids
 * here make reactions and replies count once per viewer and story too (so replying ten times is
 * not ten rewards). An author's own actions on their story give nothing.
 */
const VIEWER_SOURCE: Record<NonNullable<StoryEvent["kind"]>, XpSource> = {
  view: "story_viewed",
  interaction: "story_interacted",
  reaction: "story_interacted",
  reply: "story_replied",
};

export function storyEngagementAwards(event: StoryEvent): AwardXpInput[] {
  if (event.type === "story_created") {
    return [{ userId: event.author_id, source: "story_posted", eventId: `story:${event.story_id}:posted` }];
  }
  if (event.type !== "story_changed" || !event.kind || !event.actor_id || event.actor_id === event.author_id) return [];
  const eventId = `story:${event.story_id}:${event.kind}:${event.actor_id}`;
  return [
    { userId: event.actor_id, source: VIEWER_SOURCE[event.kind], eventId },
    { userId: event.author_id, source: "story_engagement_received", eventId },
  ];
}
