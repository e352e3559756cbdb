import { Schema, model } from "mongoose";

/** One row per notification delivered to a user (mention, story reply, countdown ended, …). */
const notificationSchema = new Schema(
  {
    user_id: { type: String, required: true },
    type: { type: String, required: true },
    actor_id: { type: String, default: null },
    story_id: { type: String, default: null },
    data: { type: Schema.Types.Mixed, default: {} },
    // a boolean beside read_at so the unread partial index can use a plain equality filter
    is_read: { type: Boolean, default: false },
    read_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: "notifications", versionKey: false, minimize: false },
);
// the user's list, newest first, paged
notificationSchema.index({ user_id: 1, created_at: -1, _id: -1 });
// unread count and "mark all read" touch only unread rows
notificationSchema.index({ user_id: 1 }, { partialFilterExpression: { is_read: false }, name: "unread_by_user" });

export const NotificationModel = model("Notification", notificationSchema);
