import { z } from "zod";

/** The `feed` room takes no options: it serves the signed-in user. */
export const feedJoinOptions = z.object({}).strict();
export const FEED_JOIN_HINT = "Join with no options ({}).";

/** `story_posted`, sent to each connected client whose user may see the new story. */
export interface StoryPostedMessage {
  storyId: string;
  authorId: string;
}
