import { Schema, model } from "mongoose";

/**
 * Stories and their engagement records. Field names follow the original story service; the plain
 * shape is `StoryDoc` (story.types.ts). Counters on the story (view_count = unique viewers,
 * reply_count, reaction_count, interaction_count, sticker tallies) move only by atomic `$inc`
 * guarded by a unique insert into the matching engagement collection, so concurrent requests can
 * never double count.
 */
const storySchema = new Schema(
  {
    user_id: { type: String, required: true },
    story_type: { type: String, required: true },
    media_id: { type: String, default: null },
    media_url: { type: String, default: null },
    thumbnail_url: { type: String, default: null },
    text_content: { type: String, default: null },
    background_color: { type: String, default: null },
    background_gradient: { type: [String], default: null },
    duration: { type: Number, required: true },
    music: { type: Schema.Types.Mixed, default: null },
    caption: { type: String, default: null },
    workout_data: { type: Schema.Types.Mixed, default: null },
    achievement_data: { type: Schema.Types.Mixed, default: null },
    // sticker payloads differ per type and carry tallies updated by path ($inc "stickers.0.poll.total_votes")
    stickers: { type: [Schema.Types.Mixed], default: [] },
    // the community the story was posted to (null: none)
    community_id: { type: String, default: null },
    privacy: { type: String, required: true },
    custom_viewer_ids: { type: [String], default: [] },
    hidden_from_ids: { type: [String], default: [] },
    view_count: { type: Number, default: 0 },
    reply_count: { type: Number, default: 0 },
    reaction_count: { type: Number, default: 0 },
    interaction_count: { type: Number, default: 0 },
    // the author's follower count when the story was posted (reach is measured against it); null on older rows
    audience_size: { type: Number, default: null },
    reshared_from: { type: Schema.Types.Mixed, default: null },
    is_expired: { type: Boolean, default: false },
    is_archived: { type: Boolean, default: false },
    is_deleted: { type: Boolean, default: false },
    // reported by REPORT_HIDE_THRESHOLD users: hidden from everyone but its author until a moderator decides (src/moderation)
    moderation_hidden: { type: Boolean, default: false },
    deleted_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
    expires_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    // bumped by every write (the hook below; native writes add it themselves): a reader holding a
    // copy at the same rev holds the current story (the feed's story copies, story-copies.ts)
    rev: { type: Number, default: 0 },
  },
  { collection: "stories", versionKey: false, minimize: false },
);
/** Every update through the model bumps `rev`, so no write path can leave a cached copy current. */
storySchema.pre(["updateOne", "updateMany", "findOneAndUpdate"], function bumpRev() {
  const update = this.getUpdate();
  if (!update || Array.isArray(update)) return;
  const u = update as Record<string, any>;
  if (u.$set && "rev" in u.$set) return;
  u.$inc = { ...(u.$inc ?? {}), rev: 1 };
});
// an author's reel (room, GET /stories/user/:id) and feed candidates per followed author: active = expires_at > now
storySchema.index({ user_id: 1, expires_at: -1 });
// public stories for the feed, newest first
storySchema.index({ privacy: 1, expires_at: -1, created_at: -1 });
// one re-share per user and original story; partial so ordinary stories (null) never collide
storySchema.index(
  { "reshared_from.story_id": 1, user_id: 1 },
  { unique: true, partialFilterExpression: { "reshared_from.story_id": { $type: "string" } } },
);
// a community's feed: its live stories (GET /stories/feed?community_id=)
storySchema.index({ community_id: 1, expires_at: -1 });
// admin metrics: stories posted in a window, per community or overall
storySchema.index({ community_id: 1, created_at: 1 });
storySchema.index({ created_at: 1 });
// the expiry sweep finds stories past expires_at not yet marked
storySchema.index({ is_expired: 1, expires_at: 1 });
// retention: expired stories past the retention window, oldest first
storySchema.index({ expires_at: 1 });
// the author's archive (GET /stories/archive), newest first, keyset-paged on (created_at, _id)
storySchema.index({ user_id: 1, created_at: -1, _id: -1 });
// the media sweeps' "does any story still use this upload?" (src/media/media.repository.ts)
storySchema.index({ media_id: 1 });

