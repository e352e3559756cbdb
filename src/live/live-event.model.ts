import { Schema, model } from "mongoose";

/**
 * The stream's ordered event log: every chat line, gift, command, poll, segment change and mood
 * snapshot with its per-stream `seq` and offset from the stream start. Rooms on every shard apply
 * it in seq order; reconnecting clients and `GET /streams/{id}/replay` read it back.
 */
const liveEventSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    seq: { type: Number, required: true },
    type: { type: String, required: true },
    at: { type: Date, required: true },
    offset_ms: { type: Number, required: true },
    user_id: { type: String, default: null },
    data: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: "live_events", versionKey: false, minimize: false },
);
// one event per seq; serves replay paging and "what did I miss after seq n"
liveEventSchema.index({ stream_id: 1, seq: 1 }, { unique: true });

export const LiveEventModel = model("LiveEvent", liveEventSchema);
