import { clock } from "../shared/clock";
import { viewerFactsFor } from "../social/relationship-facts";
import { canViewStory } from "../stories/privacy.rules";
import { hasExpired } from "../stories/story.rules";
import * as storyRepo from "../stories/story.repository";

/**
 * Who, among connected viewers, may see a story that was just posted — the `feed` room's
 * announcement. One story read for all of them; each viewer's relationship facts come from the
 * per-process cache (follows, close friends, blocks), so a warm check costs no store command.
 */
export async function viewersWhoMaySee(storyId: string, viewerIds: string[]): Promise<Set<string>> {
  const story = await storyRepo.findStoryById(storyId);
  if (!story || story.is_deleted || hasExpired(story, clock.now())) return new Set();
  const allowed = await Promise.all(viewerIds.map(async (id) => ((await canSee(story, id)) ? id : null)));
  return new Set(allowed.filter((id): id is string => id !== null));
}

async function canSee(story: storyRepo.StoryRow, viewerId: string): Promise<boolean> {
  return canViewStory(story, viewerId, await viewerFactsFor(viewerId, story.user_id));
}
