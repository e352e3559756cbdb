import { z } from "zod";
import { responseOf } from "../http/response-schema";
import { createdOrderResponse } from "../payments/payments.responses";
import { conversationExample, conversationSchema, conversationShape } from "../marketplace/marketplace.responses";
import type * as messaging from "./messaging.service";
import type { TransitionOutcome } from "../marketplace/negotiation.service";

/** Response schemas of /api/v1/messages (seed 002 §5), tied to the services' output (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";
/** Seed 002 wraps every answer here in `{ success: true, ... }`. */
const ok = { success: z.boolean() };

const messageSchema = responseOf<messaging.MessageJson>()(
  z
    .object({
      id: z.string(),
      conversation_id: z.string(),
      sender_id: z.string().nullable().meta({ description: "null for system and automated messages" }),
      receiver_id: z.string().nullable(),
      message: z.string(),
      message_type: z.enum(["user", "system", "automated"]),
      action_required: z.boolean(),
      action_data: z.unknown().meta({ description: "the buttons / inputs an automated message offers" }),
      flow_context: z.unknown(),
      for_role: z.string().nullable(),
      flow_version: z.number().int().nullable(),
      media_url: z.string().nullable(),
      seen: z.boolean(),
      created_at: z.iso.datetime(),
    })
    .strict()
    .meta({
      id: "Message",
      example: { id: ID, conversation_id: ID, sender_id: ID, receiver_id: ID, message: "Hi!", message_type: "user", action_required: false, action_data: null, flow_context: null, for_role: null, flow_version: null, media_url: null, seen: false, created_at: AT },
    }),
);

export const sentMessageResponse = responseOf<{ success: boolean; data: messaging.MessageJson }>()(z.object({ ...ok, data: messageSchema }).strict().meta({ id: "MessageSent", example: { success: true } }));

export const unreadCountResponse = responseOf<{ success: boolean } & Awaited<ReturnType<typeof messaging.unreadCount>>>()(
  z.object({ ...ok, unread_count: z.number().int().min(0) }).strict().meta({ id: "UnreadCount", example: { success: true, unread_count: 3 } }),
);

export const directConversationResponse = responseOf<{ success: boolean } & Awaited<ReturnType<typeof messaging.openDirectConversation>>>()(
  z.object({ ...ok, conversation: conversationSchema, is_existing: z.boolean() }).strict().meta({ id: "DirectConversation", example: { success: true, conversation: { ...conversationExample, chat_status: "direct" }, is_existing: false } }),
);

export const conversationListResponse = responseOf<{ success: boolean; conversations: Awaited<ReturnType<typeof messaging.listConversations>> }>()(
  z
    .object({
      ...ok,
      conversations: z.array(
        z
          .object({
            ...conversationShape,
            last_message: z.object({ id: z.string(), message: z.string(), created_at: z.iso.datetime(), sender_id: z.string().nullable(), action_required: z.boolean() }).strict().nullable(),
            other_user: z.object({ id: z.string(), name: z.string(), role: z.string() }).strict().nullable(),
            unread_count: z.number().int().min(0),
          })
          .strict(),
      ),
    })
    .strict()
    .meta({ id: "ConversationList", example: { success: true, conversations: [{ ...conversationExample, last_message: null, other_user: { id: ID, name: "mira", role: "influencer" }, unread_count: 0 }] } }),
);

export const messageListResponse = responseOf<{ success: boolean; data: Awaited<ReturnType<typeof messaging.listMessages>> }>()(
  z.object({ ...ok, data: z.object({ messages: z.array(messageSchema), conversation: conversationSchema }).strict() }).strict().meta({ id: "MessageList", example: { success: true, data: { messages: [], conversation: conversationExample } } }),
);

export const seenResponse = responseOf<{ success: boolean } & Awaited<ReturnType<typeof messaging.markSeen>>>()(
  z.object({ ...ok, marked: z.number().int().min(0), last_seen_message_id: z.string().nullable() }).strict().meta({ id: "MessagesSeen", example: { success: true, marked: 2, last_seen_message_id: ID } }),
);

export const negotiationStepResponse = responseOf<{ success: boolean; message: string } & TransitionOutcome>()(
  z
    .object({
      ...ok,
      message: z.string(),
      conversation: conversationSchema,
      previous_state: z.string(),
      next_flow_state: z.string(),
      awaiting_role: z.string().nullable(),
      automated_response: messageSchema,
      order: createdOrderResponse.optional().meta({ description: "when the step opens the escrow payment" }),
    })
    .strict()
    .meta({ id: "NegotiationStep", example: { success: true, message: "Action processed successfully", previous_state: "price_negotiation", next_flow_state: "awaiting_payment", awaiting_role: "brand_owner" } }),
);
