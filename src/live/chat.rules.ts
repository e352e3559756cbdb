import { liveErrors } from "./live.errors";

/**
 * Chat rules on plain data: the per-user token bucket, the room-wide flood window, slow mode, blocked
 * words (masked, not refused: the line still goes out with the word starred) and links.
 */

export const MAX_CHAT_LENGTH = 300;
/** The room shows the last 50 lines; the full chat is in the replay log. */
export const CHAT_LINES_IN_STATE = 50;

export interface Bucket {
  tokens: number;
  at: number;
}

/** Take one token from a bucket of `capacity` refilled at `perSecond`; refused with the wait until the next token. */
export function takeToken(bucket: Bucket | undefined, capacity: number, perSecond: number, now: number): { bucket: Bucket; retryAfterMs: number } {
  const start = bucket ?? { tokens: capacity, at: now };
  const tokens = Math.min(capacity, start.tokens + ((now - start.at) / 1000) * perSecond);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, retryAfterMs: 0 };
  return { bucket: { tokens, at: now }, retryAfterMs: Math.ceil(((1 - tokens) / perSecond) * 1000) };
}

/** Room-wide: at most `limit` lines in any one-second window (a fixed window per second). */
export interface FloodWindow {
  second: number;
  count: number;
}

export function takeFloodSlot(window: FloodWindow | undefined, limit: number, now: number): { window: FloodWindow; retryAfterMs: number } {
  const second = Math.floor(now / 1000);
  const current = window && window.second === second ? window : { second, count: 0 };
  if (current.count >= limit) return { window: current, retryAfterMs: (second + 1) * 1000 - now };
  return { window: { second, count: current.count + 1 }, retryAfterMs: 0 };
}


/** Slow mode: one line per `seconds` per user (creator and moderators are exempt, decided by the caller). */
export function slowModeWaitMs(lastAt: number | undefined, seconds: number, now: number): number {
  if (seconds <= 0 || lastAt === undefined) return 0;
  return Math.max(0, lastAt + seconds * 1000 - now);
}

const LINK = /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|gg|tv|ly|me|co|xyz|app)\b/i;

export function containsLink(text: string): boolean {
  return LINK.test(text);
}

/** Control characters and bidi overrides never reach other clients; whitespace runs collapse. */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, " ").replace(/\s+/g, " ").trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Blocked words (whole words, any case) become asterisks of the same length. */
export function maskBlockedWords(text: string, words: readonly string[]): { text: string; masked: boolean } {
  const list = words.map((w) => w.trim()).filter((w) => w.length > 0);
  if (list.length === 0) return { text, masked: false };
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${list.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}])`, "giu");
  let masked = false;
  const out = text.replace(re, (m) => ((masked = true), "*".repeat([...m].length)));
  return { text: out, masked };
}

/** What a chat line becomes after the stream's rules: cleaned, links refused unless allowed, blocked words masked. */
export function prepareChatLine(raw: string, rules: { linksAllowed: boolean; blockedWords: readonly string[] }): { text: string; masked: boolean } {
  const text = cleanText(raw);
  if (text.length === 0) throw liveErrors.emptyMessage();
  if (text.length > MAX_CHAT_LENGTH) throw liveErrors.messageTooLong(MAX_CHAT_LENGTH);
  if (!rules.linksAllowed && containsLink(text)) throw liveErrors.linksNotAllowed();
  return maskBlockedWords(text, rules.blockedWords);
}
