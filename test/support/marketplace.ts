import assert from "node:assert/strict";
import { createUser, type TestUser } from "./factories";
import { api } from "./http";
import { razorpaySignature } from "./payments";

/** Marketplace fixtures over the real REST API. */
export const brandOwner = () => createUser({ roles: ["brand_owner"] });
export const influencer = () => createUser({ roles: ["influencer"] });
export const admin = () => createUser({ roles: ["admin"] });

export async function postBid(owner: TestUser, body: Record<string, unknown> = {}) {
  const res = await api("POST", "/api/v1/bids", { token: owner.token, body: { title: "Quick Video Promotion", min_budget: 300_000, max_budget: 800_000, platform: "TikTok", category: "marketing", ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

export async function postCampaign(owner: TestUser, body: Record<string, unknown> = {}) {
  const res = await api("POST", "/api/v1/campaigns", { token: owner.token, body: { title: "Summer Campaign", budget: 1_000_000, platform: "Instagram", category: "fashion", ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

export async function applyTo(inf: TestUser, target: { bid_id?: string; campaign_id?: string }, proposed = 500_000) {
  const res = await api("POST", "/api/v1/requests", { token: inf.token, body: { ...target, proposed_amount: proposed, message: "I'm interested!" } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** A bid, an application and its automated conversation (state `initial`, awaiting the brand). */
export async function startDeal(opts: { proposed?: number } = {}) {
  const brand = await brandOwner();
  const inf = await influencer();
  const bid = await postBid(brand);
  await applyTo(inf, { bid_id: bid.id }, opts.proposed ?? 500_000);
  const init = await api("POST", "/api/v1/bids/automated/initialize", { token: brand.token, body: { bid_id: bid.id, influencer_id: inf.id, proposed_amount: opts.proposed ?? 500_000 } });
  assert.equal(init.status, 201, JSON.stringify(init.body));
  return { brand, inf, bid, conversationId: init.body.conversation.id as string };
}

export async function click(user: TestUser, conversationId: string, action: string, data?: Record<string, unknown>) {
  return api("POST", `/api/v1/messages/conversations/${conversationId}/button-click`, { token: user.token, body: { action, ...(data && { data }) } });
}

export async function clickOk(user: TestUser, conversationId: string, action: string, data?: Record<string, unknown>) {
  const res = await click(user, conversationId, action, data);
  assert.equal(res.status, 200, `${action}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Pay the conversation's escrow order as Razorpay Checkout would, then verify it over REST. */
export async function payEscrow(brand: TestUser, conversationId: string, paymentId = "pay_" + conversationId.slice(-8)) {
  const created = await api("POST", "/api/v1/payments/create-order", { token: brand.token, body: { conversation_id: conversationId } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const orderId = created.body.order.order_id as string;
  const verified = await api("POST", "/api/v1/payments/verify-payment", {
    token: brand.token,
    body: { razorpay_order_id: orderId, razorpay_payment_id: paymentId, razorpay_signature: razorpaySignature(orderId, paymentId) },
  });
  assert.equal(verified.status, 200, JSON.stringify(verified.body));
  return { orderId, paymentId, verified: verified.body };
}
