import { z } from "zod";
import { pageOf, responseOf } from "../http/response-schema";
import { createdOrderResponse } from "../payments/payments.responses";
import { LISTING_STATUSES } from "./listing.model";
import { REQUEST_STATUSES } from "./request.model";
import { PLAN_IDS } from "./subscription.plans";
import type * as listings from "./listing.service";
import type * as requests from "./request.service";
import type * as negotiation from "./negotiation.service";
import type * as subscriptions from "./subscription.service";
import type { PLANS } from "./subscription.plans";

/** Response schemas of the marketplace routes (seed 002), tied to the services' output (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";
const money = z.number().int().min(0).meta({ description: "paise (INR minor units)" });

export const listingResponse = responseOf<Awaited<ReturnType<typeof listings.getListing>>>()(
  z
    .object({
      id: z.string(),
      kind: z.enum(["campaign", "bid"]),
      title: z.string(),
      description: z.string(),
      budget: money.optional().meta({ description: "bids: the fixed budget" }),
      min_budget: money.optional().meta({ description: "campaigns" }),
      max_budget: money.optional().meta({ description: "campaigns" }),
      status: z.enum(LISTING_STATUSES),
      requirements: z.string(),
      language: z.string().nullable(),
      platform: z.string().nullable(),
      content_type: z.string().nullable(),
      category: z.string().nullable(),
      created_by: z.string(),
      created_at: z.iso.datetime(),
      updated_at: z.iso.datetime(),
    })
    .strict()
    .meta({
      id: "Listing",
      example: {
        id: ID, kind: "campaign", title: "Summer launch", description: "Two reels", min_budget: 500000, max_budget: 1500000, status: "open", requirements: "10k followers",
        language: "en", platform: "instagram", content_type: "reel", category: "fashion", created_by: ID, created_at: AT, updated_at: AT,
      },
    }),
);
export const listingPageResponse = responseOf<Awaited<ReturnType<typeof listings.listListings>>>()(pageOf(listingResponse).meta({ id: "ListingPage", example: { items: [], next_cursor: null } }));

export const applicationResponse = responseOf<Awaited<ReturnType<typeof requests.getApplication>>>()(
  z
    .object({
      id: z.string(),
      campaign_id: z.string().nullable(),
      bid_id: z.string().nullable(),
      influencer_id: z.string(),
      brand_owner_id: z.string(),
      status: z.enum(REQUEST_STATUSES),
      proposed_amount: money,
      agreed_amount: money.nullable(),
      message: z.string(),
      portfolio_links: z.array(z.string()),
      created_at: z.iso.datetime(),
      updated_at: z.iso.datetime(),
    })
    .strict()
    .meta({
      id: "Application",
      example: { id: ID, campaign_id: ID, bid_id: null, influencer_id: ID, brand_owner_id: ID, status: "pending", proposed_amount: 800000, agreed_amount: null, message: "Love the brand", portfolio_links: [], created_at: AT, updated_at: AT },
    }),
);
export const applicationPageResponse = responseOf<Awaited<ReturnType<typeof requests.listApplications>>>()(
  pageOf(applicationResponse).meta({ id: "ApplicationPage", example: { items: [], next_cursor: null } }),
);

/** A conversation (direct or a deal's automated negotiation). */
export const conversationShape = {
  id: z.string(),
  campaign_id: z.string().nullable(),
  bid_id: z.string().nullable(),
  request_id: z.string().nullable(),
  brand_owner_id: z.string(),
  influencer_id: z.string(),
  chat_status: z.enum(["direct", "automated", "completed"]),
  flow_state: z.string().nullable(),
  awaiting_role: z.string().nullable(),
  flow_data: z.any().meta({ description: "the deal's figures so far (amounts, deadlines, escrow)" }),
  version: z.number().int().meta({ description: "send back as `version` so a stale action is refused" }),
  automation_enabled: z.boolean(),
  payment_required: z.boolean(),
  payment_completed: z.boolean(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
};
export const conversationExample = {
  id: ID, campaign_id: ID, bid_id: null, request_id: ID, brand_owner_id: ID, influencer_id: ID, chat_status: "automated", flow_state: "price_negotiation", awaiting_role: "brand_owner",
  flow_data: { proposed_amount: 800000 }, version: 3, automation_enabled: true, payment_required: false, payment_completed: false, created_at: AT, updated_at: AT,
};
export const conversationSchema = z.object(conversationShape).strict();

export const negotiationStartedResponse = responseOf<Awaited<ReturnType<typeof negotiation.initializeNegotiation>>>()(
  z
    .object({ success: z.boolean(), message: z.string(), conversation: conversationSchema, flow_state: z.string().nullable(), awaiting_role: z.string().nullable(), is_existing: z.boolean() })
    .strict()
    .meta({ id: "NegotiationStarted", example: { success: true, message: "Negotiation started", conversation: conversationExample, flow_state: "price_negotiation", awaiting_role: "brand_owner", is_existing: false } }),
);

export const escrowOrderResponse = responseOf<Awaited<ReturnType<typeof negotiation.createEscrowOrder>>>()(
  z
    .object({
      order: z.union([createdOrderResponse, z.object({ order_id: z.string(), amount: money, currency: z.literal("inr") }).strict().meta({ description: "an order opened before (no key again)" })]),
      flow_state: z.string(),
    })
    .strict()
    .meta({ id: "EscrowOrder", example: { order: { order_id: "order_Nz1x2y3", amount: 800000, currency: "inr", key_id: "rzp_live_abc" }, flow_state: "awaiting_payment" } }),
);

/** A payment order as /payments/orders lists it (the router's `orderJson`). */
export const paymentOrderSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    purpose: z.string().meta({ description: "what paying it does: `escrow`, `subscription`, `product`" }),
    ref: z.string().nullable(),
    amount: money,
    currency: z.string(),
    status: z.string(),
    payment_id: z.string().nullable(),
    created_at: z.iso.datetime(),
    paid_at: z.iso.datetime().nullable(),
  })
  .strict()
  .meta({ id: "PaymentOrder", example: { id: "order_Nz1x2y3", provider: "razorpay", purpose: "escrow", ref: ID, amount: 800000, currency: "inr", status: "paid", payment_id: "pay_Q1", created_at: AT, paid_at: AT } });
