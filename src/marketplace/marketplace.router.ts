import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { describeRoute, validate } from "../http/validate";
import { PaymentOrderModel } from "../payments/payment.model";
import { verifyPayment } from "../payments";
import { hasRole } from "../auth/roles";
import { messagingRouter } from "../messaging/messaging.router";
import * as listings from "./listing.service";
import type { ListingKind } from "./listing.service";
import * as requests from "./request.service";
import * as negotiation from "./negotiation.service";
import * as subscriptions from "./subscription.service";
import { PLANS } from "./subscription.plans";
import { getMessageDebug, getConversationDebug } from "./debug.service";
import {
  applicationPageResponse,
  applicationResponse,
  conversationDebugResponse,
  escrowOrderResponse,
  flowDebugResponse,
  listingPageResponse,
  listingResponse,
  messageDebugResponse,
  negotiationStartedResponse,
  paymentOrderListResponse,
  paymentOrderSchema,
  paymentVerifiedResponse,
  payoutListResponse,
  payoutPaidResponse,
  planListResponse,
  planSubscriptionCreatedResponse,
  planSubscriptionListResponse,
  planSubscriptionResponse,
  planUpgradeResponse,
} from "./marketplace.responses";

const ownerOnly = { 403: "`not_listing_owner`." } as const;
const applicantOnly = { 403: "`not_applicant`." } as const;
import {
  applicationsQuery,
  createBidBody,
  createCampaignBody,
  createRequestBody,
  idParams,
  listingQuery,
  requestAmountBody,
  requestListQuery,
  requestStatusBody,
  updateBidBody,
  updateCampaignBody,
  updateRequestBody,
} from "./marketplace.schemas";
import { createOrderBody, initializeBidBody, initializeCampaignBody, orderParams, payoutParams, payoutsQuery, planBody, verifyPaymentBody } from "./negotiation.schemas";
import { paymentErrors } from "../payments/payment.errors";

/**
 * The marketplace under /api/v1 (seed 002): campaigns, bids, requests, the automated negotiation's
 * REST mirrors, messages, escrow payments and payouts, subscriptions, admin debug. One router so
 * src/http/api.ts mounts it with one line; each prefix has its own auth.
 */
export function marketplaceApi(): Router {
  const api = Router();
  api.use("/campaigns", listingRouter("campaign"));
  api.use("/bids", listingRouter("bid"));
  api.use("/requests", requestsRouter());
  api.use("/messages", messagingRouter());
  api.use("/payments", escrowPaymentsRouter());
  api.use("/payouts", payoutsRouter());
  api.use("/subscriptions", subscriptionsRouter());
  api.use("/debug", debugRouter());
  return api;
}

