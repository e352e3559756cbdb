import { Schema, model } from "mongoose";

/**
 * Conversations (seed 002 §8 `conversations`): direct ones between a brand owner and an influencer,
 * and automated ones carrying one deal on a campaign or a bid. An automated conversation's flow
 * (state, awaiting role, flow data) is the negotiation machine's snapshot; `version` is the
 * optimistic-concurrency token every transition is conditional on.
 */
const conversationSchema = new Schema(
  {
    campaign_id: { type: String, default: null },
    bid_id: { type: String, default: null },
    request_id: { type: String, default: null },
    brand_owner_id: { type: String, required: true },
    influencer_id: { type: String, required: true },
    chat_status: { type: String, enum: ["direct", "automated", "completed"], required: true },
    flow_state: { type: String, default: null },
    awaiting_role: { type: String, default: null },
    flow_data: { type: Schema.Types.Mixed, default: null },
    version: { type: Number, default: 0 },
    automation_enabled: { type: Boolean, default: false },
    payment_required: { type: Boolean, default: false },
    payment_completed: { type: Boolean, default: false },
    /** one direct conversation per pair: `<brand_owner_id>:<influencer_id>` */
    direct_key: { type: String, default: undefined },
    /** userId → the last message id that user has seen */
    last_seen: { type: Schema.Types.Mixed, default: {} },
    last_message_at: { type: Date, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "conversations", versionKey: false, minimize: false },
);
// one automated conversation per (listing, influencer)
conversationSchema.index({ bid_id: 1, influencer_id: 1 }, { unique: true, partialFilterExpression: { bid_id: { $type: "string" } } });
conversationSchema.index({ campaign_id: 1, influencer_id: 1 }, { unique: true, partialFilterExpression: { campaign_id: { $type: "string" } } });
conversationSchema.index({ direct_key: 1 }, { unique: true, partialFilterExpression: { direct_key: { $type: "string" } } });
// seed idx_conversations_brand_owner_id / influencer_id: a user's conversation list, latest activity first
conversationSchema.index({ brand_owner_id: 1, last_message_at: -1 });
conversationSchema.index({ influencer_id: 1, last_message_at: -1 });

export const ConversationModel = model("Conversation", conversationSchema);
