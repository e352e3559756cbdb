import { clock } from "../shared/clock";
import { timeIdCursor, timeIdKey, decodeCursor, toPage, type Page, type PageQuery } from "../shared/pagination";
import type { Principal } from "../auth/roles";
import { notify } from "../notifications/notification.service";
import { logger } from "../logger";
import { repeatInteraction, tallyIncrements, validateInteraction } from "./sticker.rules";
import { presentStickerForViewer, type StickerResults } from "./sticker-results.rules";
import { loadAuthoredStory, loadVisibleStory } from "./story.access";
import { storyErrors } from "./story.errors";
import { publishStoryEvent } from "./story.events";
import { usernamesOf, type QuestionAnswerView, type ReplyView, type SeenByItem } from "./story.presenter";
import { assertCanMessageAuthor, assertStoryActive, isAuthor } from "./story.rules";
import type { InteractBody, ReactionBody, ReplyBody } from "./story.schemas";
import * as repo from "./story.repository";

/**
 * Engagement: views, sticker answers, reactions and replies, and the author's lists of them.
 * Each action is one access check (the story read; relationship facts are cached) and then the
 * record and its counter (two single-document writes: a crash between them is repaired at boot,
 * see `repairStoryCounters`), then an event so rooms refresh.
 */

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
  const answered = "previous" in outcome ? repeatInteraction(outcome.previous, interaction).interaction : interaction;
  const current = "previous" in outcome ? ((await repo.findStoryById(story._id)) ?? story) : outcome.story;
  // a repeat also publishes: its insert briefly added to the tallies before taking it back, and a
  // room that reloaded inside that window must reload again to drop the phantom vote
  publishStoryEvent({ type: "story_changed", story_id: story._id, author_id: story.user_id, actor_id: userId, kind: "interaction" });
  return {
    sticker_index: answered.sticker_index,
    result: presentStickerForViewer(current.stickers[answered.sticker_index]!, answered, isAuthor(story, userId)).results,
    ...(answered.sticker_type === "quiz" ? { is_correct: answered.is_correct } : {}),
    ...("previous" in outcome ? { already: true } : {}),
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
export async function replyToStory(actor: Pick<Principal, "userId" | "username">, storyId: string, body: ReplyBody): Promise<{ reply: ReplyView }> {
  const now = clock.now();
  const story = await loadVisibleStory(actor.userId, storyId);
  assertCanMessageAuthor(story, actor.userId, now);
  const row = await repo.insertReply(story, actor.userId, body.text, now);
  publishStoryEvent({ type: "story_changed", story_id: story._id, author_id: story.user_id, actor_id: actor.userId, kind: "reply" });
  await notify(story.user_id, { type: "story_reply", actor_id: actor.userId, story_id: story._id, data: { reply_id: row.id, text: row.text } }).catch(
    (err: unknown) => logger.warn({ err, storyId: story._id }, "reply notification failed"),
  );
  return { reply: { id: row.id, story_id: row.story_id, user_id: actor.userId, username: actor.username, text: row.text, created_at: row.created_at } };
}

/** One newest-first page of a story's rows (time, id keyset), each shown with its user's username. */
async function pageWithUsernames<R extends { id: string }, T>(
  rows: R[],
  limit: number,
  timeOf: (r: R) => Date,
  userOf: (r: R) => string,
  present: (r: R, username: string | null) => T,
): Promise<Page<T>> {
  const result = toPage(rows, limit, (r) => timeIdKey(timeOf(r), r.id));
  const names = await usernamesOf(result.items.map(userOf));
  return { next_cursor: result.next_cursor, items: result.items.map((r) => present(r, names.get(userOf(r)) ?? null)) };
}

export async function listReplies(authorId: string, storyId: string, page: PageQuery): Promise<Page<ReplyView>> {
  const story = await loadAuthoredStory(authorId, storyId);
  const rows = await repo.listReplies(story._id, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  return pageWithUsernames(
    rows,
    page.limit,
    (r) => r.created_at,
    (r) => r.user_id,
    (r, username) => ({ id: r.id, story_id: r.story_id, user_id: r.user_id, username, text: r.text, created_at: r.created_at }),
  );
}

export async function listQuestionAnswers(authorId: string, storyId: string, stickerIndex: number, page: PageQuery): Promise<Page<QuestionAnswerView>> {
  const story = await loadAuthoredStory(authorId, storyId);
  const sticker = story.stickers[stickerIndex];
  if (!sticker) throw storyErrors.stickerNotFound({ sticker_index: stickerIndex });
  if (sticker.sticker_type !== "question") {
    throw storyErrors.stickerTypeMismatch(`Sticker ${stickerIndex} is a ${sticker.sticker_type} sticker, not a question.`, {
      sticker_index: stickerIndex,
      sticker_type: sticker.sticker_type,
    });
  }
  const rows = await repo.listStickerAnswers(story._id, stickerIndex, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  return pageWithUsernames(
    rows,
    page.limit,
    (r) => r.created_at,
    (r) => r.user_id,
    (r, username) => ({ id: r.id, user_id: r.user_id, username, answer: r.answer ?? "", created_at: r.created_at }),
  );
}

/** Who viewed the story, newest first (author only). */
export async function seenBy(authorId: string, storyId: string, page: PageQuery): Promise<Page<SeenByItem>> {
  const story = await loadAuthoredStory(authorId, storyId);
  const rows = await repo.listStoryViews(story._id, decodeCursor(page.cursor, timeIdCursor), page.limit + 1);
  return pageWithUsernames(
    rows,
    page.limit,
    (r) => r.first_viewed_at,
    (r) => r.viewer_id,
    (r, username) => ({ user_id: r.viewer_id, username, viewed_at: r.first_viewed_at }),
  );
}
