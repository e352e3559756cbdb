import { config } from "../config";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import type { Principal } from "../auth/roles";
import { hasRole } from "../auth/roles";
import { findUsersByIds } from "../auth/user.repository";
import { followerCount } from "../social/social.repository";
import { viewerFactsFor } from "../social/relationship-facts";
import { notify } from "../notifications/notification.service";
import { logger } from "../logger";
import { canViewStory } from "./privacy.rules";
import { loadVisibleStory, refuseNonAuthor } from "./story.access";
import { isStoryGone, storyErrors } from "./story.errors";
import { publishStoryEvent } from "./story.events";
import { presentStories, toStoryView, type StoryView } from "./story.presenter";
import { buildNewStory, buildReshare, hasExpired, isAuthor, isInAuthorArchive, mentionedUserIds, softDeleteUpdate } from "./story.rules";
import type { CreateStoryBody, ReshareBody } from "./story.schemas";
import * as repo from "./story.repository";
import type { StoryRow } from "./story.repository";
import { metrics } from "../metrics/metrics";
import { recordAudit } from "../admin/audit";
import { assertActiveMember, isActiveMember } from "../communities/community.service";
import { storyMediaUrls } from "../media/media.service";

/** Operators watch posting volume (a drop means clients cannot post). */
const storiesPosted = metrics.counter("stories_posted_total", "Stories posted.");

export type { CreateStoryBody, FeedQuery, InteractBody, ReactionBody, ReplyBody } from "./story.schemas";
export type { StickerResults } from "./sticker-results.rules";
export type { StoryEvent, StoryEventType, StoryChangeKind } from "./story.events";
export type { StoryView, StoryAuthor, FeedGroup, ReplyView, QuestionAnswerView, SeenByItem } from "./story.presenter";
export { loadAuthoredStory } from "./story.access";
export { recordView, interactWithSticker, reactToStory, replyToStory, listReplies, listQuestionAnswers, seenBy, type InteractionOutcome } from "./story-engagement.service";
export { getFeed, getFeedJson } from "./story-feed.service";
export { sweepExpiredStories, sendCountdownReminders, repairStoryCounters } from "./story.maintenance";

/**
 * Stories: create, read, list, re-share, delete — the one path for REST and rooms. The other jobs
 * live beside it (access checks `story.access.ts`, presentation `story.presenter.ts`, engagement
 * `story-engagement.service.ts`, the tray `story-feed.service.ts`, upkeep `story.maintenance.ts`);
 * this module re-exports them so callers have one import. Writes publish on
 * `topics.storyReel(authorId)` (`story.events.ts`) so rooms on any process refresh.
 */

/** The original service's MAX_STORIES_PER_USER: a reel longer than 100 frames is spam, not a story. */
export const MAX_ACTIVE_STORIES_PER_USER = 100;

async function assertBelowStoryLimit(authorId: string, now: Date): Promise<void> {
  if ((await repo.countActiveStoriesByAuthor(authorId, now)) >= MAX_ACTIVE_STORIES_PER_USER) throw storyErrors.limitReached(MAX_ACTIVE_STORIES_PER_USER);
}

/** Tell users about a story; a failed notification is logged, never fails the write. */
async function notifyQuietly(userIds: string[], input: Parameters<typeof notify>[1]): Promise<void> {
  await Promise.all(
    userIds.map((userId) => notify(userId, input).catch((err: unknown) => logger.warn({ err, userId, storyId: input.story_id }, `${input.type} notification failed`))),
  );
}

export async function createStory(principal: Principal, input: CreateStoryBody): Promise<StoryView> {
  const now = clock.now();
  const authorId = principal.userId;
  const body = await withUploadedMedia(authorId, input);
  const doc = buildNewStory(body, authorId, now, { expiryHours: config().STORY_EXPIRY_HOURS, audienceSize: await followerCount(authorId) });
  const mentioned = mentionedUserIds(doc);
  if (mentioned.length > 0) {
    const found = new Set((await findUsersByIds(mentioned)).map((u) => u.id));
    const missing = mentioned.filter((id) => !found.has(id));
    if (missing.length > 0) throw storyErrors.mentionUserNotFound({ user_ids: missing });
  }
  // only an active member posts to a community (404 community_not_found, 403 not_community_member)
  if (doc.community_id !== null) await assertActiveMember(authorId, doc.community_id);
  await assertBelowStoryLimit(authorId, now);
  const story = await repo.insertStory(doc);
  storiesPosted.inc();
  publishStoryEvent({ type: "story_created", story_id: story._id, author_id: authorId, actor_id: authorId });
  // mentions are told after the story exists; notify() skips blocked pairs
  await notifyQuietly(mentioned, { type: "mention", actor_id: authorId, story_id: story._id, data: { username: principal.username } });
  return toStoryView(story, authorId, true, undefined, now);
}

/** A media_id of ours (an upload) brings its own URLs: the author's, ready, of the story's kind. */
async function withUploadedMedia(authorId: string, body: CreateStoryBody): Promise<CreateStoryBody> {
  const urls = body.media_id === undefined ? null : await storyMediaUrls(authorId, body.media_id, body.story_type);
  return urls ? { ...body, media_url: urls.media_url, thumbnail_url: urls.thumbnail_url ?? undefined } : body;
}

