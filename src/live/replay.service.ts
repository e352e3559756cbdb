import { liveEventsFromOffset, type LiveEvent, type LiveEventType } from "./live-events";
import { assertMayJoinReplay } from "./stream.service";
import { liveErrors } from "./live.errors";

/**
 * The replay of an ended stream: its public events (chat, gifts, commands, polls, questions, goals,
 * segments, mood snapshots) in seq order with offsets from the start; moderation and deleted lines
 * are left out. Paged by `after_seq` (the last seq of the previous page).
 */
export const REPLAY_TYPES: readonly LiveEventType[] = ["chat", "pinned", "gift", "poll_started", "poll_tally", "poll_ended", "question", "question_updated", "goal_created", "goal_progress", "goal_completed", "segment", "mood", "status"];

export async function replayPage(userId: string, streamId: string, q: { from_ms: number; after_seq: number; limit: number }): Promise<{ items: LiveEvent[]; next_after_seq: number | null }> {
  const stream = await assertMayJoinReplay(userId, streamId);
  if (stream.status !== "ended" && stream.status !== "archived") throw liveErrors.streamNotEnded();
  const items: LiveEvent[] = [];
  let after = q.after_seq;
  // public events only; read in batches until the page is full or the log ends
  for (;;) {
    const batch = await liveEventsFromOffset(stream.id, q.from_ms, after, q.limit + 1);
    for (const e of batch) if (REPLAY_TYPES.includes(e.type) && !e.data.deleted) items.push(e);
    if (batch.length <= q.limit || items.length > q.limit) break;
    after = batch[batch.length - 1]!.seq;
  }
  const page = items.slice(0, q.limit);
  return { items: page, next_after_seq: items.length > q.limit ? page[page.length - 1]!.seq : null };
}
