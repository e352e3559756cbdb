import type { Principal } from "../auth/roles";
import { config } from "../config";
import { clock } from "../shared/clock";
import { appendLiveEvent, type LiveEvent } from "./live-events";
import { LiveEventModel } from "./live-event.model";
import { prepareChatLine } from "./chat.rules";
import { activeRestriction, findStream, roleIn, type Stream } from "./stream.service";
import { liveErrors } from "./live.errors";
import { messagingErrors } from "../messaging/messaging.errors";

/**
 * Chat lines and their moderation. The rate limits (bucket, flood, slow mode) are applied by the
 * room the sender is in, before this; here: timeouts and bans (persisted, so every shard agrees),
 * the stream's rules for links and blocked words, and the ordered, persisted line.
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

export async function postChat(principal: Principal, stream: Stream, text: string, subscriber: boolean): Promise<LiveEvent> {
  const restriction = await activeRestriction(stream.id, principal.userId);
  if (restriction.banned) throw liveErrors.banned();
  if (restriction.timeoutUntil) {
    throw liveErrors.timedOut(restriction.timeoutUntil.getTime() - clock.now().getTime());
  }
  const line = prepareChatLine(text, { linksAllowed: stream.settings.links_allowed, blockedWords: [...stream.settings.blocked_words, ...globalBlockedWords()] });
  const data: ChatLineData = { text: line.text, username: principal.username, role: roleIn(stream, principal.userId), subscriber, masked: line.masked };
  return appendLiveEvent(stream, "chat", principal.userId, { ...data });
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
