import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { FLOW_ACTIONS } from "./negotiation.machine";
import { INPUT_TYPES, type InputType } from "./negotiation.messages";
import { paise } from "./marketplace.schemas";
import { PLAN_IDS } from "./subscription.plans";

/** Action data and input values: a small flat object of scalars (amounts, notes, urls). */
const scalars = z.record(z.string().regex(/^[a-z_]{1,40}$/), z.union([z.string().max(4000), z.number(), z.boolean(), z.null()])).refine((o) => Object.keys(o).length <= 10, "at most 10 fields");
/** The flow version the client acted on (optional): a mismatch is `stale_flow_state`. */
const version = z.number().int().min(0).optional();
const inputType = z.enum(Object.keys(INPUT_TYPES) as [InputType, ...InputType[]]);

export const initializeBidBody = z.object({ bid_id: objectIdString, influencer_id: objectIdString, proposed_amount: paise }).strict();
export const initializeCampaignBody = z.object({ campaign_id: objectIdString, influencer_id: objectIdString, proposed_amount: paise }).strict();
export const buttonClickBody = z.object({ action: z.enum(FLOW_ACTIONS), data: scalars.optional(), version }).strict();
export const textInputBody = z.object({ input_type: inputType, values: scalars, version }).strict();

// room messages (camelCase, as the room protocol)
export const actionMessage = z.object({ action: z.enum(FLOW_ACTIONS), data: scalars.optional(), version }).strict();
export const inputMessage = z.object({ inputType, values: scalars, version }).strict();
export const chatMessage = z.object({ text: z.string().trim().min(1).max(4000), mediaUrl: z.url({ protocol: /^https?$/ }).max(2048).optional() }).strict();
export const typingMessage = z.object({ on: z.boolean() }).strict();
export const seenMessage = z.object({ messageId: objectIdString }).strict();
export const negotiationJoinOptions = z.object({ conversationId: objectIdString }).strict();
export const NEGOTIATION_JOIN_HINT = "Join with { conversationId }.";

// direct messages
export const sendMessageBody = z.object({ conversation_id: objectIdString, message: z.string().trim().min(1).max(4000), media_url: z.url({ protocol: /^https?$/ }).max(2048).optional() }).strict();
export const openDirectBody = z.object({ user_id: objectIdString }).strict();
export const conversationParams = z.object({ id: objectIdString }).strict();
export const messageParams = z.object({ message_id: objectIdString }).strict();
export const messagesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

// payments, payouts, subscriptions
export const createOrderBody = z.object({ conversation_id: objectIdString }).strict();
export const verifyPaymentBody = z
  .object({ razorpay_order_id: z.string().min(1).max(100), razorpay_payment_id: z.string().min(1).max(100), razorpay_signature: z.string().regex(/^[0-9a-f]{64}$/i) })
  .strict();
export const orderParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_]{1,100}$/) }).strict();
export const payoutParams = z.object({ id: z.string().regex(/^neg:[0-9a-f]{24}$/) }).strict();
export const payoutsQuery = z.object({ status: z.enum(["pending", "paid_out"]).optional() }).strict();
export const planBody = z.object({ plan: z.enum(PLAN_IDS) }).strict();
