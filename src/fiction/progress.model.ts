import { Schema, model } from "mongoose";

/**
 * A player's progress in one book (`_id` = "<userId>:<bookId>"): the canonical stats, which
 * chapters are unlocked (a key was spent) and completed, the canonical run and an optional replay
 * run, each with its engine cursor (the Ink state JSON inside) and the content version it plays.
 * Every write is conditional on `rev` (optimistic concurrency), so two devices, a retry or a REST
 * call racing the room can never both apply a step.
 */
const progressSchema = new Schema(
  {
    _id: { type: String, required: true },
    user_id: { type: String, required: true },
    book_id: { type: String, required: true },
    stats: { type: Schema.Types.Mixed, required: true },
    unlocked_chapters: { type: [Number], default: [] },
    completed_chapters: { type: [Number], default: [] },
    // stats when each chapter was first started: a replay starts from them
    chapter_start_stats: { type: Schema.Types.Mixed, default: {} },
    run: { type: Schema.Types.Mixed, default: null },
    replay: { type: Schema.Types.Mixed, default: null },
    // premium options paid for ("<chapter>:<scene>:<option>"): each is paid once per player
    owned_options: { type: [String], default: [] },
    // idempotency keys of the latest choices, so a repeat is acknowledged without applying twice
    recent_choices: { type: [String], default: [] },
    // completions whose XP / leaderboard / popularity are not delivered yet (delivered after commit, retried on load)
    pending_rewards: { type: [Number], default: [] },
    runs_started: { type: Number, default: 0 },
    rev: { type: Number, default: 0 },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "fiction_progress", versionKey: false, minimize: false },
);
// a player's books (their library shelf)
progressSchema.index({ user_id: 1, updated_at: -1 });

export const ProgressModel = model("FictionProgress", progressSchema);
