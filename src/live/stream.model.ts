import { Schema, model } from "mongoose";
import { STREAM_ACCESS, STREAM_STATUSES } from "./stream.rules";

/** One live stream: its life cycle, access rule, chat and command settings, moderators, queued segments. */
const segmentSchema = new Schema(
  { id: String, media_url: String, duration_s: Number, title: String, started_at: { type: Date, default: null } },
  { _id: false },
);
const streamSchema = new Schema(
  {
    creator_id: { type: String, required: true },
    title: { type: String, required: true },
    category: { type: String, required: true },
    status: { type: String, enum: STREAM_STATUSES, required: true },
    access: { type: String, enum: STREAM_ACCESS, required: true },
    ticket_price: { type: Number, default: null },
    cover_url: { type: String, default: null },
    scheduled_at: { type: Date, default: null },
    started_at: { type: Date, default: null },
    ended_at: { type: Date, default: null },
    archived_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
    settings: {
      slow_mode_s: { type: Number, default: 0 },
      links_allowed: { type: Boolean, default: false },
      blocked_words: { type: [String], default: [] },
      commands_enabled: { type: Boolean, default: true },
      command_cooldown_s: { type: Number, default: 0 },
    },
    moderators: { type: [String], default: [] },
    last_command_at: { type: Date, default: null },
    segments: { type: [segmentSchema], default: [] },
    peak_viewers: { type: Number, default: 0 },
  },
  { collection: "live_streams", versionKey: false, minimize: false },
);
// one live stream per creator: the partial unique index refuses a second go-live on any process
streamSchema.index({ creator_id: 1 }, { unique: true, partialFilterExpression: { status: "live" }, name: "one_live_per_creator" });
// GET /streams?status=&category= newest first, paged
streamSchema.index({ status: 1, created_at: -1, _id: -1 });
// GET /streams?creator_id=
streamSchema.index({ creator_id: 1, created_at: -1, _id: -1 });

/** Bans and timeouts, per stream; a ban has no end. Read at join on every process. */
const restrictionSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    user_id: { type: String, required: true },
    kind: { type: String, enum: ["ban", "timeout"], required: true },
    until: { type: Date, default: null },
    by: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "live_restrictions", versionKey: false },
);
// one of each kind per user and stream (a new timeout replaces the old one); join checks read by this
restrictionSchema.index({ stream_id: 1, user_id: 1, kind: 1 }, { unique: true });

/** A bought ticket for a ticketed stream (one per viewer and stream). */
const ticketSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    user_id: { type: String, required: true },
    price: { type: Number, required: true },
    transfer_id: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "live_tickets", versionKey: false },
);
ticketSchema.index({ stream_id: 1, user_id: 1 }, { unique: true });

/** A monthly creator subscription paid in tokens; active while renews_at is ahead. */
const subscriptionSchema = new Schema(
  {
    user_id: { type: String, required: true },
    creator_id: { type: String, required: true },
    price: { type: Number, required: true },
    started_at: { type: Date, required: true },
    renews_at: { type: Date, required: true },
    auto_renew: { type: Boolean, default: true },
    periods: { type: Number, default: 1 },
  },
  { collection: "creator_subscriptions", versionKey: false },
);
subscriptionSchema.index({ user_id: 1, creator_id: 1 }, { unique: true });
// the renewal sweep: subscriptions due
subscriptionSchema.index({ renews_at: 1 });

export const StreamModel = model("LiveStream", streamSchema);
export const RestrictionModel = model("LiveRestriction", restrictionSchema);
export const TicketModel = model("LiveTicket", ticketSchema);
export const SubscriptionModel = model("CreatorSubscription", subscriptionSchema);
