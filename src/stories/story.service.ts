import { config } from "../config";
import { clock } from "../shared/clock";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, isDuplicateKeyError } from "../shared/errors";
import { timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import type { Principal } from "../auth/roles";
import { hasRole } from "../auth/roles";
import { findUsersByIds, type User } from "../auth/user.repository";
import { blockedEitherWayIds, followerCount, followingIds, isBlockedEitherWay, isFollowing } from "../social/social.service";
import { closeFriendOfIds, isCloseFriend } from "../close-friends/close-friends.service";
import { notify } from "../notifications/notification.service";
import { publish, topics } from "../realtime/events";
import { logger } from "../logger";
import { buildFeedPage } from "./feed.rules";
import { canViewStory, type ViewerFacts, type ViewerGraph } from "./privacy.rules";
import {
  presentStickerForViewer,
  repeatInteraction,
  tallyIncrements,
  validateInteraction,
  type StickerInteraction,
  type StickerResults,
  type ViewerSticker,
} from "./sticker.rules";
import {
  assertAuthor,
  assertCanMessageAuthor,
  assertStoryActive,
  buildNewStory,
  buildReshare,
  expiryUpdate,
  shouldHardDelete,
  hasExpired,
  isAuthor,
  isInAuthorArchive,
  mentionedUserIds,
  softDeleteUpdate,
} from "./story.rules";
import type { CreateStoryBody, FeedQuery, InteractBody, ReactionBody, ReplyBody, ReshareBody } from "./story.schemas";
import { storyFrameOf, type StoryFrame, type StoryPrivacy } from "./story.types";
import * as repo from "./story.repository";
import type { StoryRow } from "./story.repository";

export type { CreateStoryBody, FeedQuery, InteractBody, ReactionBody, ReplyBody } from "./story.schemas";
export type { StickerResults } from "./sticker.rules";

/**
 * Stories: the one path for REST and rooms. Reads decide visibility with privacy.rules over facts
 * loaded here (follows, close friends, blocks); writes go through the repository's atomic
 * counters and then publish on `topics.storyReel(authorId)` so rooms on any process refresh.
 */

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

/** A story as REST returns it to one viewer. */
export interface StoryView extends StoryFrame {
  id: string;
  user_id: string;
  /** The story this one re-shares (its author mentioned this story's author), else null. */
  reshared_from: { story_id: string; user_id: string } | null;
  /** Each sticker with this viewer's answer and the results they may see (author: always). */
  stickers: ViewerSticker[];
  privacy: StoryPrivacy;
  /** Unique viewers: public, the room shows it to every viewer. */
  view_count: number;
  /** Distinct reacting users: public, like the hearts under a story. */
  reaction_count: number;
  /** Author only (insights): private replies received. */
  reply_count?: number;
  /** Author only (insights): sticker interactions received. */
  interaction_count?: number;
  created_at: Date;
  expires_at: Date;
  is_expired: boolean;
  /** This viewer has viewed it (always true for the author). */
  seen: boolean;
  /** Author only. */
  custom_viewer_ids?: string[];
  /** Author only. */
  hidden_from_ids?: string[];
}

export interface StoryAuthor {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
}

/** One reel of the tray. */
export interface FeedGroup {
  author_id: string;
  author: StoryAuthor | null;
  is_own: boolean;
  has_unseen: boolean;
  unseen_count: number;
  latest_created_at: Date;
  /** Where playback starts: the first unseen story. */
  start_index: number;
  /** Oldest first. */
  stories: StoryView[];
}

export interface ReplyView {
  id: string;
  story_id: string;
  user_id: string;
  username: string | null;
  text: string;
  created_at: Date;
}

export interface QuestionAnswerView {
  id: string;
  user_id: string;
  username: string | null;
  answer: string;
  created_at: Date;
}

export interface SeenByItem {
  user_id: string;
  username: string | null;
  viewed_at: Date;
}

export type StoryEventType = "story_created" | "story_deleted" | "story_expired" | "story_changed";
export type StoryChangeKind = "view" | "interaction" | "reaction" | "reply";

/** Published on `topics.storyReel(author_id)` after every persisted change. */
export interface StoryEvent {
  type: StoryEventType;
  story_id: string;
  author_id: string;
  actor_id?: string;
  kind?: StoryChangeKind;
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

/** The original service's MAX_STORIES_PER_USER: a reel longer than 100 frames is spam, not a story. */
export const MAX_ACTIVE_STORIES_PER_USER = 100;
/** Feed candidates read per request: bounds memory; past it the tray shows the most recent stories. */
const FEED_CANDIDATE_CAP = 5000;
/** Sweep batch: keeps each query and update round small; a run loops until nothing is left. */
const SWEEP_BATCH = 500;

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function publishStoryEvent(event: StoryEvent): void {
  publish(topics.storyReel(event.author_id), event);
}

function toAuthor(u: User): StoryAuthor {
  return { id: u.id, username: u.username, display_name: u.display_name, avatar_url: u.avatar_url };
}

async function factsFor(viewerId: string, authorId: string): Promise<ViewerFacts> {
  if (viewerId === authorId) {
    return { isAuthor: true, followsAuthor: false, isCloseFriend: false, blockedEitherWay: false, hiddenByAuthor: false };
  }
  const [followsAuthor, closeFriend, blockedEitherWay] = await Promise.all([
    isFollowing(viewerId, authorId),
    isCloseFriend(authorId, viewerId),
    isBlockedEitherWay(viewerId, authorId),
  ]);
  return { isAuthor: false, followsAuthor, isCloseFriend: closeFriend, blockedEitherWay, hiddenByAuthor: false };
}

const notFound = () => new NotFoundError("story_not_found", "Story not found.");

/**
 * The story if it exists, is not deleted and the viewer may see it; otherwise NotFound (a hidden
 * story is indistinguishable from a missing one). Expiry is checked by the caller.
 */
async function loadVisibleStory(viewerId: string, storyId: string): Promise<StoryRow> {
  const story = await repo.findStoryById(storyId);
  if (!story || story.is_deleted) throw notFound();
  if (!canViewStory(story, viewerId, await factsFor(viewerId, story.user_id))) throw notFound();
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

function toStoryView(
  story: StoryRow,
  viewerId: string,
  seen: boolean,
  mine: ReadonlyMap<number, StickerInteraction> | undefined,
  now: Date,
): StoryView {
  const author = isAuthor(story, viewerId);
  return {
    id: story._id,
    user_id: story.user_id,
    reshared_from: story.reshared_from ?? null,
    ...storyFrameOf(story),
    stickers: story.stickers.map((s, i) => presentStickerForViewer(s, mine?.get(i) ?? null, author)),
    privacy: story.privacy,
    view_count: story.view_count,
    reaction_count: story.reaction_count,
    created_at: story.created_at,
    expires_at: story.expires_at,
    is_expired: story.is_expired || hasExpired(story, now),
    seen: author || seen,
    ...(author
      ? {
          reply_count: story.reply_count,
          interaction_count: story.interaction_count,
          custom_viewer_ids: story.custom_viewer_ids,
          hidden_from_ids: story.hidden_from_ids,
        }
      : {}),
  };
}

/** Present several stories to one viewer with two batched lookups (seen, own answers). */
async function presentStories(stories: StoryRow[], viewerId: string, now: Date): Promise<StoryView[]> {
  const ids = stories.map((s) => s._id);
  const [seen, mine] = await Promise.all([repo.seenStoryIds(viewerId, ids), repo.interactionsOf(viewerId, ids)]);
  return stories.map((s) => toStoryView(s, viewerId, seen.has(s._id), mine.get(s._id), now));
}

async function usernamesOf(ids: string[]): Promise<Map<string, string>> {
  const users = await findUsersByIds([...new Set(ids)]);
  return new Map(users.map((u) => [u.id, u.username]));
}

// ---------------------------------------------------------------------------------------------
// Create, read
// ---------------------------------------------------------------------------------------------

export async function createStory(principal: Principal, body: CreateStoryBody): Promise<StoryView> {
  const now = clock.now();
  const authorId = principal.userId;
  const doc = buildNewStory(body, authorId, now, { expiryHours: config().STORY_EXPIRY_HOURS, audienceSize: await followerCount(authorId) });
  const mentioned = mentionedUserIds(doc);
  if (mentioned.length > 0) {
    const found = new Set((await findUsersByIds(mentioned)).map((u) => u.id));
    const missing = mentioned.filter((id) => !found.has(id));
    if (missing.length > 0) throw new ValidationError("mention_user_not_found", "A mentioned user does not exist.", { user_ids: missing });
  }
  if ((await repo.countActiveStoriesByAuthor(authorId, now)) >= MAX_ACTIVE_STORIES_PER_USER) {
    throw new ConflictError("story_limit_reached", `You can have at most ${MAX_ACTIVE_STORIES_PER_USER} live stories.`);
  }
  const story = await repo.insertStory(doc);
  publishStoryEvent({ type: "story_created", story_id: story._id, author_id: authorId, actor_id: authorId });
  // mentions are told after the story exists; notify() skips blocked pairs
  await Promise.all(
    mentioned.map((userId) =>
      notify(userId, { type: "mention", actor_id: authorId, story_id: story._id, data: { username: principal.username } }).catch((err: unknown) =>
        logger.warn({ err, userId, storyId: story._id }, "mention notification failed"),
      ),
    ),
  );
  return toStoryView(story, authorId, true, undefined, now);
}

async function presentOne(viewerId: string, storyId: string, archiveForAuthor: boolean): Promise<StoryView> {
  const now = clock.now();
  const story = await loadVisibleStory(viewerId, storyId);
  if (hasExpired(story, now) && !(archiveForAuthor && isAuthor(story, viewerId) && isInAuthorArchive(story, now))) throw notFound();
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
  const facts = await factsFor(viewerId, authorId);
  if (facts.blockedEitherWay) return [];
  const stories = (await repo.findActiveStoriesByAuthor(authorId, now)).filter((s) => canViewStory(s, viewerId, facts));
  return presentStories(stories, viewerId, now);
}

/** At least one live story of the author is visible to the viewer (rooms' join check). */
export async function canViewReel(viewerId: string, authorId: string): Promise<boolean> {
  return (await listUserStories(viewerId, authorId)).length > 0;
}

/** The tray: live stories the viewer may see, one reel per author, unseen reels first. */
export async function getFeed(viewerId: string, query: FeedQuery): Promise<{ groups: FeedGroup[]; next_cursor: string | null }> {
  const now = clock.now();
  const [following, closeFriendOf, blocked] = await Promise.all([
    followingIds(viewerId),
    closeFriendOfIds(viewerId),
    blockedEitherWayIds(viewerId),
  ]);
  const candidates = await repo.findFeedCandidates({
    viewerId,
    authorIds: [viewerId, ...following, ...closeFriendOf],
    excludeAuthorIds: blocked,
    now,
    cap: FEED_CANDIDATE_CAP,
  });
  const graph: ViewerGraph = {
    viewerId,
    followingIds: new Set(following),
    closeFriendOfIds: new Set(closeFriendOf),
    blockedIds: new Set(blocked),
    // no standing per-author hide list exists yet; per-story hidden_from_ids are on each story
    hiddenByAuthorIds: new Set(),
  };
  const seen = await repo.seenStoryIds(viewerId, candidates.map((s) => s._id));
  const page = buildFeedPage(candidates, seen, graph, now, query);
  const onPage = page.items.flatMap((reel) => reel.stories);
  const [mine, authors] = await Promise.all([
    repo.interactionsOf(viewerId, onPage.map((s) => s._id)),
    findUsersByIds(page.items.map((r) => r.author_id)),
  ]);
  const authorById = new Map(authors.map((u) => [u.id, toAuthor(u)]));
  return {
    next_cursor: page.next_cursor,
    groups: page.items.map((reel) => ({
      author_id: reel.author_id,
      author: authorById.get(reel.author_id) ?? null,
      is_own: reel.is_own,
      has_unseen: reel.has_unseen,
      unseen_count: reel.unseen_count,
      latest_created_at: reel.latest_created_at,
      start_index: reel.start_index,
      stories: reel.stories.map((s) => toStoryView(s, viewerId, seen.has(s._id), mine.get(s._id), now)),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Viewer actions
// ---------------------------------------------------------------------------------------------

/** Mark the story seen: counted once per viewer, never for the author. */
export async function recordView(viewerId: string, storyId: string): Promise<{ counted: boolean; view_count: number }> {
  const now = clock.now();
  const story = await loadVisibleStory(viewerId, storyId);
  assertStoryActive(story, now);
  if (isAuthor(story, viewerId)) return { counted: false, view_count: story.view_count };
  const result = await repo.recordStoryView(story, viewerId, now);
  if (result.counted) publishStoryEvent({ type: "story_changed", story_id: story._id, author_id: story.user_id, actor_id: viewerId, kind: "view" });
  return result;
}

/** What answering a sticker returns: `result` is what this user may now see of it (see interactWithSticker). */
export interface InteractionOutcome {
  sticker_index: number;
  result: StickerResults | null;
  is_correct?: boolean;
  already?: boolean;
}

/**
 * Answer a sticker. One answer per user and sticker: the same answer again is an idempotent
 * retry (200, `already: true`, counts unchanged); a different one is refused with 409
 * `sticker_already_answered`. A quiz voter learns `is_correct`. `result` is the sticker's results
 * as presented to this user (`presentStickerForViewer`): poll, quiz and slider results are the
 * reward for answering; question and countdown counts stay the author's, so those give `null`.
 */
export async function interactWithSticker(userId: string, storyId: string, body: InteractBody): Promise<InteractionOutcome> {
  const now = clock.now();
  const story = await loadVisibleStory(userId, storyId);
  const interaction = validateInteraction(story, body, now, userId);
  const sticker = story.stickers[interaction.sticker_index]!;
  const remindAt = sticker.sticker_type === "countdown" ? new Date(sticker.countdown.end_time) : null;
  const outcome = await repo.insertInteraction(story, userId, interaction, tallyIncrements(interaction), now, remindAt);
  if ("previous" in outcome) {
    const { interaction: previous } = repeatInteraction(outcome.previous, interaction);
    const current = (await repo.findStoryById(story._id)) ?? story;
    return {
      sticker_index: previous.sticker_index,
      result: presentStickerForViewer(current.stickers[previous.sticker_index]!, previous, isAuthor(story, userId)).results,
      ...(previous.sticker_type === "quiz" ? { is_correct: previous.is_correct } : {}),
      already: true,
    };
  }
  publishStoryEvent({ type: "story_changed", story_id: story._id, author_id: story.user_id, actor_id: userId, kind: "interaction" });
  return {
    sticker_index: interaction.sticker_index,
    result: presentStickerForViewer(outcome.story.stickers[interaction.sticker_index]!, interaction, isAuthor(story, userId)).results,
    ...(interaction.sticker_type === "quiz" ? { is_correct: interaction.is_correct } : {}),
  };
}

/** React with an emoji; reacting again changes it. reaction_count counts distinct reacting users. */
export async function reactToStory(userId: string, storyId: string, body: ReactionBody): Promise<{ reaction_count: number }> {
  const now = clock.now();
  const story = await loadVisibleStory(userId, storyId);
  assertCanMessageAuthor(story, userId, now);
  const { reaction_count } = await repo.upsertReaction(story, userId, body.emoji, body.message ?? null, now);
  publishStoryEvent({ type: "story_changed", story_id: story._id, author_id: story.user_id, actor_id: userId, kind: "reaction" });
  return { reaction_count };
}

/** A private reply to the author: stored, counted, and notified to the author. */
export async function replyToStory(userId: string, storyId: string, body: ReplyBody): Promise<{ reply: ReplyView }> {
  const now = clock.now();
  const story = await loadVisibleStory(userId, storyId);
  assertCanMessageAuthor(story, userId, now);
  const row = await repo.insertReply(story, userId, body.text, now);
  publishStoryEvent({ type: "story_changed", story_id: story._id, author_id: story.user_id, actor_id: userId, kind: "reply" });
  await notify(story.user_id, { type: "story_reply", actor_id: userId, story_id: story._id, data: { reply_id: row.id, text: row.text } }).catch(
    (err: unknown) => logger.warn({ err, storyId: story._id }, "reply notification failed"),
  );
  const names = await usernamesOf([userId]);
  return { reply: { id: row.id, story_id: row.story_id, user_id: userId, username: names.get(userId) ?? null, text: row.text, created_at: row.created_at } };
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
  });
  if ((await repo.countActiveStoriesByAuthor(principal.userId, now)) >= MAX_ACTIVE_STORIES_PER_USER) {
    throw new ConflictError("story_limit_reached", `You can have at most ${MAX_ACTIVE_STORIES_PER_USER} live stories.`);
  }
  let story: StoryRow;
  try {
    story = await repo.insertStory(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ConflictError("already_reshared", "You already re-shared this story.");
    throw err;
  }
  publishStoryEvent({ type: "story_created", story_id: story._id, author_id: principal.userId, actor_id: principal.userId });
  await notify(original.user_id, {
    type: "story_reshared",
    actor_id: principal.userId,
    story_id: original._id,
    data: { reshare_id: story._id, username: principal.username },
  }).catch((err: unknown) => logger.warn({ err, storyId: original._id }, "reshare notification failed"));
  return toStoryView(story, principal.userId, true, undefined, now);
}

/** Soft delete by the author or an admin. */
export async function deleteStory(principal: Principal, storyId: string): Promise<void> {
  const now = clock.now();
  const story = await repo.findStoryById(storyId);
  if (!story || story.is_deleted) throw notFound();
  const admin = hasRole(principal, "admin");
  if (!admin && !isAuthor(story, principal.userId)) {
    // someone who cannot see the story does not learn it exists
    if (!canViewStory(story, principal.userId, await factsFor(principal.userId, story.user_id))) throw notFound();
    throw new ForbiddenError("not_story_author", "Only the story's author can do this.");
  }
  const set = admin ? { is_deleted: true as const, deleted_at: now, updated_at: now } : softDeleteUpdate(story, principal.userId, now);
  if (!(await repo.softDeleteStory(story._id, set))) throw notFound();
  publishStoryEvent({ type: "story_deleted", story_id: story._id, author_id: story.user_id, actor_id: principal.userId });
}

// ---------------------------------------------------------------------------------------------
// Author-only lists
// ---------------------------------------------------------------------------------------------

export async function listReplies(authorId: string, storyId: string, page: PageQuery): Promise<Page<ReplyView>> {
  const story = await loadAuthoredStory(authorId, storyId);
  const rows = await repo.listReplies(story._id, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r.id));
  const names = await usernamesOf(result.items.map((r) => r.user_id));
  return {
    next_cursor: result.next_cursor,
    items: result.items.map((r) => ({ id: r.id, story_id: r.story_id, user_id: r.user_id, username: names.get(r.user_id) ?? null, text: r.text, created_at: r.created_at })),
  };
}

export async function listQuestionAnswers(authorId: string, storyId: string, stickerIndex: number, page: PageQuery): Promise<Page<QuestionAnswerView>> {
  const story = await loadAuthoredStory(authorId, storyId);
  const sticker = story.stickers[stickerIndex];
  if (!sticker) throw new NotFoundError("sticker_not_found", `This story has no sticker ${stickerIndex}.`, { sticker_index: stickerIndex });
  if (sticker.sticker_type !== "question") {
    throw new ValidationError("sticker_type_mismatch", `Sticker ${stickerIndex} is a ${sticker.sticker_type} sticker, not a question.`, {
      sticker_index: stickerIndex,
      sticker_type: sticker.sticker_type,
    });
  }
  const rows = await repo.listStickerAnswers(story._id, stickerIndex, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.created_at, r.id));
  const names = await usernamesOf(result.items.map((r) => r.user_id));
  return {
    next_cursor: result.next_cursor,
    items: result.items.map((r) => ({ id: r.id, user_id: r.user_id, username: names.get(r.user_id) ?? null, answer: r.answer ?? "", created_at: r.created_at })),
  };
}

/** Who viewed the story, newest first (author only). */
export async function seenBy(authorId: string, storyId: string, page: PageQuery): Promise<Page<SeenByItem>> {
  const story = await loadAuthoredStory(authorId, storyId);
  const rows = await repo.listStoryViews(story._id, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  const result = toPage(rows, page.limit, (r) => timeIdKey(r.first_viewed_at, r.id));
  const names = await usernamesOf(result.items.map((r) => r.viewer_id));
  return {
    next_cursor: result.next_cursor,
    items: result.items.map((r) => ({ user_id: r.viewer_id, username: names.get(r.viewer_id) ?? null, viewed_at: r.first_viewed_at })),
  };
}

// ---------------------------------------------------------------------------------------------
// Background work (the sweeper job and the admin cleanup call these)
// ---------------------------------------------------------------------------------------------

/**
 * Mark stories whose time is up as expired (and archived for their author), then purge stories
 * past expires_at + STORY_RETENTION_DAYS (or deleted that long ago) with their engagement rows —
 * except those a highlight holds. Queries already hide expired stories, so this only tidies.
 * Each story is marked by a conditional update, so concurrent sweeps count and publish it once.
 */
export async function sweepExpiredStories(now: Date = clock.now()): Promise<{ expired: number; hard_deleted: number }> {
  let expired = 0;
  for (;;) {
    const batch = await repo.findStoriesToExpire(now, SWEEP_BATCH);
    for (const story of batch) {
      const update = expiryUpdate(story, now, true);
      if (update && (await repo.markStoryExpired(story._id, update))) {
        expired += 1;
        publishStoryEvent({ type: "story_expired", story_id: story._id, author_id: story.user_id });
      }
    }
    if (batch.length < SWEEP_BATCH) break;
  }

  // the query narrows by the cutoff; the rule decides per story (deletion time, highlights)
  const retentionDays = config().STORY_RETENTION_DAYS;
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  let hardDeleted = 0;
  let afterId: string | null = null;
  for (;;) {
    const batch = await repo.findStoriesPastRetention(cutoff, afterId, SWEEP_BATCH);
    if (batch.length === 0) break;
    const held = await repo.highlightedStoryIds(batch.map((s) => s._id));
    const purge = batch.filter((s) => shouldHardDelete(s, now, retentionDays, held.has(s._id)));
    hardDeleted += await repo.hardDeleteStories(purge.map((s) => s._id));
    afterId = batch[batch.length - 1]!._id;
    if (batch.length < SWEEP_BATCH) break;
  }
  return { expired, hard_deleted: hardDeleted };
}

/**
 * Notify each countdown subscriber once when the countdown ends. Returns how many were sent.
 * A deleted story's subscriptions are claimed without a notification: the author took the story
 * back, so nobody is reminded of it (and the claim keeps them from coming due again).
 */
export async function sendCountdownReminders(now: Date = clock.now()): Promise<number> {
  let sent = 0;
  for (;;) {
    const due = await repo.dueCountdownSubscriptions(now, SWEEP_BATCH);
    const stories = new Map((await repo.findStoriesByIds([...new Set(due.map((d) => d.story_id))])).map((s) => [s._id, s]));
    for (const sub of due) {
      // the claim is the "once": across processes only one update flips reminded_at
      if (!(await repo.claimCountdownReminder(sub.id, now))) continue;
      const story = stories.get(sub.story_id);
      if (!story || story.is_deleted) continue;
      const sticker = story.stickers[sub.sticker_index];
      const title = sticker?.sticker_type === "countdown" ? sticker.countdown.title : null;
      const delivered = await notify(sub.user_id, {
        type: "countdown_ended",
        actor_id: sub.author_id,
        story_id: sub.story_id,
        data: { sticker_index: sub.sticker_index, title },
      });
      if (delivered) sent += 1;
    }
    if (due.length < SWEEP_BATCH) break;
  }
  return sent;
}
