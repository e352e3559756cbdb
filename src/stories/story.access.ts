import { viewerFactsFor } from "../social/relationship-facts";
import { canViewStory } from "./privacy.rules";
import { storyErrors } from "./story.errors";
import { assertAuthor } from "./story.rules";
import * as repo from "./story.repository";
import type { StoryRow } from "./story.repository";

/**
 * Who may touch a story: the access checks every story service starts with. The relationship
 * facts come from src/social/relationship-facts (cached, invalidated by social events), so a
 * check costs the story read and nothing more when warm.
 */

/**
 * The story if it exists, is not deleted and the viewer may see it; otherwise `story_not_found`
 * (a hidden story is indistinguishable from a missing one). Expiry is checked by the caller.
 */
export async function loadVisibleStory(viewerId: string, storyId: string): Promise<StoryRow> {
  const story = await repo.findStoryById(storyId);
  if (!story || story.is_deleted) throw storyErrors.notFound();
  if (!canViewStory(story, viewerId, await viewerFactsFor(viewerId, story.user_id))) throw storyErrors.notFound();
  return story;
}

/**
 * The story for an author-only action (lists, insights): 404 if missing, deleted or invisible to
 * the caller, 403 `not_story_author` if they can see it but it is not theirs. Expired stories
 * pass: authors read their figures until the story is purged.
 */
export async function loadAuthoredStory(userId: string, storyId: string): Promise<StoryRow> {
  const story = await loadVisibleStory(userId, storyId);
  assertAuthor(story, userId);
  return story;
}

/** Someone who cannot see the story does not learn it exists: 404, else 403 `not_story_author`. */
export async function refuseNonAuthor(story: StoryRow, userId: string): Promise<never> {
  if (!canViewStory(story, userId, await viewerFactsFor(userId, story.user_id))) throw storyErrors.notFound();
  throw storyErrors.notAuthor();
}
