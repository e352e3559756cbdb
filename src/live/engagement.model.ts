import { Schema, model } from "mongoose";

/** Polls, questions (Q&A) and goals of a stream, with the one-per-viewer records behind them. */
const pollSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    question: { type: String, required: true },
    options: { type: [String], required: true },
    tallies: { type: [Number], required: true },
    started_by: { type: String, required: true },
    status: { type: String, enum: ["open", "closed"], required: true },
    ends_at: { type: Date, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "live_polls", versionKey: false },
);
// the stream's open poll; results per stream
pollSchema.index({ stream_id: 1, status: 1 });

const pollVoteSchema = new Schema(
  { poll_id: { type: String, required: true }, user_id: { type: String, required: true }, option: Number, created_at: Date },
  { collection: "live_poll_votes", versionKey: false },
);
// one vote per viewer and poll
pollVoteSchema.index({ poll_id: 1, user_id: 1 }, { unique: true });

const questionSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    user_id: { type: String, required: true },
    text: { type: String, required: true },
    upvotes: { type: Number, default: 0 },
    answered: { type: Boolean, default: false },
    created_at: { type: Date, required: true },
  },
  { collection: "live_questions", versionKey: false },
);
// the queue: unanswered questions by upvotes
questionSchema.index({ stream_id: 1, answered: 1, upvotes: -1, created_at: 1 });

const upvoteSchema = new Schema(
  { question_id: { type: String, required: true }, user_id: { type: String, required: true } },
  { collection: "live_question_upvotes", versionKey: false },
);
// one upvote per viewer and question
upvoteSchema.index({ question_id: 1, user_id: 1 }, { unique: true });

const goalSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    kind: { type: String, enum: ["tokens", "gifts", "followers", "likes"], required: true },
    title: { type: String, required: true },
    target: { type: Number, required: true },
    progress: { type: Number, default: 0 },
    completed_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: "live_goals", versionKey: false },
);
// the stream's goals of a kind (what a gift or a follow advances)
goalSchema.index({ stream_id: 1, kind: 1 });

export const PollModel = model("LivePoll", pollSchema);
export const PollVoteModel = model("LivePollVote", pollVoteSchema);
export const QuestionModel = model("LiveQuestion", questionSchema);
export const QuestionUpvoteModel = model("LiveQuestionUpvote", upvoteSchema);
export const GoalModel = model("LiveGoal", goalSchema);
