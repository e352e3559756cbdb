import type { Session } from "../infra/transaction";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { isObjectIdString } from "../shared/ids";
import { appendLiveEvent } from "./live-events";
import { GoalModel, PollModel, PollVoteModel, QuestionModel, QuestionUpvoteModel } from "./engagement.model";
import { findStream, roleIn, type Stream } from "./stream.service";
import { liveErrors } from "./live.errors";

/** Polls (one vote per viewer, live tallies), Q&A (one upvote per viewer, answered by the creator) and goals. */

export interface PollView {
  id: string;
  question: string;
  options: string[];
  tallies: number[];
  status: "open" | "closed";
  ends_at: string;
}

function pollView(row: Record<string, any>): PollView {
  return { id: String(row._id), question: row.question, options: row.options, tallies: row.tallies, status: row.status, ends_at: new Date(row.ends_at).toISOString() };
}

function assertLive(stream: Stream): void {
  if (stream.status !== "live") throw liveErrors.streamNotLive("The stream is not live.");
}

/** The creator or a moderator (or a command gift, `byGift`) starts a poll; one open poll at a time (a new one closes the old). */
export async function startPoll(actorId: string, streamId: string, input: { question: string; options: string[]; durationS: number }, byGift = false): Promise<PollView> {
  const stream = await findStream(streamId);
  assertLive(stream);
  if (!byGift && roleIn(stream, actorId) === "viewer") throw liveErrors.moderatorsOnly("Only the creator and moderators start polls.");
  if (new Set(input.options).size !== input.options.length) throw liveErrors.invalidPoll();
  const open = await PollModel.find({ stream_id: stream.id, status: "open" }).lean();
  for (const p of open) await closePoll(stream, String(p._id));
  const now = clock.now();
  const doc = await PollModel.create({
    stream_id: stream.id,
    question: input.question,
    options: input.options,
    tallies: input.options.map(() => 0),
    started_by: actorId,
    status: "open",
    ends_at: new Date(now.getTime() + input.durationS * 1000),
    created_at: now,
  });
  const view = pollView(doc.toObject());
  await appendLiveEvent(stream, "poll_started", actorId, { poll: view, by_gift: byGift });
  return view;
}

/** One vote per viewer; the tally moves by one `$inc` and every shard gets the new tallies. */
export async function castPollVote(userId: string, streamId: string, option: number): Promise<PollView> {
  const stream = await findStream(streamId);
  const poll = await PollModel.findOne({ stream_id: stream.id, status: "open" }).lean();
  if (!poll || poll.ends_at.getTime() <= clock.now().getTime()) throw liveErrors.noOpenPoll();
  if (option >= poll.options.length) throw liveErrors.invalidOption(poll.options.length);
  try {
    await PollVoteModel.create({ poll_id: String(poll._id), user_id: userId, option, created_at: clock.now() });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw liveErrors.alreadyVoted();
    throw err;
  }
  const row = await PollModel.findByIdAndUpdate(poll._id, { $inc: { [`tallies.${option}`]: 1 } }, { returnDocument: "after" }).lean();
  const view = pollView(row!);
  await appendLiveEvent(stream, "poll_tally", null, { poll_id: view.id, tallies: view.tallies });
  return view;
}

/** Close the poll (its time is up, or a new one starts); the results stay in `live_polls`. */
export async function closePoll(stream: Stream, pollId: string): Promise<PollView | null> {
  const row = await PollModel.findOneAndUpdate({ _id: pollId, status: "open" }, { $set: { status: "closed" } }, { returnDocument: "after" }).lean();
  if (!row) return null;
  const view = pollView(row);
  await appendLiveEvent(stream, "poll_ended", null, { poll: view });
  return view;
}

export async function closeDuePolls(streamId: string): Promise<void> {
  const stream = await findStream(streamId);
  const due = await PollModel.find({ stream_id: stream.id, status: "open", ends_at: { $lte: clock.now() } }).lean();
  for (const p of due) await closePoll(stream, String(p._id));
}

export async function openPoll(streamId: string): Promise<PollView | null> {
  const row = await PollModel.findOne({ stream_id: streamId, status: "open" }).lean();
  return row ? pollView(row) : null;
}

// ---- Q&A ----
export interface QuestionView {
  id: string;
  user_id: string;
  text: string;
  upvotes: number;
  answered: boolean;
  created_at: string;
}

function questionView(row: Record<string, any>): QuestionView {
  return { id: String(row._id), user_id: row.user_id, text: row.text, upvotes: row.upvotes, answered: row.answered, created_at: new Date(row.created_at).toISOString() };
}

/** The queue shown in the room: unanswered questions, most upvoted first, earliest first on ties. */
export const QUESTIONS_IN_STATE = 20;

export async function topQuestions(streamId: string): Promise<QuestionView[]> {
  const rows = await QuestionModel.find({ stream_id: streamId, answered: false }).sort({ upvotes: -1, created_at: 1 }).limit(QUESTIONS_IN_STATE).lean();
  return rows.map(questionView);
}

export async function askQuestion(userId: string, streamId: string, text: string): Promise<QuestionView> {
  const stream = await findStream(streamId);
  assertLive(stream);
  const doc = await QuestionModel.create({ stream_id: stream.id, user_id: userId, text, created_at: clock.now() });
  const view = questionView(doc.toObject());
  await appendLiveEvent(stream, "question", userId, { question: view });
  return view;
}

