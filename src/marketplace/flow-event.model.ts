import { Schema, model } from "mongoose";

/**
 * The negotiation event log: one row per transition, `_id` `<conversationId>:<seq>` (seq = the
 * flow version it produced), written in the same transaction as the conversation's new state, so
 * two transitions can never claim the same step. `effects_done` turns true once its money effects
 * (hold, capture, release) ran; a conversation loaded with an undone event re-runs them (each is
 * idempotent by the conversation id).
 */
const flowEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    conversation_id: { type: String, required: true },
    seq: { type: Number, required: true },
    action: { type: String, required: true },
    role: { type: String, required: true },
    actor_id: { type: String, default: null },
    data: { type: Schema.Types.Mixed, default: {} },
    from: { type: String, required: true },
    to: { type: String, required: true },
    effects: { type: Schema.Types.Mixed, default: [] },
    effects_done: { type: Boolean, default: false },
    created_at: { type: Date, required: true },
  },
  { collection: "flow_events", versionKey: false, minimize: false },
);
// a conversation's history in order (debug/flow, recovery of undone effects)
flowEventSchema.index({ conversation_id: 1, seq: 1 });

export const FlowEventModel = model("FlowEvent", flowEventSchema);
