import { clock } from "../shared/clock";
import { logger } from "../logger";
import { publish, publishConfirmed, subscribe, type Unsubscribe } from "../realtime/events";
import { LiveEventModel } from "./live-event.model";
import { persistLiveEvent } from "./event-log-writer";
import { liveSequencer } from "./sequencer";

/**
 * A stream's ordered events: `appendLiveEvent` takes the next `seq` from the stream's sequencer
 * (src/live/sequencer.ts — the one place that orders them, shared by every process), writes the
 * event to the log, then publishes it on the stream's topic. Every shard room applies them in seq order
 * (SeqBuffer), so viewers on any process see the same chat, tallies and commands.
 * Chat lines (`publishFirst`) are published before their write: the write is what a line waited
 * for longest on its way to the viewers, and nothing reads a chat line back from the log on the
 * way (a shard's gap fill retries until the row is there). Everything else — gifts and their
 * commands above all, which a reconnecting client reads from the log — is written first.
 */
export const LIVE_EVENT_TYPES = [
  "chat",
  "chat_deleted",
  "pinned",
  "gift",
  "command",
  "poll_started",
  "poll_tally",
  "poll_ended",
  "question",
  "question_updated",
  "goal_created",
  "goal_progress",
  "goal_completed",
  "moderation",
  "settings",
  "segment",
  "mood",
  "status",
] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

export interface LiveEvent {
  seq: number;
  type: LiveEventType;
  /** ISO time; the same object crosses Redis unchanged */
  at: string;
  offset_ms: number;
  user_id: string | null;
  data: Record<string, any>;
}

/** What travels on a stream's topic: ordered events, and unordered signals (reactions, shard presence). */
export type LiveSignal =
  | { kind: "event"; event: LiveEvent }
  | { kind: "reaction"; reaction: string; count: number; at: number }
  | { kind: "presence"; shard: string; viewers: number; at: number }
  | { kind: "kick"; user_id: string; reason: string };

export const liveTopic = (streamId: string) => `live:stream:${streamId}`;

export function publishLiveSignal(streamId: string, signal: LiveSignal): void {
  publish(liveTopic(streamId), signal);
}

export function subscribeLive(streamId: string, handler: (signal: LiveSignal) => void): Unsubscribe {
  return subscribe<LiveSignal>(liveTopic(streamId), handler);
}

export function nextSeq(streamId: string): Promise<number> {
  return liveSequencer().next(streamId);
}

/** The last seq handed out (0 before the first event). */
export function currentSeq(streamId: string): Promise<number> {
  return liveSequencer().current(streamId);
}

function toEvent(row: Record<string, any>): LiveEvent {
  return { seq: row.seq, type: row.type, at: new Date(row.at).toISOString(), offset_ms: row.offset_ms, user_id: row.user_id ?? null, data: row.data ?? {} };
}

/** Persist and publish one event of the stream (`startedAt` gives the replay offset). */
export async function appendLiveEvent(
  stream: { id: string; started_at: Date | null },
  type: LiveEventType,
  userId: string | null,
  data: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<LiveEvent> {
  const seq = await nextSeq(stream.id);
  return writeLiveEvent(stream, seq, type, userId, data, options);
}

export interface WriteOptions {
  /** publish, then write (the returned promise still settles only once the row is durable) */
  publishFirst?: boolean;
  /** settle only once presence has accepted the publish (Redis has sent the event to every process before the caller answers) */
  confirmPublish?: boolean;
}

/** Write an event under a seq already taken (a gift takes its seq once, conditionally, then writes). */
export async function writeLiveEvent(
  stream: { id: string; started_at: Date | null },
  seq: number,
  type: LiveEventType,
  userId: string | null,
  data: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<LiveEvent> {
  const at = clock.now();
  const offset = stream.started_at ? Math.max(0, at.getTime() - stream.started_at.getTime()) : 0;
  const row = { stream_id: stream.id, seq, type, at, offset_ms: offset, user_id: userId, data };
  const event = toEvent(row);
  if (!options.publishFirst) {
    await persistLiveEvent(row);
    if (options.confirmPublish) await publishConfirmed(liveTopic(stream.id), { kind: "event", event } satisfies LiveSignal);
    else publishLiveSignal(stream.id, { kind: "event", event });
    return event;
  }
  publishLiveSignal(stream.id, { kind: "event", event });
  // the upsert is idempotent ($setOnInsert by stream and seq): one retry covers a passing failure
  await persistLiveEvent(row).catch(() => persistLiveEvent(row)).catch((err: unknown) => {
    logger.error({ err, streamId: stream.id, seq, type }, "live event shown but not persisted: missing from the replay");
    throw err;
  });
  return event;
}

/** Events after `afterSeq`, in order (a reconnecting client's missed events, a gap fill, replay). */
export async function liveEventsAfter(streamId: string, afterSeq: number, limit: number, types?: readonly LiveEventType[]): Promise<LiveEvent[]> {
  const filter: Record<string, unknown> = { stream_id: streamId, seq: { $gt: afterSeq } };
  if (types) filter.type = { $in: types };
  const rows = await LiveEventModel.find(filter).sort({ seq: 1 }).limit(limit).lean();
  return rows.map(toEvent);
}

/** The most recent events of some types, oldest first (a new shard's chat, commands). */
export async function latestLiveEvents(streamId: string, types: readonly LiveEventType[], limit: number): Promise<LiveEvent[]> {
  const rows = await LiveEventModel.find({ stream_id: streamId, type: { $in: types } }).sort({ seq: -1 }).limit(limit).lean();
  return rows.map(toEvent).reverse();
}

/** Replay after the stream: events from an offset, in order. */
export async function liveEventsFromOffset(streamId: string, fromMs: number, afterSeq: number, limit: number): Promise<LiveEvent[]> {
  const rows = await LiveEventModel.find({ stream_id: streamId, seq: { $gt: afterSeq }, offset_ms: { $gte: fromMs } }).sort({ seq: 1 }).limit(limit).lean();
  return rows.map(toEvent);
}