async function findQuestion(streamId: string, questionId: string) {
  const row = isObjectIdString(questionId) ? await QuestionModel.findOne({ _id: questionId, stream_id: streamId }).lean() : null;
  if (!row) throw liveErrors.questionNotFound();
  return row;
}

/** One upvote per viewer and question (not your own). */
export async function upvoteQuestion(userId: string, streamId: string, questionId: string): Promise<QuestionView> {
  const stream = await findStream(streamId);
  const q = await findQuestion(stream.id, questionId);
  if (q.user_id === userId) throw liveErrors.ownQuestion();
  if (q.answered) throw liveErrors.questionAnswered();
  try {
    await QuestionUpvoteModel.create({ question_id: questionId, user_id: userId });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw liveErrors.alreadyUpvoted();
    throw err;
  }
  const row = await QuestionModel.findByIdAndUpdate(questionId, { $inc: { upvotes: 1 } }, { returnDocument: "after" }).lean();
  const view = questionView(row!);
  await appendLiveEvent(stream, "question_updated", null, { question: view });
  return view;
}

export async function markAnswered(actorId: string, streamId: string, questionId: string): Promise<QuestionView> {
  const stream = await findStream(streamId);
  if (roleIn(stream, actorId) === "viewer") throw liveErrors.moderatorsOnly("Only the creator and moderators mark questions answered.");
  await findQuestion(stream.id, questionId);
  const row = await QuestionModel.findByIdAndUpdate(questionId, { $set: { answered: true } }, { returnDocument: "after" }).lean();
  const view = questionView(row!);
  await appendLiveEvent(stream, "question_updated", actorId, { question: view });
  return view;
}

// ---- goals ----
export type GoalKind = "tokens" | "gifts" | "followers" | "likes";
export interface GoalView {
  id: string;
  kind: GoalKind;
  title: string;
  target: number;
  progress: number;
  completed: boolean;
}

function goalView(row: Record<string, any>): GoalView {
  return { id: String(row._id), kind: row.kind, title: row.title, target: row.target, progress: row.progress, completed: row.completed_at !== null };
}

export const MAX_GOALS = 5;

export async function listGoals(streamId: string): Promise<GoalView[]> {
  const rows = await GoalModel.find({ stream_id: streamId }).sort({ created_at: 1 }).lean();
  return rows.map(goalView);
}

export async function createGoal(actorId: string, streamId: string, input: { kind: GoalKind; target: number; title: string }): Promise<GoalView> {
  const stream = await findStream(streamId);
  if (stream.creator_id !== actorId) throw liveErrors.notStreamCreator("Only the creator sets goals.");
  if ((await GoalModel.countDocuments({ stream_id: stream.id })) >= MAX_GOALS) throw liveErrors.tooManyGoals(MAX_GOALS);
  const doc = await GoalModel.create({ stream_id: stream.id, ...input, created_at: clock.now() });
  const view = goalView(doc.toObject());
  await appendLiveEvent(stream, "goal_created", actorId, { goal: view });
  return view;
}

/** Advance the stream's open goals of a kind; a goal reaching its target completes once (conditional update). */
export async function advanceGoals(stream: Stream, kind: GoalKind, amount: number): Promise<void> {
  if (amount <= 0) return;
  const open = await GoalModel.find({ stream_id: stream.id, kind, completed_at: null }).lean();
  for (const g of open) {
    const row = await GoalModel.findOneAndUpdate({ _id: g._id, completed_at: null }, { $inc: { progress: amount } }, { returnDocument: "after" }).lean();
    if (!row) continue;
    await appendLiveEvent(stream, "goal_progress", null, { goal: goalView(row) });
    if (row.progress >= row.target) {
      const done = await GoalModel.findOneAndUpdate({ _id: g._id, completed_at: null }, { $set: { completed_at: clock.now() } }, { returnDocument: "after" }).lean();
      if (done) await appendLiveEvent(stream, "goal_completed", null, { goal: goalView(done) });
    }
  }
}

/** Goal kinds a gift advances. */
export const GIFT_GOAL_KINDS: readonly GoalKind[] = ["tokens", "gifts"];

/**
 * Inside a gift's commit (the session of its transfer): its tokens and count advance the stream's
 * open goals, so progress is counted exactly once, with the money — never lost to a crash after it.
 */
export async function advanceGoalsForGift(streamId: string, tokens: number, quantity: number, session: Session): Promise<void> {
  await GoalModel.updateMany({ stream_id: streamId, kind: "tokens", completed_at: null }, { $inc: { progress: tokens } }, { session });
  await GoalModel.updateMany({ stream_id: streamId, kind: "gifts", completed_at: null }, { $inc: { progress: quantity } }, { session });
}

/** After a gift committed (or its re-run): every shard gets the goals' progress; a goal at its target completes once. */
export async function publishGiftGoals(stream: Stream): Promise<void> {
  const open = await GoalModel.find({ stream_id: stream.id, kind: { $in: GIFT_GOAL_KINDS }, completed_at: null }).sort({ created_at: 1 }).lean();
  for (const g of open) {
    await appendLiveEvent(stream, "goal_progress", null, { goal: goalView(g) });
    if (g.progress < g.target) continue;
    const done = await GoalModel.findOneAndUpdate({ _id: g._id, completed_at: null }, { $set: { completed_at: clock.now() } }, { returnDocument: "after" }).lean();
    if (done) await appendLiveEvent(stream, "goal_completed", null, { goal: goalView(done) });
  }
}
