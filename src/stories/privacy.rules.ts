import type { StoryDoc, StoryPrivacy } from "./story.types";

/**
 * Who may see a story. The relationship facts are looked up by the service (follows, close
 * friends, blocks, the author's standing hide list) and passed in, so this stays a pure decision
 * that can be tested over the whole matrix.
 *
 * Order of the checks (first match wins):
 *   1. the author always sees their own story
 *   1b. a story hidden pending moderation review is seen by nobody else
 *   2. a block in either direction hides it
 *   3. the author's hide list (standing or on the story) hides it, whatever the privacy
 *   4. privacy: public → anyone; followers → followers; close_friends → the author's close
 *      friends; custom → users on the story's custom_viewer_ids
 * Close friends and custom audiences do NOT additionally require following: being put on the
 * list by the author is the permission.
 */
export interface ViewerFacts {
  isAuthor: boolean;
  followsAuthor: boolean;
  /** The viewer is on the author's close-friends list. */
  isCloseFriend: boolean;
  /** Either user blocked the other. */
  blockedEitherWay: boolean;
  /** The viewer is on the author's standing "hide story from" list (author settings). */
  hiddenByAuthor?: boolean;
}

export type ViewDecision =
  | { allowed: true; reason: "author" | "public" | "follower" | "close_friend" | "custom_list" }
  | {
      allowed: false;
      reason: "blocked" | "hidden" | "under_review" | "not_follower" | "not_close_friend" | "not_on_custom_list" | "anonymous";
    };

type PrivacyFields = Pick<StoryDoc, "privacy" | "custom_viewer_ids" | "hidden_from_ids" | "moderation_hidden">;

/** The decision with its reason (for logs and tests); `canViewStory` is the boolean. `viewerId` null = signed-out. */
export function storyViewDecision(story: PrivacyFields, viewerId: string | null, facts: ViewerFacts): ViewDecision {
  if (viewerId !== null && facts.isAuthor) return { allowed: true, reason: "author" };
  if (story.moderation_hidden) return { allowed: false, reason: "under_review" };
  if (facts.blockedEitherWay) return { allowed: false, reason: "blocked" };
  if (viewerId !== null && (facts.hiddenByAuthor || story.hidden_from_ids.includes(viewerId))) {
    return { allowed: false, reason: "hidden" };
  }
  const privacy: StoryPrivacy = story.privacy;
  switch (privacy) {
    case "public":
      return { allowed: true, reason: "public" };
    case "followers":
      if (viewerId === null) return { allowed: false, reason: "anonymous" };
      return facts.followsAuthor ? { allowed: true, reason: "follower" } : { allowed: false, reason: "not_follower" };
    case "close_friends":
      if (viewerId === null) return { allowed: false, reason: "anonymous" };
      return facts.isCloseFriend
        ? { allowed: true, reason: "close_friend" }
        : { allowed: false, reason: "not_close_friend" };
    case "custom":
      if (viewerId === null) return { allowed: false, reason: "anonymous" };
      return story.custom_viewer_ids.includes(viewerId)
        ? { allowed: true, reason: "custom_list" }
        : { allowed: false, reason: "not_on_custom_list" };
  }
}

export function canViewStory(story: PrivacyFields, viewerId: string | null, facts: ViewerFacts): boolean {
  return storyViewDecision(story, viewerId, facts).allowed;
}

/**
 * The relationship facts a feed needs, per author, from the sets a service loads once per request.
 */
export interface ViewerGraph {
  viewerId: string;
  followingIds: ReadonlySet<string>;
  /** Authors who have the viewer on their close-friends list. */
  closeFriendOfIds: ReadonlySet<string>;
  /** Users blocked by, or blocking, the viewer. */
  blockedIds: ReadonlySet<string>;
  /** Authors whose standing hide list contains the viewer. */
  hiddenByAuthorIds: ReadonlySet<string>;
}

export function factsFor(graph: ViewerGraph, authorId: string): ViewerFacts {
  return {
    isAuthor: graph.viewerId === authorId,
    followsAuthor: graph.followingIds.has(authorId),
    isCloseFriend: graph.closeFriendOfIds.has(authorId),
    blockedEitherWay: graph.blockedIds.has(authorId),
    hiddenByAuthor: graph.hiddenByAuthorIds.has(authorId),
  };
}

