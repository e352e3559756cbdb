import type { ClientSession } from "mongoose";
import { ProgressModel } from "./progress.model";
import { newProgress, progressId, type Progress } from "./playthrough.rules";

/** Progress documents as plain objects; every save is conditional on the revision that was read. */

type Row = Record<string, any>;

function toProgress(r: Row): Progress {
  return {
    id: r._id,
    user_id: r.user_id,
    book_id: r.book_id,
    stats: r.stats,
    unlocked_chapters: r.unlocked_chapters,
    completed_chapters: r.completed_chapters,
    chapter_start_stats: r.chapter_start_stats ?? {},
    run: r.run ?? null,
    replay: r.replay ?? null,
    owned_options: r.owned_options,
    recent_choices: r.recent_choices,
    pending_rewards: r.pending_rewards,
    runs_started: r.runs_started ?? 0,
    rev: r.rev,
  };
}

export async function findProgress(userId: string, bookId: string, session?: ClientSession): Promise<Progress | null> {
  const row = await ProgressModel.findById(progressId(userId, bookId)).session(session ?? null).lean();
  return row ? toProgress(row) : null;
}

/** The player's progress in the book, created empty on first use (concurrent creators agree). */
export async function loadOrCreateProgress(userId: string, bookId: string, now: Date): Promise<Progress> {
  const fresh = newProgress(userId, bookId);
  const { id, ...fields } = fresh;
  const row = await ProgressModel.findOneAndUpdate(
    { _id: id },
    { $setOnInsert: { ...fields, created_at: now, updated_at: now } },
    { upsert: true, returnDocument: "after", lean: true },
  );
  return toProgress(row!);
}

/** Write `next` if the stored revision is still `next.rev`; false when someone else wrote first. */
export async function saveProgress(next: Progress, now: Date, session?: ClientSession): Promise<boolean> {
  const { id, rev, ...fields } = next;
  const res = await ProgressModel.updateOne({ _id: id, rev }, { $set: { ...fields, updated_at: now }, $inc: { rev: 1 } }, { session });
  return res.matchedCount === 1;
}
