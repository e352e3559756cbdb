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
 *
 * A story posted to a community (`community_id`) adds, after the block check:
 *   - a viewer the community banned sees none of its stories (public ones included);
 *   - privacy `community` → its active members; `followers`, `close_friends`, `custom` → that
 *     audience AND active membership; `public` stays public (it is also in the community's feed).
 * Leaving (or being removed) ends membership, so every members-only story of it is hidden.
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
  /** Communities the viewer is an active member of (absent: none). */
  communityIds?: ReadonlySet<string>;
  /** Communities that banned the viewer (absent: none). */
  bannedFromCommunityIds?: ReadonlySet<string>;
}

export type ViewDecision =
  | { allowed: true; reason: "author" | "public" | "follower" | "close_friend" | "custom_list" | "community_member" }
  | {
      allowed: false;
      reason:
        | "blocked"
        | "hidden"
        | "under_review"
        | "not_follower"
        | "not_close_friend"
        | "not_on_custom_list"
        | "anonymous"
        | "banned_from_community"
        | "not_community_member";
    };

/** `community_id` is optional so rows stored before communities existed (and test fixtures) read as "no community". */
type PrivacyFields = Pick<StoryDoc, "privacy" | "custom_viewer_ids" | "hidden_from_ids" | "moderation_hidden"> & { community_id?: string | null };

/** The decision with its reason (for logs and tests); `canViewStory` is the boolean. `viewerId` null = signed-out. */
export function storyViewDecision(story: PrivacyFields, viewerId: string | null, facts: ViewerFacts): ViewDecision {
  if (viewerId !== null && facts.isAuthor) return { allowed: true, reason: "author" };
  if (story.moderation_hidden) return { allowed: false, reason: "under_review" };
  if (facts.blockedEitherWay) return { allowed: false, reason: "blocked" };
  if (viewerId !== null && (facts.hiddenByAuthor || story.hidden_from_ids.includes(viewerId))) {
    return { allowed: false, reason: "hidden" };
  }
  const communityId = story.community_id ?? null;
  if (communityId !== null) {
    if (facts.bannedFromCommunityIds?.has(communityId)) return { allowed: false, reason: "banned_from_community" };
    if (story.privacy !== "public" && !facts.communityIds?.has(communityId)) {
      return { allowed: false, reason: viewerId === null ? "anonymous" : "not_community_member" };
    }
  }
  const privacy: StoryPrivacy = story.privacy;
  switch (privacy) {
    case "community":
      // reached only by a member (checked above); without a community nobody but the author
      return communityId !== null ? { allowed: true, reason: "community_member" } : { allowed: false, reason: "not_community_member" };
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
  /** Communities the viewer is an active member of / banned from (absent: none). */
  communityIds?: ReadonlySet<string>;
  bannedFromCommunityIds?: ReadonlySet<string>;
}

export function factsFor(graph: ViewerGraph, authorId: string): ViewerFacts {
  return {
    isAuthor: graph.viewerId === authorId,
    followsAuthor: graph.followingIds.has(authorId),
    isCloseFriend: graph.closeFriendOfIds.has(authorId),
    blockedEitherWay: graph.blockedIds.has(authorId),
    hiddenByAuthor: graph.hiddenByAuthorIds.has(authorId),
    communityIds: graph.communityIds,
    bannedFromCommunityIds: graph.bannedFromCommunityIds,
  };
}