export const paymentOrderListResponse = z.object({ items: z.array(paymentOrderSchema) }).strict().meta({ id: "PaymentOrderList", example: { items: [] } });
export const paymentVerifiedResponse = z
  .object({ success: z.boolean(), order: paymentOrderSchema, result: z.unknown().meta({ description: "what the order's purpose did (e.g. the deal's next state)" }) })
  .strict()
  .meta({ id: "PaymentVerified", example: { success: true, order: { id: "order_Nz1x2y3", provider: "razorpay", purpose: "escrow", ref: ID, amount: 800000, currency: "inr", status: "paid", payment_id: "pay_Q1", created_at: AT, paid_at: AT }, result: {} } });

const payoutShape = {
  id: z.string(),
  conversation_id: z.string(),
  influencer_id: z.string(),
  amount: money,
  fee: money,
  status: z.enum(["pending", "paid_out"]),
  paid_out_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
};
const payoutExample = { id: ID, conversation_id: ID, influencer_id: ID, amount: 760000, fee: 40000, status: "pending", paid_out_at: null, created_at: AT };
export const payoutListResponse = responseOf<{ items: Awaited<ReturnType<typeof negotiation.listPayouts>> }>()(
  z.object({ items: z.array(z.object(payoutShape).strict()) }).strict().meta({ id: "PayoutList", example: { items: [payoutExample] } }),
);
export const payoutPaidResponse = responseOf<Awaited<ReturnType<typeof negotiation.markPayoutPaid>>>()(
  z.object({ ...payoutShape, replayed: z.boolean() }).strict().meta({ id: "PayoutPaid", example: { ...payoutExample, status: "paid_out", paid_out_at: AT, replayed: false } }),
);