function listingRouter(kind: ListingKind): Router {
  const r = Router();
  r.use(requireAuth());
  const create = kind === "campaign" ? createCampaignBody : createBidBody;
  const update = kind === "campaign" ? updateCampaignBody : updateBidBody;
  // before "/:id" so "automated" is never read as an id
  r.post("/automated/initialize", validate({ body: kind === "campaign" ? initializeCampaignBody : initializeBidBody, example: kind === "campaign" ? { campaign_id: "665f1c2e8b3c4a0012345678", influencer_id: "665f1c2e8b3c4a0012345678", proposed_amount: 800000 } : { bid_id: "665f1c2e8b3c4a0012345678", influencer_id: "665f1c2e8b3c4a0012345678", proposed_amount: 800000 }, response: negotiationStartedResponse, status: [201, 200], summary: `Start the automated negotiation on an approved application to a ${kind} (200: it already exists)`, errors: { 403: "`not_a_party`.", 404: "The listing or application does not exist.", 409: "`request_not_open`." } }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await negotiation.initializeNegotiation(principalOf(req), kind, { listing_id: "campaign_id" in b ? b.campaign_id : b.bid_id, influencer_id: b.influencer_id, proposed_amount: b.proposed_amount });
    res.status(out.is_existing ? 200 : 201).json(out);
  });
  r.post("/", requireAuth("brand_owner"), validate({ body: create, example: kind === "campaign" ? { title: "Summer launch", budget: 1000000, platform: "instagram" } : { title: "Quick video", min_budget: 300000, max_budget: 800000 }, response: listingResponse, status: 201, summary: `Post a ${kind} (brand owners; plan limits apply)`, errors: { 403: "`forbidden_role`, or `plan_limit_reached`.", 409: "`invalid_budget_range`." } }), async (req, res) => {
    res.status(201).json(await listings.createListing(kind, principalOf(req), res.locals.valid.body));
  });
  r.get("/", validate({ query: listingQuery, response: listingPageResponse, summary: `Browse ${kind}s (filters; newest first)` }), async (req, res) => {
    res.json(await listings.listListings(kind, res.locals.valid.query));
  });
  r.get("/:id", validate({ params: idParams, response: listingResponse, summary: `One ${kind}` }), async (req, res) => {
    res.json(await listings.getListing(kind, res.locals.valid.params.id));
  });
  r.put("/:id", validate({ params: idParams, body: update, example: { title: "Summer launch (extended)" }, response: listingResponse, summary: `Edit your ${kind}`, errors: { ...ownerOnly, 409: "`invalid_budget_range`." } }), async (req, res) => {
    res.json(await listings.updateListing(kind, principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/:id", validate({ params: idParams, status: 204, summary: `Delete your ${kind}`, errors: { ...ownerOnly, 409: "`listing_has_active_deals`." } }), async (req, res) => {
    await listings.deleteListing(kind, principalOf(req), res.locals.valid.params.id);
    res.status(204).end();
  });
  r.get("/:id/applications", validate({ params: idParams, query: applicationsQuery, response: applicationPageResponse, summary: `Applications to your ${kind}`, errors: ownerOnly }), async (req, res) => {
    res.json(await requests.listListingApplications(principalOf(req), kind, res.locals.valid.params.id, res.locals.valid.query));
  });
  return r;
}

function requestsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.post("/", requireAuth("influencer"), validate({ body: createRequestBody, example: { campaign_id: "665f1c2e8b3c4a0012345678", proposed_amount: 800000, message: "Love the brand" }, response: applicationResponse, status: 201, summary: "Apply to a campaign or bid (influencers)", errors: { 403: "`forbidden_role`, `own_listing` or `plan_limit_reached`.", 404: "The listing does not exist.", 409: "`listing_not_open` or `already_applied`." } }), async (req, res) => {
    res.status(201).json(await requests.applyToListing(principalOf(req), res.locals.valid.body));
  });
  r.get("/", validate({ query: requestListQuery, response: applicationPageResponse, summary: "Your applications (sent, or received as a brand owner)" }), async (req, res) => {
    res.json(await requests.listApplications(principalOf(req), res.locals.valid.query));
  });
  r.get("/:id", validate({ params: idParams, response: applicationResponse, summary: "One application (its two parties and admins)" }), async (req, res) => {
    res.json(await requests.getApplication(principalOf(req), res.locals.valid.params.id));
  });
  r.put("/:id", validate({ params: idParams, body: updateRequestBody, example: { proposed_amount: 750000 }, response: applicationResponse, summary: "Edit your pending application", errors: { ...applicantOnly, 409: "`request_not_pending` or `stale_request`." } }), async (req, res) => {
    res.json(await requests.updateApplication(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/:id", validate({ params: idParams, response: applicationResponse, summary: "Withdraw your application (it stays, cancelled)", errors: { ...applicantOnly, 409: "`request_not_withdrawable`." } }), async (req, res) => {
    res.json(await requests.withdrawApplication(principalOf(req), res.locals.valid.params.id));
  });
  r.put("/:id/status", validate({ params: idParams, body: requestStatusBody, example: { status: "approved" }, response: applicationResponse, summary: "Move an application (approve, reject, …) by the transition table", errors: { 403: "`forbidden_status_change`.", 409: "`invalid_status_transition` or `stale_request`." } }), async (req, res) => {
    res.json(await requests.setApplicationStatus(principalOf(req), res.locals.valid.params.id, res.locals.valid.body.status));
  });
  r.put("/:id/amount", validate({ params: idParams, body: requestAmountBody, example: { agreed_amount: 750000 }, response: applicationResponse, summary: "Set the agreed amount (the brand owner)", errors: { ...ownerOnly, 409: "`request_not_open`." } }), async (req, res) => {
    res.json(await requests.setAgreedAmount(principalOf(req), res.locals.valid.params.id, res.locals.valid.body.agreed_amount));
  });
  return r;
}

function orderJson(o: Record<string, any>) {
  return { id: o.order_id, provider: o.provider, purpose: o.purpose, ref: o.ref, amount: o.amount, currency: o.currency, status: o.status, payment_id: o.payment_id, created_at: o.created_at.toISOString(), paid_at: o.paid_at?.toISOString() ?? null };
}

/** Seed §6 paths beside the payments feature's own (/payments/razorpay/...). */
function escrowPaymentsRouter(): Router {
  const r = Router();
  r.post("/create-order", requireAuth(), validate({ body: createOrderBody, example: { conversation_id: "665f1c2e8b3c4a0012345678" }, response: escrowOrderResponse, status: 201, summary: "Open the escrow payment order for an agreed deal", errors: { 403: "`not_a_party`.", 404: "`conversation_not_found`.", 409: "The deal is not waiting for payment.", 503: "`provider_not_configured`." } }), async (req, res) => {
    res.status(201).json(await negotiation.createEscrowOrder(principalOf(req), res.locals.valid.body.conversation_id));
  });
  // any order of the caller's (escrow, subscription): its purpose decides what the payment does
  r.post("/verify-payment", requireAuth(), validate({ body: verifyPaymentBody, example: { razorpay_order_id: "order_Nz1x2y3", razorpay_payment_id: "pay_Q1w2e3", razorpay_signature: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, response: paymentVerifiedResponse, summary: "Verify a Razorpay payment for any of your orders; its purpose applies once", errors: { 400: "Invalid body or `invalid_signature`.", 404: "`order_not_found`.", 409: "`order_already_paid`.", 503: "`provider_not_configured`." } }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await verifyPayment({ order_id: b.razorpay_order_id, payment_id: b.razorpay_payment_id, signature: b.razorpay_signature }, { userId: principalOf(req).userId });
    res.json({ success: true, order: orderJson({ ...out.order, status: "paid", payment_id: out.payment_id }), result: out.result });
  });
  r.get("/orders", requireAuth(), describeRoute({ response: paymentOrderListResponse, summary: "Your payment orders, newest first (admins: everyone's)" }), async (req, res) => {
    const who = principalOf(req);
    const rows = await PaymentOrderModel.find(hasRole(who, "admin") ? {} : { user_id: who.userId }).sort({ created_at: -1 }).limit(100).lean();
    res.json({ items: rows.map(orderJson) });
  });
  r.get("/orders/:id", requireAuth(), validate({ params: orderParams, response: paymentOrderSchema, summary: "One of your payment orders" }), async (req, res) => {
    const who = principalOf(req);
    const row = await PaymentOrderModel.findById(`razorpay:${res.locals.valid.params.id}`).lean();
    if (!row || (row.user_id !== who.userId && !hasRole(who, "admin"))) throw paymentErrors.orderNotFound();
    res.json(orderJson(row));
  });
  return r;
}

function payoutsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", validate({ query: payoutsQuery, response: payoutListResponse, summary: "Your payouts (admins: everyone's)" }), async (req, res) => {
    res.json({ items: await negotiation.listPayouts(principalOf(req), res.locals.valid.query.status) });
  });
  r.put("/:id/paid", requireAuth("admin"), validate({ params: payoutParams, response: payoutPaidResponse, summary: "Mark a payout paid out (moves the amount to `payouts`, once)", errors: { 409: "`insufficient_funds`." } }), async (req, res) => {
    res.json(await negotiation.markPayoutPaid(res.locals.valid.params.id, principalOf(req).userId));
  });
  return r;
}

function subscriptionsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/plans", describeRoute({ response: planListResponse, summary: "The marketplace plans and their limits" }), (_req, res) => {
    res.json({ items: Object.values(PLANS) });
  });
  r.post("/create", validate({ body: planBody, example: { plan: "premium" }, response: planSubscriptionCreatedResponse, status: 201, summary: "Subscribe to a plan: opens its payment order", errors: { 409: "`plan_is_free` or `already_subscribed`.", 503: "`provider_not_configured`." } }), async (req, res) => {
    res.status(201).json(await subscriptions.createSubscription(principalOf(req).userId, res.locals.valid.body.plan));
  });
  r.get("/", describeRoute({ response: planSubscriptionListResponse, summary: "Your plan subscriptions and current plan" }), async (req, res) => {
    const userId = principalOf(req).userId;
    res.json({ items: await subscriptions.listSubscriptions(userId), current_plan: await subscriptions.currentPlan(userId) });
  });
  r.get("/:id", validate({ params: idParams, response: planSubscriptionResponse, summary: "One of your plan subscriptions" }), async (req, res) => {
    res.json(await subscriptions.getSubscription(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.put("/:id/cancel", validate({ params: idParams, response: planSubscriptionResponse, summary: "Cancel a plan subscription", errors: { 409: "`subscription_not_active`." } }), async (req, res) => {
    res.json(await subscriptions.cancelSubscription(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.post("/:id/upgrade", validate({ params: idParams, body: planBody, example: { plan: "premium" }, response: planUpgradeResponse, status: 201, summary: "Upgrade a plan subscription (pay the prorated difference)", errors: { 409: "`subscription_not_active` or `not_an_upgrade`.", 503: "`provider_not_configured`." } }), async (req, res) => {
    res.status(201).json(await subscriptions.upgradeSubscription(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body.plan));
  });
  return r;
}

/** Seed §11.2, admins only. */
function debugRouter(): Router {
  const r = Router();
  r.use(requireAuth("admin"));
  r.get("/conversations/:id", validate({ params: idParams, response: conversationDebugResponse, summary: "Debug: a conversation as stored, with message counts" }), async (req, res) => {
    res.json(await getConversationDebug(res.locals.valid.params.id));
  });
  r.get("/messages/:id", validate({ params: idParams, response: messageDebugResponse, summary: "Debug: a message as stored" }), async (req, res) => {
    res.json(await getMessageDebug(res.locals.valid.params.id));
  });
  r.get("/flow/:id", validate({ params: idParams, response: flowDebugResponse, summary: "Debug: a deal's flow history and escrow" }), async (req, res) => {
    res.json(await negotiation.flowDebug(res.locals.valid.params.id));
  });
  return r;
}
