import { Schema, model } from "mongoose";

/**
 * What the live room records for a stream's analytics beyond its event log: the viewer integral
 * (Σ viewers × ms, sampled by the stream's lead shard), reactions per minute since the start (each
 * shard adds its own viewers' reactions), and each viewer's total watch time.
 */
const streamStatsSchema = new Schema(
  {
    _id: { type: String, required: true },
    viewer_ms: { type: Number, default: 0 },
    sampled_ms: { type: Number, default: 0 },
    /** minute index since the start → reactions in that minute */
    reaction_minutes: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: "live_stream_stats", versionKey: false, minimize: false },
);

const watchSchema = new Schema(
  {
    stream_id: { type: String, required: true },
    user_id: { type: String, required: true },
    creator_id: { type: String, required: true },
    watch_ms: { type: Number, default: 0 },
  },
  { collection: "live_watch", versionKey: false },
);
// one row per viewer and stream (a stretch adds to it); the stream's viewers for the average
watchSchema.index({ stream_id: 1, user_id: 1 }, { unique: true });
// recommendations: a user's watch history, and the audiences of candidate creators
watchSchema.index({ user_id: 1 });
watchSchema.index({ creator_id: 1 });

export const StreamStatsModel = model("LiveStreamStats", streamStatsSchema);
export const WatchModel = model("LiveWatch", watchSchema);