export const planListResponse = responseOf<{ items: (typeof PLANS)[keyof typeof PLANS][] }>()(
  z
    .object({
      items: z.array(
        z
          .object({
            id: z.enum(PLAN_IDS),
            price: money,
            limits: z.object({ active_campaigns: z.number().int().nullable(), active_bids: z.number().int().nullable(), applications_per_month: z.number().int().nullable() }).strict().meta({ description: "null: unlimited" }),
            rate_limit_tier: z.enum(["standard", "high", "unlimited"]),
          })
          .strict(),
      ),
    })
    .strict()
    .meta({ id: "PlanList", example: { items: [{ id: "premium", price: 99900, limits: { active_campaigns: 10, active_bids: 10, applications_per_month: 50 }, rate_limit_tier: "high" }] } }),
);

const subscriptionExample = { id: ID, user_id: ID, plan: "premium", status: "active", period_start: AT, period_end: "2026-01-31T12:00:00.000Z", order_id: "order_Nz1x2y3", pending_upgrade: null, created_at: AT };
export const planSubscriptionResponse = responseOf<Awaited<ReturnType<typeof subscriptions.getSubscription>>>()(
  z
    .object({
      id: z.string(),
      user_id: z.string(),
      plan: z.enum(PLAN_IDS),
      status: z.enum(["pending_payment", "active", "cancelled"]),
      period_start: z.iso.datetime().nullable(),
      period_end: z.iso.datetime().nullable(),
      order_id: z.string(),
      pending_upgrade: z.object({ plan: z.enum(PLAN_IDS), order_id: z.string(), amount: money }).strict().nullable(),
      created_at: z.iso.datetime(),
    })
    .strict()
    .meta({ id: "PlanSubscription", example: subscriptionExample }),
);
export const planSubscriptionCreatedResponse = responseOf<Awaited<ReturnType<typeof subscriptions.createSubscription>>>()(
  z.object({ subscription: planSubscriptionResponse, order: createdOrderResponse }).strict().meta({ id: "PlanSubscriptionCreated", example: { subscription: { ...subscriptionExample, status: "pending_payment" } } }),
);
export const planSubscriptionListResponse = responseOf<{ items: Awaited<ReturnType<typeof subscriptions.listSubscriptions>>; current_plan: Awaited<ReturnType<typeof subscriptions.currentPlan>> }>()(
  z.object({ items: z.array(planSubscriptionResponse), current_plan: z.enum(PLAN_IDS) }).strict().meta({ id: "PlanSubscriptionList", example: { items: [subscriptionExample], current_plan: "premium" } }),
);
export const planUpgradeResponse = responseOf<Awaited<ReturnType<typeof subscriptions.upgradeSubscription>>>()(
  z
    .object({ subscription: planSubscriptionResponse, order: createdOrderResponse.nullable(), amount: money.meta({ description: "the prorated price of the upgrade" }) })
    .strict()
    .meta({ id: "PlanUpgrade", example: { subscription: subscriptionExample, order: null, amount: 0 } }),
);

/** Admin debug dumps (seed §11.2): the stored documents as they are, so not fixed field by field. */
export const conversationDebugResponse = z
  .object({ conversation: z.object(conversationShape).loose(), counts: z.object({ messages: z.number().int(), unseen: z.number().int(), deleted: z.number().int() }).strict() })
  .strict()
  .meta({ id: "ConversationDebug", example: { conversation: conversationExample, counts: { messages: 12, unseen: 2, deleted: 0 } } });
export const messageDebugResponse = z
  .object({ message: z.object({ id: z.string() }).loose(), conversation_exists: z.boolean() })
  .strict()
  .meta({ id: "MessageDebug", example: { message: { id: ID, message: "hello" }, conversation_exists: true } });
export const flowDebugResponse = z
  .object({
    conversation_id: z.string(),
    flow_state: z.string().nullable(),
    awaiting_role: z.string().nullable(),
    version: z.number().int(),
    flow_data: z.any(),
    history: z.array(z.object({ seq: z.number().int(), action: z.string(), role: z.string(), from: z.string(), to: z.string(), effects_done: z.boolean(), created_at: z.iso.datetime() }).loose()),
    escrow: z.object({ hold: z.object({ id: z.string(), status: z.string(), amount: z.number() }).loose().nullable(), payout: z.object(payoutShape).strict().nullable() }).strict(),
  })
  .strict()
  .meta({ id: "FlowDebug", example: { conversation_id: ID, flow_state: "completed", awaiting_role: null, version: 9, flow_data: {}, history: [], escrow: { hold: null, payout: null } } });
