import mongoose, { Types } from "mongoose";
import { logger } from "../logger";
import { claimJobLock, releaseJobLock } from "../stories/job-lock";
import { StoryInteractionModel, StoryModel, StoryReactionModel, StoryReplyModel, StoryViewModel } from "../stories/story.model";
import type { StoryEvent } from "../stories/story.service";
import { awardXp } from "./progression.service";
import { findXpAward } from "./progression.repository";
import { storyEngagementAwards } from "./story-engagement.rules";

/**
 * The safety net under the live story-engagement awards (progression.job.ts): those run just after
 * the story write, so a process killed in between would lose them. This pass walks the story
 * collections themselves in `_id` order from a checkpoint and awards whatever is missing. Awards
 * are idempotent by event id, so overlapping with the live path, or re-walking a batch after a
 * crash before the checkpoint moved, counts nothing twice: engagement XP is counted exactly once.
 * The first run back-fills existing engagement, a batch per collection per run.
 */
type Row = Record<string, any>;

const SOURCES: Array<{ name: string; collection: () => mongoose.Collection; toEvent: (row: Row) => StoryEvent }> = [
  {
    name: "stories",
    collection: () => StoryModel.collection,
    toEvent: (r) => ({ type: "story_created", story_id: String(r._id), author_id: r.user_id, actor_id: r.user_id }),
  },
  {
    name: "story_views",
    collection: () => StoryViewModel.collection,
    toEvent: (r) => ({ type: "story_changed", kind: "view", story_id: r.story_id, author_id: r.author_id, actor_id: r.viewer_id }),
  },
  {
    name: "story_interactions",
    collection: () => StoryInteractionModel.collection,
    toEvent: (r) => ({ type: "story_changed", kind: "interaction", story_id: r.story_id, author_id: r.author_id, actor_id: r.user_id }),
  },
  {
    name: "story_reactions",
    collection: () => StoryReactionModel.collection,
    toEvent: (r) => ({ type: "story_changed", kind: "reaction", story_id: r.story_id, author_id: r.author_id, actor_id: r.user_id }),
  },
  {
    name: "story_replies",
    collection: () => StoryReplyModel.collection,
    toEvent: (r) => ({ type: "story_changed", kind: "reply", story_id: r.story_id, author_id: r.author_id, actor_id: r.user_id }),
  },
];

/** Rows younger than this are left to the live path (and to commits still in flight). */
export const RECONCILE_LAG_MS = 2 * 60 * 1000;
export const RECONCILE_INTERVAL_MS = 60 * 1000;
/** Rows per collection per run: bounds one run's time; a backlog drains over several runs. */
const BATCH = 500;
const LOCK_NAME = "story-engagement-reconcile";
const LOCK_TTL_MS = 5 * 60 * 1000;

const checkpoints = () => mongoose.connection.collection<{ _id: string; last_id: Types.ObjectId }>("progress_checkpoints");

/**
 * One pass over rows created before `cutoff`. The cutoff is wall-clock time, not the injectable
 * clock: it is compared with ObjectId timestamps, which are wall-clock. Returns awards made.
 */
export async function reconcileStoryEngagement(cutoff: Date = new Date(Date.now() - RECONCILE_LAG_MS)): Promise<{ ran: boolean; awarded: number }> {
  if (!(await claimJobLock(LOCK_NAME, LOCK_TTL_MS, new Date()))) return { ran: false, awarded: 0 };
  let awarded = 0;
  try {
    const before = Types.ObjectId.createFromTime(Math.floor(cutoff.getTime() / 1000));
    for (const source of SOURCES) {
      const checkpoint = await checkpoints().findOne({ _id: source.name });
      const range = checkpoint ? { $gt: checkpoint.last_id, $lt: before } : { $lt: before };
      const rows = await source.collection().find({ _id: range }).sort({ _id: 1 }).limit(BATCH).toArray();
      for (const row of rows) {
        for (const award of storyEngagementAwards(source.toEvent(row))) {
          if (await findXpAward(award.userId, award.eventId)) continue; // the live path counted it
          if ((await awardXp(award)).awarded) awarded++;
        }
      }
      if (rows.length > 0) await checkpoints().updateOne({ _id: source.name }, { $set: { last_id: rows[rows.length - 1]!._id } }, { upsert: true });
    }
    if (awarded > 0) logger.info({ awarded }, "story engagement XP reconciled");
    return { ran: true, awarded };
  } finally {
    await releaseJobLock(LOCK_NAME);
  }
}