async function presentOne(viewerId: string, storyId: string, archiveForAuthor: boolean): Promise<StoryView> {
  const now = clock.now();
  const story = await loadVisibleStory(viewerId, storyId);
  if (hasExpired(story, now) && !(archiveForAuthor && isAuthor(story, viewerId) && isInAuthorArchive(story, now))) throw storyErrors.notFound();
  const [view] = await presentStories([story], viewerId, now);
  return view!;
}

/**
 * One story for REST: a live story the viewer may see, or — to its author only — one of their own
 * from the archive. NotFound when hidden by privacy/block, deleted, or expired for anyone else.
 */
export async function getStory(viewerId: string, storyId: string): Promise<StoryView> {
  return presentOne(viewerId, storyId, true);
}

/** One live story the viewer may see, for rooms (they hold live stories only): NotFound once expired, author included. */
export async function getLiveStory(viewerId: string, storyId: string): Promise<StoryView> {
  return presentOne(viewerId, storyId, false);
}

/** One live story as this viewer sees it, or null once it is gone for them (deleted, expired, not visible): what rooms show. */
export async function findLiveStory(viewerId: string, storyId: string): Promise<StoryView | null> {
  try {
    return await getLiveStory(viewerId, storyId);
  } catch (err) {
    if (isStoryGone(err)) return null;
    throw err;
  }
}

/**
 * The caller's own archive: their expired stories (not deleted, not yet purged), newest first —
 * what highlights are made from. Each item is presented as to the author (every figure).
 */
export async function listArchive(authorId: string, page: PageQuery): Promise<Page<StoryView>> {
  const now = clock.now();
  const rows = await repo.findArchivedStoriesByAuthor(authorId, now, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r._id));
  return { next_cursor: result.next_cursor, items: await presentStories(result.items, authorId, now) };
}

/** The author's live reel as this viewer may see it, oldest first (empty when none or blocked). */
export async function listUserStories(viewerId: string, authorId: string): Promise<StoryView[]> {
  const now = clock.now();
  const facts = await viewerFactsFor(viewerId, authorId);
  if (facts.blockedEitherWay) return [];
  const stories = (await repo.findActiveStoriesByAuthor(authorId, now)).filter((s) => canViewStory(s, viewerId, facts));
  return presentStories(stories, viewerId, now);
}

/**
 * The rooms' join check: the author's live reel as this viewer sees it, refused with
 * `reel_not_visible` when none of it is visible. The join then shows this same reel (one read).
 */
export async function openReel(viewerId: string, authorId: string): Promise<StoryView[]> {
  const reel = await listUserStories(viewerId, authorId);
  if (reel.length === 0) throw storyErrors.reelNotVisible();
  return reel;
}

/**
 * A user mentioned in a live story re-shares it to their own story, once. The new story shows the
 * original's frame and links back to it; the original's author is notified.
 */
export async function reshareStory(principal: Principal, storyId: string, body: ReshareBody): Promise<StoryView> {
  const now = clock.now();
  const original = await loadVisibleStory(principal.userId, storyId);
  const doc = buildReshare(original, principal.userId, body, now, {
    expiryHours: config().STORY_EXPIRY_HOURS,
    audienceSize: await followerCount(principal.userId),
    resharerIsMember: original.community_id ? await isActiveMember(principal.userId, original.community_id) : false,
  });
  await assertBelowStoryLimit(principal.userId, now);
  let story: StoryRow;
  try {
    story = await repo.insertStory(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw storyErrors.alreadyReshared();
    throw err;
  }
  publishStoryEvent({ type: "story_created", story_id: story._id, author_id: principal.userId, actor_id: principal.userId });
  await notifyQuietly([original.user_id], {
    type: "story_reshared",
    actor_id: principal.userId,
    story_id: original._id,
    data: { reshare_id: story._id, username: principal.username },
  });
  return toStoryView(story, principal.userId, true, undefined, now);
}

/**
 * Delete a story: its author (soft, into their archive), or a moderator taking it down — a platform
 * admin, or (`moderated`, decided by src/moderation) a community moderator resolving a report.
 */
export async function deleteStory(principal: Principal, storyId: string, opts: { moderated?: boolean } = {}): Promise<void> {
  const now = clock.now();
  const story = await repo.findStoryById(storyId);
  if (!story || story.is_deleted) throw storyErrors.notFound();
  const admin = opts.moderated === true || hasRole(principal, "admin");
  if (!admin && !isAuthor(story, principal.userId)) await refuseNonAuthor(story, principal.userId);
  const set = admin ? { is_deleted: true as const, deleted_at: now, updated_at: now } : softDeleteUpdate(story, principal.userId, now);
  if (!(await repo.softDeleteStory(story._id, set))) throw storyErrors.notFound();
  // an admin taking down someone else's story is an admin action
  if (admin && !isAuthor(story, principal.userId)) {
    await recordAudit({ actorId: principal.userId, action: "stories.admin_delete", targetType: "story", targetId: story._id, details: { author_id: story.user_id } });
  }
  publishStoryEvent({ type: "story_deleted", story_id: story._id, author_id: story.user_id, actor_id: principal.userId });
}
