import { Schema, model } from "mongoose";

/** Messages (seed 002 §8 `messages`): user messages and the flow's automated ones. */
const messageSchema = new Schema(
  {
    conversation_id: { type: String, required: true },
    /** null for automated and system messages */
    sender_id: { type: String, default: null },
    receiver_id: { type: String, default: null },
    message: { type: String, required: true },
    message_type: { type: String, enum: ["user", "system", "automated"], default: "user" },
    action_required: { type: Boolean, default: false },
    action_data: { type: Schema.Types.Mixed, default: null },
    flow_context: { type: Schema.Types.Mixed, default: null },
    /** the role whose buttons these are (automated messages) */
    for_role: { type: String, default: null },
    /** the flow version this automated message was posted at (its buttons are stale after) */
    flow_version: { type: Number, default: null },
    media_url: { type: String, default: null },
    seen: { type: Boolean, default: false },
    deleted_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: "messages", versionKey: false, minimize: false },
);
// seed idx_messages_conversation_id + created_at: a conversation's messages in order
messageSchema.index({ conversation_id: 1, created_at: -1, _id: -1 });
// unread counts: a receiver's unseen messages
messageSchema.index({ receiver_id: 1, seen: 1 });
// seed idx_messages_sender_id
messageSchema.index({ sender_id: 1 });

export const MessageModel = model("Message", messageSchema);
