import { clock } from "../shared/clock";
import { profilesByIds } from "../auth/profile-cache";
import { viewerGraphIds } from "../social/relationship-facts";
import { assertActiveMember } from "../communities/community.service";
import { buildFeedPage } from "./feed.rules";
import type { ViewerGraph } from "./privacy.rules";
import { toAuthor, toStoryView, type FeedGroup } from "./story.presenter";
import type { FeedQuery } from "./story.schemas";
import * as repo from "./story.repository";
import { findStoriesAtRevs } from "./story-copies";

/**
 * The tray: live stories the viewer may see, one reel per author, unseen reels first. Store
 * commands per page: the candidates (id and revision only), what the viewer saw, the viewer's
 * answers on the page (3); the stories themselves come from this process's copies at the
 * candidates' revisions (a story written since, or never read here, adds one read for all such);
 * the viewer's graph (follows, close-friend-of, blocks) comes from the cached relationship facts
 * and the page's authors from the cached profiles (a cold page adds one users read).
 */

/** Feed candidates read per request: bounds memory; past it the tray shows the most recent stories. */
const FEED_CANDIDATE_CAP = 5000;

/**
 * With `community_id`, the same tray over that community's stories only (members only: 403
 * `not_community_member`, 404 `community_not_found`); the privacy rules still apply per story.
 */
export async function getFeed(viewerId: string, query: FeedQuery): Promise<{ groups: FeedGroup[]; next_cursor: string | null }> {
  const now = clock.now();
  if (query.community_id !== undefined) await assertActiveMember(viewerId, query.community_id);
  const { following, closeFriendOf, blocked, communities, bannedFrom } = await viewerGraphIds(viewerId);
  const refs =
    query.community_id !== undefined
      ? await repo.findCommunityFeedCandidates({ communityId: query.community_id, excludeAuthorIds: blocked, now, cap: FEED_CANDIDATE_CAP })
      : await repo.findFeedCandidates({
          viewerId,
          authorIds: [viewerId, ...following, ...closeFriendOf],
          excludeAuthorIds: blocked,
          now,
          cap: FEED_CANDIDATE_CAP,
        });
  const [candidates, seen] = await Promise.all([findStoriesAtRevs(refs), repo.seenStoryIds(viewerId, refs.map((s) => s._id))]);
  const graph: ViewerGraph = {
    viewerId,
    followingIds: new Set(following),
    closeFriendOfIds: new Set(closeFriendOf),
    blockedIds: new Set(blocked),
    // no standing per-author hide list exists yet; per-story hidden_from_ids are on each story
    hiddenByAuthorIds: new Set(),
    communityIds: new Set(communities),
    bannedFromCommunityIds: new Set(bannedFrom),
  };
  const page = buildFeedPage(candidates, seen, graph, now, query);
  const onPage = page.items.flatMap((reel) => reel.stories);
  const [mine, authors] = await Promise.all([
    repo.interactionsOf(viewerId, onPage.map((s) => s._id)),
    profilesByIds(page.items.map((r) => r.author_id)),
  ]);
  return {
    next_cursor: page.next_cursor,
    groups: page.items.map((reel) => ({
      author_id: reel.author_id,
      author: authors.has(reel.author_id) ? toAuthor(authors.get(reel.author_id)!) : null,
      is_own: reel.is_own,
      has_unseen: reel.has_unseen,
      unseen_count: reel.unseen_count,
      latest_created_at: reel.latest_created_at,
      start_index: reel.start_index,
      stories: reel.stories.map((s) => toStoryView(s, viewerId, seen.has(s._id), mine.get(s._id), now)),
    })),
  };
}
