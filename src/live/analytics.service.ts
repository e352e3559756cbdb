import { getLeaderboard } from "../leaderboards/leaderboard.service";
import { FollowModel } from "../social/social.model";
import { clock } from "../shared/clock";
import { GiftEventModel } from "./gift.model";
import { LiveEventModel } from "./live-event.model";
import { StreamModel } from "./stream.model";
import { StreamStatsModel, WatchModel } from "./stream-stats.model";
import { summarizeStream } from "./analytics.rules";
import { findStream } from "./stream.service";
import { liveErrors } from "./live.errors";

/**
 * Creator analytics of one stream, from what was recorded: the event log (chat density, mood
 * snapshots), gift events (sum by gift), the shards' stats (peak and average viewers, reactions
 * per minute), each viewer's watch time, follows made during the stream and its gifter board.
 */
export async function streamAnalytics(actorId: string, streamId: string) {
  const stream = await findStream(streamId);
  if (stream.creator_id !== actorId) throw liveErrors.notStreamCreator();
  const start = stream.started_at;
  const end = stream.ended_at ?? clock.now();
  const minutes = start ? Math.max(1 / 60, (end.getTime() - start.getTime()) / 60_000) : 0;
  const [chatLines, gifts, newFollowers, board, stats, watch, moods] = await Promise.all([
    LiveEventModel.countDocuments({ stream_id: stream.id, type: "chat" }),
    GiftEventModel.aggregate<{ _id: string; count: number; quantity: number; tokens: number }>([
      { $match: { stream_id: stream.id } },
      { $group: { _id: "$gift_code", count: { $sum: 1 }, quantity: { $sum: "$quantity" }, tokens: { $sum: "$tokens" } } },
      { $sort: { tokens: -1, _id: 1 } },
    ]),
    start ? FollowModel.countDocuments({ followee_id: stream.creator_id, created_at: { $gte: start, $lte: end } }) : 0,
    getLeaderboard("stream_gifters", { scope_id: stream.id, limit: 10 }),
    StreamStatsModel.findById(stream.id).lean(),
    WatchModel.find({ stream_id: stream.id }, { watch_ms: 1 }).lean(),
    LiveEventModel.find({ stream_id: stream.id, type: "mood" }, { offset_ms: 1, data: 1 }).sort({ seq: 1 }).lean(),
  ]);
  const tokens = gifts.reduce((s, g) => s + g.tokens, 0);
  const summary = summarizeStream({
    startedAt: start?.getTime() ?? 0,
    endedAt: start ? end.getTime() : 0,
    peakViewers: stream.peak_viewers,
    viewerMs: stats?.viewer_ms ?? 0,
    sampledMs: stats?.sampled_ms ?? 0,
    watchMs: watch.map((w) => w.watch_ms),
    chatLines,
    reactionMinutes: (stats?.reaction_minutes as Record<string, number>) ?? {},
    moods: moods.map((m) => ({ offset_ms: m.offset_ms, dominant: m.data.dominant, intensity: m.data.intensity })),
  });
  return {
    stream_id: stream.id,
    status: stream.status,
    ...summary,
    gift_tokens: tokens,
    tokens_per_minute: minutes > 0 ? Math.round((tokens / minutes) * 100) / 100 : 0,
    gifts_by_code: gifts.map((g) => ({ gift_code: g._id, count: g.count, quantity: g.quantity, tokens: g.tokens })),
    new_followers: newFollowers,
    top_gifters: board.items.map((i) => ({ user_id: i.user.id, tokens: i.score })),
  };
}

/** The lead shard adds Σ viewers × ms over `ms` of live time to the stream's viewer integral (the average's numerator and denominator). */
export async function recordViewerSample(streamId: string, viewerMs: number, ms: number): Promise<void> {
  await StreamStatsModel.updateOne({ _id: streamId }, { $inc: { viewer_ms: viewerMs, sampled_ms: ms } }, { upsert: true });
}

/** A shard's reactions since its last flush, by minute since the stream started. */
export async function recordReactions(streamId: string, byMinute: ReadonlyMap<number, number>): Promise<void> {
  if (byMinute.size === 0) return;
  const inc: Record<string, number> = {};
  for (const [minute, n] of byMinute) inc[`reaction_minutes.${minute}`] = n;
  await StreamStatsModel.updateOne({ _id: streamId }, { $inc: inc }, { upsert: true });
}

/** A viewer's watched stretch adds to their time on the stream (one row per viewer). */
export async function recordWatchTime(stream: { id: string; creator_id: string }, userId: string, ms: number): Promise<void> {
  if (ms <= 0) return;
  await WatchModel.updateOne({ stream_id: stream.id, user_id: userId }, { $inc: { watch_ms: ms }, $setOnInsert: { creator_id: stream.creator_id } }, { upsert: true });
}

/** Follows of the creator since the stream started (the creator's live panel). */
export async function newFollowersSince(creatorId: string, since: Date): Promise<number> {
  return FollowModel.countDocuments({ followee_id: creatorId, created_at: { $gte: since } });
}

/** Shards raise the stream's peak as their summed count grows (`$max`: never lowered, any process). */
export async function recordViewerPeak(streamId: string, viewers: number): Promise<void> {
  await StreamModel.updateOne({ _id: streamId, peak_viewers: { $lt: viewers } }, { $max: { peak_viewers: viewers } });
}
