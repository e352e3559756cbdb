import type { Principal } from "../auth/roles";
import { config } from "../config";
import { clock } from "../shared/clock";
import { appendLiveEvent, type LiveEvent } from "./live-events";
import { LiveEventModel } from "./live-event.model";
import { prepareChatLine } from "./chat.rules";
import { findStream, roleIn, type Stream } from "./stream.service";
import type { ChatStanding } from "./room-gates";
import { liveErrors } from "./live.errors";
import { messagingErrors } from "../messaging/messaging.errors";

/**
 * Chat lines and their moderation. The rate limits (bucket, flood, slow mode) are applied by the
 * room the sender is in, before this, and so is the sender's standing (bans and timeouts are
 * persisted, and every shard room holds them in memory, kept current by the moderation events:
 * src/live/room-gates.ts ChatRestrictions); here: refusing a banned or timed-out sender, the
 * stream's rules for links and blocked words, and the ordered, persisted line.
 */

export function globalBlockedWords(): string[] {
  return config().LIVE_BLOCKED_WORDS.split(",").map((w) => w.trim()).filter(Boolean);
}

export interface ChatLineData {
  text: string;
  username: string;
  role: string;
  subscriber: boolean;
  masked: boolean;
}

/**
 * Post a line as `principal`, whose standing the caller read (the room's ChatRestrictions). The
 * line is published — shown in every shard's chat — as soon as it has its seq, and persisted for
 * replay right after: the sender's answer waits for the write, the viewers do not.
 */
export async function postChat(principal: Principal, stream: Stream, text: string, subscriber: boolean, standing: ChatStanding): Promise<LiveEvent> {
  if (standing.banned) throw liveErrors.banned();
  if (standing.timeoutUntil !== null) {
    throw liveErrors.timedOut(standing.timeoutUntil - clock.now().getTime());
  }
  const line = prepareChatLine(text, { linksAllowed: stream.settings.links_allowed, blockedWords: [...stream.settings.blocked_words, ...globalBlockedWords()] });
  const data: ChatLineData = { text: line.text, username: principal.username, role: roleIn(stream, principal.userId), subscriber, masked: line.masked };
  return appendLiveEvent(stream, "chat", principal.userId, { ...data }, { publishFirst: true });
}

async function findChatLine(streamId: string, seq: number) {
  const row = await LiveEventModel.findOne({ stream_id: streamId, seq, type: "chat" }).lean();
  if (!row) throw messagingErrors.messageNotFound("No chat line with this seq.");
  return row;
}

function assertStaff(stream: Stream, userId: string): void {
  if (roleIn(stream, userId) === "viewer") throw liveErrors.moderatorsOnly();
}

/** Delete a line: gone from every room's chat and marked deleted in the log (replay leaves it out). */
export async function deleteChatLine(actorId: string, streamId: string, seq: number): Promise<void> {
  const stream = await findStream(streamId);
  assertStaff(stream, actorId);
  await findChatLine(stream.id, seq);
  await LiveEventModel.updateOne({ stream_id: stream.id, seq }, { $set: { "data.deleted": true } });
  await appendLiveEvent(stream, "chat_deleted", actorId, { seq });
}

export async function pinChatLine(actorId: string, streamId: string, seq: number | null): Promise<void> {
  const stream = await findStream(streamId);
  assertStaff(stream, actorId);
  const line = seq === null ? null : await findChatLine(stream.id, seq);
  await appendLiveEvent(stream, "pinned", actorId, { line: line ? { seq: line.seq, user_id: line.user_id, ...line.data } : null });
}

/** A viewer reports a line; the report reaches the moderators' part of the state only. */
export async function reportChatLine(reporterId: string, streamId: string, seq: number, reason: string): Promise<void> {
  const stream = await findStream(streamId);
  const line = await findChatLine(stream.id, seq);
  await appendLiveEvent(stream, "moderation", reporterId, { action: "report", seq, reason, text: line.data?.text ?? "", reported_user_id: line.user_id });
}
