import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { validate } from "../http/validate";
import { PaymentOrderModel } from "../payments/payment.model";
import { verifyPayment } from "../payments";
import { hasRole } from "../auth/roles";
import { NotFoundError } from "../shared/errors";
import { messagingRouter } from "../messaging/messaging.router";
import * as listings from "./listing.service";
import type { ListingKind } from "./listing.service";
import * as requests from "./request.service";
import * as negotiation from "./negotiation.service";
import * as subscriptions from "./subscription.service";
import { PLANS } from "./subscription.plans";
import { getMessageDebug, getConversationDebug } from "./debug.service";
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
  r.post("/automated/initialize", validate({ body: kind === "campaign" ? initializeCampaignBody : initializeBidBody }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await negotiation.initializeNegotiation(principalOf(req), kind, { listing_id: "campaign_id" in b ? b.campaign_id : b.bid_id, influencer_id: b.influencer_id, proposed_amount: b.proposed_amount });
    res.status(out.is_existing ? 200 : 201).json(out);
  });
  r.post("/", requireAuth("brand_owner"), validate({ body: create }), async (req, res) => {
    res.status(201).json(await listings.createListing(kind, principalOf(req), res.locals.valid.body));
  });
  r.get("/", validate({ query: listingQuery }), async (req, res) => {
    res.json(await listings.listListings(kind, res.locals.valid.query));
  });
  r.get("/:id", validate({ params: idParams }), async (req, res) => {
    res.json(await listings.getListing(kind, res.locals.valid.params.id));
  });
  r.put("/:id", validate({ params: idParams, body: update }), async (req, res) => {
    res.json(await listings.updateListing(kind, principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/:id", validate({ params: idParams }), async (req, res) => {
    await listings.deleteListing(kind, principalOf(req), res.locals.valid.params.id);
    res.status(204).end();
  });
  r.get("/:id/applications", validate({ params: idParams, query: applicationsQuery }), async (req, res) => {
    res.json(await requests.listListingApplications(principalOf(req), kind, res.locals.valid.params.id, res.locals.valid.query));
  });
  return r;
}

function requestsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.post("/", requireAuth("influencer"), validate({ body: createRequestBody }), async (req, res) => {
    res.status(201).json(await requests.applyToListing(principalOf(req), res.locals.valid.body));
  });
  r.get("/", validate({ query: requestListQuery }), async (req, res) => {
    res.json(await requests.listApplications(principalOf(req), res.locals.valid.query));
  });
  r.get("/:id", validate({ params: idParams }), async (req, res) => {
    res.json(await requests.getApplication(principalOf(req), res.locals.valid.params.id));
  });
  r.put("/:id", validate({ params: idParams, body: updateRequestBody }), async (req, res) => {
    res.json(await requests.updateApplication(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/:id", validate({ params: idParams }), async (req, res) => {
    res.json(await requests.withdrawApplication(principalOf(req), res.locals.valid.params.id));
  });
  r.put("/:id/status", validate({ params: idParams, body: requestStatusBody }), async (req, res) => {
    res.json(await requests.setApplicationStatus(principalOf(req), res.locals.valid.params.id, res.locals.valid.body.status));
  });
  r.put("/:id/amount", validate({ params: idParams, body: requestAmountBody }), async (req, res) => {
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
  r.post("/create-order", requireAuth(), validate({ body: createOrderBody }), async (req, res) => {
    res.status(201).json(await negotiation.createEscrowOrder(principalOf(req), res.locals.valid.body.conversation_id));
  });
  // any order of the caller's (escrow, subscription): its purpose decides what the payment does
  r.post("/verify-payment", requireAuth(), validate({ body: verifyPaymentBody }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await verifyPayment({ order_id: b.razorpay_order_id, payment_id: b.razorpay_payment_id, signature: b.razorpay_signature }, { userId: principalOf(req).userId });
    res.json({ success: true, order: orderJson({ ...out.order, status: "paid", payment_id: out.payment_id }), result: out.result });
  });
  r.get("/orders", requireAuth(), async (req, res) => {
    const who = principalOf(req);
    const rows = await PaymentOrderModel.find(hasRole(who, "admin") ? {} : { user_id: who.userId }).sort({ created_at: -1 }).limit(100).lean();
    res.json({ items: rows.map(orderJson) });
  });
  r.get("/orders/:id", requireAuth(), validate({ params: orderParams }), async (req, res) => {
    const who = principalOf(req);
    const row = await PaymentOrderModel.findById(`razorpay:${res.locals.valid.params.id}`).lean();
    if (!row || (row.user_id !== who.userId && !hasRole(who, "admin"))) throw new NotFoundError("order_not_found", "No such order.");
    res.json(orderJson(row));
  });
  return r;
}

function payoutsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", validate({ query: payoutsQuery }), async (req, res) => {
    res.json({ items: await negotiation.listPayouts(principalOf(req), res.locals.valid.query.status) });
  });
  r.put("/:id/paid", requireAuth("admin"), validate({ params: payoutParams }), async (req, res) => {
    res.json(await negotiation.markPayoutPaid(res.locals.valid.params.id, principalOf(req).userId));
  });
  return r;
}

function subscriptionsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/plans", (_req, res) => {
    res.json({ items: Object.values(PLANS) });
  });
  r.post("/create", validate({ body: planBody }), async (req, res) => {
    res.status(201).json(await subscriptions.createSubscription(principalOf(req).userId, res.locals.valid.body.plan));
  });
  r.get("/", async (req, res) => {
    const userId = principalOf(req).userId;
    res.json({ items: await subscriptions.listSubscriptions(userId), current_plan: await subscriptions.currentPlan(userId) });
  });
  r.get("/:id", validate({ params: idParams }), async (req, res) => {
    res.json(await subscriptions.getSubscription(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.put("/:id/cancel", validate({ params: idParams }), async (req, res) => {
    res.json(await subscriptions.cancelSubscription(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.post("/:id/upgrade", validate({ params: idParams, body: planBody }), async (req, res) => {
    res.status(201).json(await subscriptions.upgradeSubscription(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body.plan));
  });
  return r;
}

/** Seed §11.2, admins only. */
function debugRouter(): Router {
  const r = Router();
  r.use(requireAuth("admin"));
  r.get("/conversations/:id", validate({ params: idParams }), async (req, res) => {
    res.json(await getConversationDebug(res.locals.valid.params.id));
  });
  r.get("/messages/:id", validate({ params: idParams }), async (req, res) => {
    res.json(await getMessageDebug(res.locals.valid.params.id));
  });
  r.get("/flow/:id", validate({ params: idParams }), async (req, res) => {
    res.json(await negotiation.flowDebug(res.locals.valid.params.id));
  });
  return r;
}
