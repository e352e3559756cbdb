import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, cursorParam } from "../shared/pagination";
import { MAX_CHAT_LENGTH } from "./chat.rules";
import { commandInputSchema, MAX_GIFT_QUANTITY } from "./gift.rules";
import { REACTIONS } from "./mood.rules";
import { STREAM_ACCESS, STREAM_STATUSES } from "./stream.rules";

/** REST bodies and queries, room join options and room messages of live streams. */

const httpsUrl = z.url({ protocol: /^https?$/ }).max(2048);
const tokens = z.number().int().min(1).max(1_000_000);

export const createStreamBody = z
  .object({
    title: z.string().trim().min(1).max(120),
    category: z.string().trim().min(1).max(40),
    scheduled_at: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
    cover_url: httpsUrl.optional(),
    access: z.enum(STREAM_ACCESS).default("public"),
    ticket_price: tokens.optional(),
  })
  .strict();

export const listStreamsQuery = z
  .object({
    status: z.enum(STREAM_STATUSES).optional(),
    category: z.string().min(1).max(40).optional(),
    creator_id: objectIdString.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    cursor: cursorParam,
  })
  .strict();

export const recommendedQuery = z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) }).strict();

export const streamParams = z.object({ id: objectIdString }).strict();
export const creatorParams = z.object({ creator_id: objectIdString }).strict();
export const subscribeBody = z.object({ creator_id: objectIdString }).strict();
export const emptyBody = z.object({}).strict();

export const segmentBody = z
  .object({ media_url: httpsUrl, duration_s: z.number().int().min(1).max(6 * 3600), title: z.string().trim().min(1).max(120) })
  .strict();

export const replayQuery = z
  .object({
    from_ms: z.coerce.number().int().min(0).default(0),
    after_seq: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const adminGiftsQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50), cursor: cursorParam })
  .strict();

// ---- the live room ----
export const LIVE_JOIN_HINT = "Join with { streamId } (a 24-hex stream id).";
export const liveJoinOptions = z.object({ streamId: objectIdString }).strip();

export const chatMessage = z.object({ text: z.string().min(1).max(MAX_CHAT_LENGTH * 2) }).strict();
export const deleteMessage = z.object({ seq: z.number().int().min(1) }).strict();
export const pinMessage = z.object({ seq: z.number().int().min(1).nullable() }).strict();
export const restrictMessage = z.object({ userId: objectIdString, seconds: z.number().int().min(5).max(24 * 3600).optional() }).strict();
export const userMessage = z.object({ userId: objectIdString }).strict();
export const settingsMessage = z
  .object({
    slow_mode_s: z.number().int().min(0).max(600).optional(),
    links_allowed: z.boolean().optional(),
    blocked_words: z.array(z.string().trim().min(1).max(40)).max(200).optional(),
    commands_enabled: z.boolean().optional(),
    command_cooldown_s: z.number().int().min(0).max(3600).optional(),
  })
  .strict();
export const giftMessage = z
  .object({
    giftCode: z.string().regex(/^[a-z0-9_]{1,40}$/),
    quantity: z.number().int().min(1).max(MAX_GIFT_QUANTITY).default(1),
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/, "8-128 of A-Z a-z 0-9 _ . : -"),
    command: commandInputSchema.optional(),
  })
  .strict();
export const resumeMessage = z.object({ afterSeq: z.number().int().min(0) }).strict();
export const reactMessage = z.object({ reaction: z.enum(REACTIONS) }).strict();
export const reportMessage = z.object({ seq: z.number().int().min(1), reason: z.string().trim().min(1).max(200) }).strict();
export const pollMessage = z
  .object({ question: z.string().trim().min(1).max(140), options: z.array(z.string().trim().min(1).max(60)).min(2).max(5), durationS: z.number().int().min(10).max(3600).default(60) })
  .strict();
export const voteMessage = z.object({ option: z.number().int().min(0).max(4) }).strict();
export const questionMessage = z.object({ text: z.string().trim().min(1).max(200) }).strict();
export const questionIdMessage = z.object({ questionId: objectIdString }).strict();
export const goalMessage = z
  .object({ kind: z.enum(["tokens", "gifts", "followers", "likes"]), target: z.number().int().min(1).max(100_000_000), title: z.string().trim().min(1).max(80) })
  .strict();
