import { getLeaderboard } from "../leaderboards/leaderboard.service";
import { FollowModel } from "../social/social.model";
import { clock } from "../shared/clock";
import { GiftEventModel } from "./gift.model";
import { LiveEventModel } from "./live-event.model";
import { StreamModel } from "./stream.model";
import { findStream } from "./stream.service";
import { liveErrors } from "./live.errors";

/**
 * Creator analytics of one stream, from what was recorded: the event log (chat density), gift
 * events (sum by gift), the peak viewer count the shards kept, follows made during the stream and
 * the stream's gifter board. Average viewers, watch time, reaction velocity and the mood timeline
 * are not recorded yet and are not reported.
 */
export async function streamAnalytics(actorId: string, streamId: string) {
  const stream = await findStream(streamId);
  if (stream.creator_id !== actorId) throw liveErrors.notStreamCreator();
  const start = stream.started_at;
  const end = stream.ended_at ?? clock.now();
  const minutes = start ? Math.max(1 / 60, (end.getTime() - start.getTime()) / 60_000) : 0;
  const [chatLines, gifts, newFollowers, board] = await Promise.all([
    LiveEventModel.countDocuments({ stream_id: stream.id, type: "chat" }),
    GiftEventModel.aggregate<{ _id: string; count: number; quantity: number; tokens: number }>([
      { $match: { stream_id: stream.id } },
      { $group: { _id: "$gift_code", count: { $sum: 1 }, quantity: { $sum: "$quantity" }, tokens: { $sum: "$tokens" } } },
      { $sort: { tokens: -1, _id: 1 } },
    ]),
    start ? FollowModel.countDocuments({ followee_id: stream.creator_id, created_at: { $gte: start, $lte: end } }) : 0,
    getLeaderboard("stream_gifters", { scope_id: stream.id, limit: 10 }),
  ]);
  const tokens = gifts.reduce((s, g) => s + g.tokens, 0);
  return {
    stream_id: stream.id,
    status: stream.status,
    duration_s: start ? Math.round((end.getTime() - start.getTime()) / 1000) : 0,
    peak_viewers: stream.peak_viewers,
    chat_lines: chatLines,
    chat_lines_per_minute: minutes > 0 ? Math.round((chatLines / minutes) * 100) / 100 : 0,
    gift_tokens: tokens,
    tokens_per_minute: minutes > 0 ? Math.round((tokens / minutes) * 100) / 100 : 0,
    gifts_by_code: gifts.map((g) => ({ gift_code: g._id, count: g.count, quantity: g.quantity, tokens: g.tokens })),
    new_followers: newFollowers,
    top_gifters: board.items.map((i) => ({ user_id: i.user.id, tokens: i.score })),
  };
}

/** Shards raise the stream's peak as their summed count grows (`$max`: never lowered, any process). */
export async function recordViewerPeak(streamId: string, viewers: number): Promise<void> {
  await StreamModel.updateOne({ _id: streamId, peak_viewers: { $lt: viewers } }, { $max: { peak_viewers: viewers } });
}
