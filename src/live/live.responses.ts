import { z } from "zod";
import { isoDateTime, itemsOf, nullableIsoDateTime, pageOf, responseOf } from "../http/response-schema";
import { COMMAND_ACTIONS, GIFT_RARITIES } from "./gift.rules";
import { LIVE_EVENT_TYPES } from "./live-events";
import { REACTIONS } from "./mood.rules";
import { STREAM_ACCESS, STREAM_STATUSES } from "./stream.rules";
import type * as analytics from "./analytics.service";
import type * as gifts from "./gift.service";
import type * as media from "./media.service";
import type * as recommend from "./recommend.service";
import type * as replay from "./replay.service";
import type * as streams from "./stream.service";
import type * as subscriptions from "./subscription.service";

/** Response schemas of /api/v1/streams, /gifts, /admin/streams and /creator-subscriptions (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";

const segment = z.object({ id: z.string(), media_url: z.string(), duration_s: z.number().int(), title: z.string(), started_at: nullableIsoDateTime }).strict();
const segmentExample = { id: "seg1", media_url: "https://cdn.example/intro.mp4", duration_s: 30, title: "Intro", started_at: null };

const streamExample = {
  id: ID, creator_id: ID, title: "Sunday Q&A", category: "talk", status: "live", access: "public", ticket_price: null, cover_url: null, scheduled_at: null,
  started_at: AT, ended_at: null, archived_at: null, created_at: AT, segments: [segmentExample], peak_viewers: 12,
} as const;

export const streamResponse = responseOf<ReturnType<typeof streams.streamView>>()(
  z
    .object({
      id: z.string(),
      creator_id: z.string(),
      title: z.string(),
      category: z.string(),
      status: z.enum(STREAM_STATUSES),
      access: z.enum(STREAM_ACCESS),
      ticket_price: z.number().int().nullable().meta({ description: "tokens, for ticketed streams" }),
      cover_url: z.string().nullable(),
      scheduled_at: nullableIsoDateTime,
      started_at: nullableIsoDateTime,
      ended_at: nullableIsoDateTime,
      archived_at: nullableIsoDateTime,
      created_at: isoDateTime,
      segments: z.array(segment),
      peak_viewers: z.number().int().min(0),
      settings: z
        .object({ slow_mode_s: z.number().int(), links_allowed: z.boolean(), blocked_words: z.array(z.string()), commands_enabled: z.boolean(), command_cooldown_s: z.number().int() })
        .strict()
        .optional()
        .meta({ description: "creator and moderators only" }),
      moderators: z.array(z.string()).optional().meta({ description: "creator and moderators only" }),
    })
    .strict()
    .meta({
      id: "Stream",
      example: streamExample,
    }),
);

export const streamPageResponse = responseOf<{ items: ReturnType<typeof streams.streamView>[]; next_cursor: string | null }>()(
  pageOf(streamResponse).meta({ id: "StreamPage", example: { items: [], next_cursor: null } }),
);

export const recommendedResponse = responseOf<Awaited<ReturnType<typeof recommend.recommendStreams>>>()(
  z
    .object({
      items: z.array(
        streamResponse
          .extend({ score: z.number().meta({ description: "ranking score, higher first" }) })
          .meta({ id: "RecommendedStream", example: { ...streamExample, score: 0.8125 } }),
      ),
      cold_start: z.boolean().meta({ description: "the caller has no follows, watch time or gifts yet: ranked by popularity" }),
    })
    .strict()
    .meta({ id: "RecommendedStreams", example: { items: [], cold_start: true } }),
);

export const ticketResponse = responseOf<Awaited<ReturnType<typeof streams.buyTicket>>>()(
  z
    .object({ stream_id: z.string(), price: z.number().int(), balance: z.number().int().meta({ description: "your tokens after paying" }), replayed: z.boolean().meta({ description: "true (and 200) when you already had the ticket" }) })
    .strict()
    .meta({ id: "StreamTicket", example: { stream_id: ID, price: 50, balance: 150, replayed: false } }),
);

export const segmentsResponse = responseOf<{ segments: ReturnType<typeof streams.segmentJson>[] }>()(
  z.object({ segments: z.array(segment) }).strict().meta({ id: "StreamSegments", example: { segments: [segmentExample] } }),
);

export const mediaTokenResponse = responseOf<Awaited<ReturnType<typeof media.mediaToken>>>()(
  z
    .object({ url: z.string(), token: z.string().meta({ description: "a LiveKit access token" }), room: z.string(), can_publish: z.boolean(), expires_in: z.number().int().meta({ description: "seconds" }) })
    .strict()
    .meta({ id: "MediaToken", example: { url: "wss://media.example", token: "eyJhbGciOi…", room: "stream:" + ID, can_publish: false, expires_in: 600 } }),
);

export const streamAnalyticsResponse = responseOf<Awaited<ReturnType<typeof analytics.streamAnalytics>>>()(
  z
    .object({
      stream_id: z.string(),
      status: z.enum(STREAM_STATUSES),
      duration_s: z.number().int().min(0),
      peak_viewers: z.number().int().min(0),
      average_viewers: z.number().min(0).meta({ description: "time-weighted, from the shards' samples" }),
      unique_viewers: z.number().int().min(0),
      average_watch_time_s: z.number().int().min(0),
      chat_lines: z.number().int().min(0),
      chat_lines_per_minute: z.number(),
      reactions: z.number().int().min(0),
      reaction_velocity: z.object({ per_minute: z.number(), peak_per_minute: z.number().int().min(0) }).strict(),
      mood_timeline: z.array(z.object({ offset_ms: z.number().int(), dominant: z.union([z.enum(REACTIONS), z.literal("")]), intensity: z.number() }).strict()),
      gift_tokens: z.number().int().min(0),
      tokens_per_minute: z.number(),
      gifts_by_code: z.array(z.object({ gift_code: z.string(), count: z.number().int(), quantity: z.number().int(), tokens: z.number().int() }).strict()),
      new_followers: z.number().int().min(0),
      top_gifters: z.array(z.object({ user_id: z.string(), tokens: z.number().int() }).strict()),
    })
    .strict()
    .meta({
      id: "StreamAnalytics",
      example: {
        stream_id: ID, status: "ended", duration_s: 3600, peak_viewers: 40, average_viewers: 22.5, unique_viewers: 70, average_watch_time_s: 900,
        chat_lines: 300, chat_lines_per_minute: 5, reactions: 120, reaction_velocity: { per_minute: 2, peak_per_minute: 14 }, mood_timeline: [{ offset_ms: 60000, dominant: "hype", intensity: 0.6 }], gift_tokens: 900, tokens_per_minute: 15,
        gifts_by_code: [{ gift_code: "rose", count: 9, quantity: 9, tokens: 90 }], new_followers: 6, top_gifters: [{ user_id: ID, tokens: 500 }],
      },
    }),
);

export const replayPageResponse = responseOf<Awaited<ReturnType<typeof replay.replayPage>>>()(
  z
    .object({
      items: z.array(
        z
          .object({
            seq: z.number().int(),
            type: z.enum(LIVE_EVENT_TYPES),
            at: z.iso.datetime(),
            offset_ms: z.number().int().meta({ description: "since the stream started" }),
            user_id: z.string().nullable(),
            data: z.record(z.string(), z.any()).meta({ description: "per type, as the live room sent it" }),
          })
          .strict(),
      ),
      next_after_seq: z.number().int().nullable().meta({ description: "pass as `after_seq` for the next page" }),
    })
    .strict()
    .meta({ id: "ReplayPage", example: { items: [{ seq: 1, type: "chat", at: AT, offset_ms: 5000, user_id: ID, data: { text: "hi!" } }], next_after_seq: null } }),
);

export const giftCatalogResponse = responseOf<{ items: Awaited<ReturnType<typeof gifts.listGifts>> }>()(
  itemsOf(
    z
      .object({
        code: z.string(),
        name: z.string(),
        token_cost: z.number().int().min(1),
        animation_key: z.string(),
        rarity: z.enum(GIFT_RARITIES),
        command: z
          .object({ action: z.enum(COMMAND_ACTIONS), outcomes: z.array(z.string()).optional(), sound_key: z.string().optional(), poll_duration_s: z.number().int().optional() })
          .strict()
          .optional()
          .meta({ description: "a command gift also acts on the stream (if the creator allows)" }),
      })
      .strict(),
  ).meta({ id: "GiftCatalog", example: { items: [{ code: "rose", name: "Rose", token_cost: 10, animation_key: "rose", rarity: "common" }] } }),
);

const giftCommand = z.discriminatedUnion("action", [
  z.object({ action: z.literal("overlay"), animation_key: z.string(), text: z.string() }).strict(),
  z.object({ action: z.literal("start_poll"), question: z.string(), options: z.array(z.string()), duration_s: z.number().int() }).strict(),
  z.object({ action: z.literal("spin_wheel"), outcome: z.string(), outcomes: z.array(z.string()) }).strict(),
  z.object({ action: z.literal("sound"), sound_key: z.string() }).strict(),
]);

export const giftEventPageResponse = responseOf<Awaited<ReturnType<typeof gifts.listGiftEvents>>>()(
  pageOf(
    z
      .object({
        id: z.string(),
        stream_id: z.string(),
        sender_id: z.string(),
        creator_id: z.string(),
        gift_code: z.string(),
        quantity: z.number().int().min(1),
        tokens: z.number().int(),
        command: giftCommand.nullable(),
        seq: z.number().int().nullable(),
        created_at: isoDateTime,
        creator_tokens: z.number().int(),
        platform_tokens: z.number().int(),
        transfer_ids: z.array(z.string()).meta({ description: "the ledger transfers to reconcile against" }),
      })
      .strict(),
  ).meta({
    id: "GiftEventPage",
    example: {
      items: [{ id: "g1", stream_id: ID, sender_id: ID, creator_id: ID, gift_code: "rose", quantity: 1, tokens: 10, command: null, seq: 7, created_at: AT, creator_tokens: 7, platform_tokens: 3, transfer_ids: ["gift:g1"] }],
      next_cursor: null,
    },
  }),
);

export const creatorSubscriptionResponse = responseOf<subscriptions.SubscriptionView>()(
  z
    .object({ creator_id: z.string(), price: z.number().int(), started_at: isoDateTime, renews_at: isoDateTime, auto_renew: z.boolean(), periods: z.number().int().min(1), active: z.boolean() })
    .strict()
    .meta({ id: "CreatorSubscription", example: { creator_id: ID, price: 300, started_at: AT, renews_at: "2026-01-31T12:00:00.000Z", auto_renew: true, periods: 1, active: true } }),
);
export const creatorSubscriptionListResponse = responseOf<{ items: subscriptions.SubscriptionView[] }>()(
  itemsOf(creatorSubscriptionResponse).meta({ id: "CreatorSubscriptionList", example: { items: [] } }),
);