/** One row per (story, viewer): the first view creates it (and bumps story.view_count); repeats bump `view_count` here. */
const storyViewSchema = new Schema(
  {
    story_id: { type: String, required: true },
    author_id: { type: String, required: true },
    viewer_id: { type: String, required: true },
    /** how many times this viewer opened the story (total views = sum) */
    view_count: { type: Number, default: 1 },
    first_viewed_at: { type: Date, required: true },
    last_viewed_at: { type: Date, required: true },
  },
  { collection: "story_views", versionKey: false },
);
// once per viewer: the unique insert is what makes concurrent views count exactly once
storyViewSchema.index({ story_id: 1, viewer_id: 1 }, { unique: true });
// "seen by", newest first, paged
storyViewSchema.index({ story_id: 1, first_viewed_at: -1, _id: -1 });
// per-user insights over a date range; "stories this viewer has seen" for feed ordering
storyViewSchema.index({ author_id: 1, first_viewed_at: 1 });
storyViewSchema.index({ viewer_id: 1, story_id: 1 });
// what a viewer saw lately (the feed: everything since the oldest story that can still be live)
storyViewSchema.index({ viewer_id: 1, first_viewed_at: -1 });

/** One row per (story, sticker, user): votes, quiz answers, slider values, question answers, countdown subscriptions. */
const storyInteractionSchema = new Schema(
  {
    story_id: { type: String, required: true },
    author_id: { type: String, required: true },
    user_id: { type: String, required: true },
    sticker_index: { type: Number, required: true },
    sticker_type: { type: String, required: true },
    option_index: { type: Number, default: null },
    value: { type: Number, default: null },
    answer: { type: String, default: null },
    is_correct: { type: Boolean, default: null },
    /** countdown subscriptions: set once the reminder was sent */
    reminded_at: { type: Date, default: null },
    /** countdown subscriptions: the countdown's end_time, so the reminder job finds due ones without reading stories */
    remind_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: "story_interactions", versionKey: false },
);
// one interaction per user and sticker (idempotent votes, one quiz attempt)
storyInteractionSchema.index({ story_id: 1, sticker_index: 1, user_id: 1 }, { unique: true });
// question answers for the author, newest first; per-sticker results
storyInteractionSchema.index({ story_id: 1, sticker_index: 1, created_at: -1 });
// per-user insights; top viewers by interactions
storyInteractionSchema.index({ author_id: 1, created_at: 1 });
// a viewer's own answers lately (the feed: everything since the oldest story that can still be
// live); without it a popular story's every answer row was examined to find this viewer's
storyInteractionSchema.index({ user_id: 1, created_at: -1 });
// countdown reminders still to send
storyInteractionSchema.index({ sticker_type: 1, reminded_at: 1 });

/** One reaction per (story, user); reacting again changes the emoji. */
const storyReactionSchema = new Schema(
  {
    story_id: { type: String, required: true },
    author_id: { type: String, required: true },
    user_id: { type: String, required: true },
    emoji: { type: String, required: true },
    message: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "story_reactions", versionKey: false },
);
storyReactionSchema.index({ story_id: 1, user_id: 1 }, { unique: true });
storyReactionSchema.index({ author_id: 1, created_at: 1 });

/** Replies are private messages to the author. */
const storyReplySchema = new Schema(
  {
    story_id: { type: String, required: true },
    author_id: { type: String, required: true },
    user_id: { type: String, required: true },
    text: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "story_replies", versionKey: false },
);
// the author lists a story's replies, newest first
storyReplySchema.index({ story_id: 1, created_at: -1, _id: -1 });
// the author's inbox of replies; per-user insights
storyReplySchema.index({ author_id: 1, created_at: -1 });

export const StoryModel = model("Story", storySchema);
export const StoryViewModel = model("StoryView", storyViewSchema);
export const StoryInteractionModel = model("StoryInteraction", storyInteractionSchema);
export const StoryReactionModel = model("StoryReaction", storyReactionSchema);
export const StoryReplyModel = model("StoryReply", storyReplySchema);
