import { config } from "../config";
import { clock } from "../shared/clock";
import { logger } from "../logger";
import { notify } from "../notifications/notification.service";
import { applyInteractionToStory, withZeroTallies } from "./sticker.rules";
import { publishStoryEvent } from "./story.events";
import { expiryUpdate, shouldHardDelete } from "./story.rules";
import * as repo from "./story.repository";
import * as counters from "./story-counters.repository";
import { releaseMediaOf } from "../media/media.service";

/**
 * Upkeep beside the sweeper job (story-sweeper.job.ts) and the admin cleanup: expiry, purge,
 * countdown reminders, and the counter repair run at boot.
 */

/** Sweep batch: keeps each query and update round small; a run loops until nothing is left. */
const SWEEP_BATCH = 500;
const DAY_MS = 24 * 3600 * 1000;

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
    // their uploads go with them (unless still used); a failure here is left to the orphan sweep
    await releaseMediaOf(purge.map((s) => s.media_id)).catch((err: unknown) => logger.warn({ err }, "purged stories' media not deleted"));
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

/**
 * Make every story's counters agree with its records. A view, answer, reaction or reply is two
 * single-document writes — the record (whose unique index proves the event is new), then the
 * counter `$inc` — so a process killed between them leaves the counter one short while the record
 * exists (a repeat then answers `already: true`). At boot, before this process serves, each
 * story not yet purged is recounted from its records: `view_count`, `reaction_count`,
 * `reply_count`, and the sticker tallies and `interaction_count` by folding every answer through
 * the same rule the live path mirrors (`applyInteractionToStory`). Only stories that differ are
 * written. Returns how many were repaired.
 */
export async function repairStoryCounters(): Promise<number> {
  let repaired = 0;
  let afterId: string | null = null;
  for (;;) {
    const batch = await counters.findStoriesAfterId(afterId, SWEEP_BATCH);
    if (batch.length === 0) break;
    const ids = batch.map((s) => s._id);
    const [views, reactions, replies, answers] = await Promise.all([
      counters.countViewsByStory(ids),
      counters.countReactionsByStory(ids),
      counters.countRepliesByStory(ids),
      counters.interactionsByStory(ids),
    ]);
    for (const story of batch) {
      const recount = (answers.get(story._id) ?? []).reduce(applyInteractionToStory, { stickers: withZeroTallies(story.stickers), interaction_count: 0 });
      const expected = {
        view_count: views.get(story._id) ?? 0,
        reaction_count: reactions.get(story._id) ?? 0,
        reply_count: replies.get(story._id) ?? 0,
        interaction_count: recount.interaction_count,
        stickers: recount.stickers,
      };
      const actual = { view_count: story.view_count, reaction_count: story.reaction_count, reply_count: story.reply_count, interaction_count: story.interaction_count, stickers: story.stickers };
      if (JSON.stringify(expected) === JSON.stringify(actual)) continue;
      await counters.setStoryCounters(story._id, expected);
      repaired += 1;
      logger.warn({ storyId: story._id, expected: { ...expected, stickers: undefined }, actual: { ...actual, stickers: undefined } }, "story counters repaired");
    }
    afterId = batch[batch.length - 1]!._id;
    if (batch.length < SWEEP_BATCH) break;
  }
  return repaired;
}
