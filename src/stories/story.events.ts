import { publish, topics } from "../realtime/events";

/** What the story services publish on `topics.storyReel(author_id)` after every persisted change (`story_created` also on `topics.storyPosted`). */
/** `story_moderated`: hidden pending review, or shown again (src/moderation); rooms re-decide it for every client. */
export type StoryEventType = "story_created" | "story_deleted" | "story_expired" | "story_changed" | "story_moderated";
export type StoryChangeKind = "view" | "interaction" | "reaction" | "reply";

export interface StoryEvent {
  type: StoryEventType;
  story_id: string;
  author_id: string;
  actor_id?: string;
  kind?: StoryChangeKind;
}

export function publishStoryEvent(event: StoryEvent): void {
  publish(topics.storyReel(event.author_id), event);
  // a new story also reaches viewers who are not in the author's room yet (their feed)
  if (event.type === "story_created") publish(topics.storyPosted, event);
}
