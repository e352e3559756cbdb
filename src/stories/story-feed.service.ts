import { clock } from "../shared/clock";
import { profilesByIds } from "../auth/profile-cache";
import { viewerGraphIds } from "../social/relationship-facts";
import { assertActiveMember } from "../communities/community.service";
import { buildFeedPage, type AuthorReel } from "./feed.rules";
import type { ViewerGraph } from "./privacy.rules";
import { storyViewJson, toAuthor, toStoryView, type FeedGroup } from "./story.presenter";
import type { User } from "../auth/user.repository";
import { MAX_STORY_LIFETIME_HOURS, type FeedQuery } from "./story.schemas";
import { findFeedInputs } from "./feed-inputs.repository";
import { findStoriesAtRevs } from "./story-copies";

/**
 * The tray: live stories the viewer may see, one reel per author, unseen reels first. One store
 * command per page (feed-inputs.repository.ts): the candidates (id and revision only), what the
 * viewer saw and what they answered lately; the stories themselves come from this process's copies at the
 * candidates' revisions (a story written since, or never read here, adds one read for all such);
 * the viewer's graph (follows, close-friend-of, blocks) comes from the cached relationship facts
 * and the page's authors from the cached profiles (a cold page adds one users read).
 */

/** Feed candidates read per request: bounds memory; past it the tray shows the most recent stories. */
const FEED_CANDIDATE_CAP = 5000;
/** Servers' clocks may disagree by this much: a view stamped by a slower clock is still found. */
const CLOCK_SKEW_MARGIN_MS = 10 * 60_000;

/**
 * With `community_id`, the same tray over that community's stories only (members only: 403
 * `not_community_member`, 404 `community_not_found`); the privacy rules still apply per story.
 */
export async function getFeed(viewerId: string, query: FeedQuery): Promise<{ groups: FeedGroup[]; next_cursor: string | null }> {
  const { page, seen, mine, authors, now } = await feedPage(viewerId, query);
  return {
    next_cursor: page.next_cursor,
    groups: page.items.map((reel) => ({
      ...reelHead(reel, authors),
      stories: reel.stories.map((s) => toStoryView(s, viewerId, seen.has(s._id), mine.get(s._id), now)),
    })),
  };
}

/**
 * `getFeed` as the JSON text the route sends: the same answer (a test holds them equal), written
 * from each story's cached text where the viewer's part is only `seen` (`storyViewJson`), so a page
 * of 60 stories is not built and stringified field by field on every request.
 */
export async function getFeedJson(viewerId: string, query: FeedQuery): Promise<string> {
  const { page, seen, mine, authors, now } = await feedPage(viewerId, query);
  const groups = page.items.map((reel) => {
    const head = JSON.stringify({ ...reelHead(reel, authors), stories: [] });
    const stories = reel.stories.map((s) => storyViewJson(s, viewerId, seen.has(s._id), mine.get(s._id), now));
    // `stories` is the group's last field: its empty array is replaced by the stories' texts
    return `${head.slice(0, -"[]}".length)}[${stories.join(",")}]}`;
  });
  return `{"next_cursor":${JSON.stringify(page.next_cursor)},"groups":[${groups.join(",")}]}`;
}

function reelHead(reel: AuthorReel, authors: Map<string, User>): Omit<FeedGroup, "stories"> {
  return {
    author_id: reel.author_id,
    author: authors.has(reel.author_id) ? toAuthor(authors.get(reel.author_id)!) : null,
    is_own: reel.is_own,
    has_unseen: reel.has_unseen,
    unseen_count: reel.unseen_count,
    latest_created_at: reel.latest_created_at,
    start_index: reel.start_index,
  };
}

async function feedPage(viewerId: string, query: FeedQuery) {
  const now = clock.now();
  if (query.community_id !== undefined) await assertActiveMember(viewerId, query.community_id);
  const { following, closeFriendOf, blocked, communities, bannedFrom } = await viewerGraphIds(viewerId);
  // what the viewer saw and answered: everything since the oldest story that can still be live (a
  // view or an answer comes after its story), so they are read with the candidates, in one command
  const since = new Date(now.getTime() - MAX_STORY_LIFETIME_HOURS * 3_600_000 - CLOCK_SKEW_MARGIN_MS);
  const { refs, seen, mine } = await findFeedInputs({
    viewerId,
    scope: query.community_id !== undefined ? { communityId: query.community_id } : { authorIds: [viewerId, ...following, ...closeFriendOf] },
    excludeAuthorIds: blocked,
    now,
    since,
    cap: FEED_CANDIDATE_CAP,
  });
  const candidates = await findStoriesAtRevs(refs);
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
  const authors = await profilesByIds(page.items.map((r) => r.author_id));
  return { page, seen, mine, authors, now };
}
