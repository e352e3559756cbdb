import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { api } from "../support/http";
import { razorpayCaptured, razorpaySignature, razorpayWebhookHeaders, usePaymentProviders } from "../support/payments";
import { admin, click, clickOk, influencer, payEscrow, startDeal } from "../support/marketplace";
import { getWallet, reconcile } from "../../src/economy";

const wallet = async (userId: string) => (await getWallet(userId)).balances.inr;
const held = async (userId: string) => (await getWallet(userId)).held.inr;

describe("Negotiation over REST (button-click, text-input, escrow)", () => {
  const providers = usePaymentProviders();
  before(testServer);
  beforeEach(resetState);

  it("initialize answers the seed's shape, once per bid and influencer; the first message carries the brand's buttons", async () => {
    const { brand, inf, bid, conversationId } = await startDeal();
    const again = await api("POST", "/api/v1/bids/automated/initialize", { token: inf.token, body: { bid_id: bid.id, influencer_id: inf.id, proposed_amount: 500_000 } });
    assert.equal(again.status, 200);
    assert.equal(again.body.is_existing, true);
    assert.equal(again.body.conversation.id, conversationId);
    assert.equal(again.body.flow_state, "initial");
    assert.equal(again.body.awaiting_role, "brand_owner");
    assert.equal(again.body.conversation.chat_status, "automated");

    const forBrand = await api("GET", `/api/v1/messages/conversations/${conversationId}/messages`, { token: brand.token });
    const [m] = forBrand.body.data.messages;
    assert.equal(m.message_type, "automated");
    assert.equal(m.action_required, true);
    assert.deepEqual(m.action_data.buttons.map((b: any) => b.action), ["accept_proposal", "negotiate_amount", "decline_proposal"]);
    assert.deepEqual(m.flow_context.business_rules, { can_negotiate: true, min_amount: 300_000, max_amount: 800_000, counters_left: 10, revisions_left: 3 });
    const forInfluencer = await api("GET", `/api/v1/messages/conversations/${conversationId}/messages`, { token: inf.token });
    assert.equal(forInfluencer.body.data.messages[0].action_required, false, "not the influencer's turn");

    const stranger = await influencer();
    assert.equal((await api("GET", `/api/v1/messages/conversations/${conversationId}/messages`, { token: stranger.token })).status, 404);
    assert.equal((await click(stranger, conversationId, "accept_proposal")).status, 404);
  });

  it("guards answer with stable codes and change nothing: wrong turn, out-of-range counter, wrong state, bad data", async () => {
    const { brand, inf, conversationId } = await startDeal();
    assert.equal((await click(inf, conversationId, "accept_proposal")).body.error.code, "not_your_turn");
    const range = await click(brand, conversationId, "negotiate_amount", { amount: 900_000 });
    assert.equal(range.status, 400);
    assert.equal(range.body.error.code, "amount_out_of_range");
    assert.equal((await click(brand, conversationId, "approve")).body.error.code, "invalid_transition");
    assert.equal((await click(brand, conversationId, "fly_away" as string)).body.error.code, "invalid_body");
    const flow = await api("GET", `/api/v1/debug/flow/${conversationId}`, { token: (await admin()).token });
    assert.equal(flow.body.flow_state, "initial");
    assert.equal(flow.body.version, 0);
    assert.equal(flow.body.history.length, 1);
  });

  it("text-input negotiation_amount counters; two conflicting clicks at once: exactly one wins, the other is stale_flow_state", async () => {
    const { brand, inf, conversationId } = await startDeal();
    const counter = await api("POST", `/api/v1/messages/conversations/${conversationId}/text-input`, {
      token: brand.token,
      body: { input_type: "negotiation_amount", values: { proposed_amount: 450_000, reasoning: "Based on market rates" } },
    });
    assert.equal(counter.status, 200, JSON.stringify(counter.body));
    assert.equal(counter.body.next_flow_state, "negotiating");
    assert.equal(counter.body.awaiting_role, "influencer");
    // the influencer taps accept and counter at the same moment (two devices)
    const [a, b] = await Promise.all([click(inf, conversationId, "accept_proposal"), click(inf, conversationId, "negotiate_amount", { amount: 470_000 })]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 409], JSON.stringify([a.body, b.body]));
    const loser = a.status === 409 ? a : b;
    assert.equal(loser.body.error.code, "stale_flow_state");
    const flow = await api("GET", `/api/v1/debug/flow/${conversationId}`, { token: (await admin()).token });
    assert.equal(flow.body.version, 2, "one transition was logged, not two");
    assert.deepEqual(flow.body.history.map((e: any) => e.seq), [0, 1, 2]);
    // a click made on an old version is stale too
    const old = await api("POST", `/api/v1/messages/conversations/${conversationId}/button-click`, { token: brand.token, body: { action: "cancel", version: 1 } });
    assert.equal(old.body.error.code, "stale_flow_state");
  });

  it("the whole deal: escrow held on payment, captured to the influencer less 10% on approve, a payout record, books balance", async () => {
    const { brand, inf, conversationId } = await startDeal();
    await clickOk(brand, conversationId, "accept_proposal");
    const { orderId, paymentId } = await payEscrow(brand, conversationId);
    assert.equal(providers.razorpay.requests.filter((r) => r.path === "/v1/orders").length, 1);
    assert.equal(await held(brand.id), 500_000);
    assert.equal(await wallet(brand.id), 0);
    // the webhook for the same payment arrives too: applied once
    const raw = razorpayCaptured({ orderId, paymentId, amount: 500_000 });
    assert.equal((await api("POST", "/api/v1/payments/razorpay/webhook", { rawBody: raw, headers: razorpayWebhookHeaders(raw) })).status, 200);
    assert.equal(await held(brand.id), 500_000);
    await clickOk(inf, conversationId, "start_work");
    await clickOk(inf, conversationId, "submit_deliverable", { url: "https://cdn.example/v1.mp4", note: "first cut" });
    const done = await clickOk(brand, conversationId, "approve");
    assert.equal(done.next_flow_state, "completed");
    assert.equal(await wallet(inf.id), 450_000);
    assert.equal(await held(brand.id), 0);
    assert.equal(await wallet(brand.id), 0);
    const payouts = await api("GET", "/api/v1/payouts", { token: inf.token });
    assert.deepEqual(payouts.body.items.map((p: any) => [p.amount, p.fee, p.status]), [[450_000, 50_000, "pending"]]);
    const ops = await admin();
    const paid = await api("PUT", `/api/v1/payouts/${payouts.body.items[0].id}/paid`, { token: ops.token });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body.status, "paid_out");
    assert.equal(await wallet(inf.id), 0);
    assert.equal((await api("PUT", `/api/v1/payouts/${payouts.body.items[0].id}/paid`, { token: ops.token })).body.replayed, true);
    assert.equal(await wallet(inf.id), 0, "paid out once");
    const audited = await api("GET", "/api/v1/admin/audit?action=marketplace.payout_paid", { token: ops.token });
    assert.deepEqual(audited.body.items.map((e: any) => [e.actor_id, e.target_id]), [[ops.id, payouts.body.items[0].id]], "the payout is audited once");
    assert.equal((await reconcile()).ok, true);
  });

  it("cancel after payment releases the escrow to the brand; a dispute resolved with a split pays both sides", async () => {
    const one = await startDeal();
    await clickOk(one.brand, one.conversationId, "accept_proposal");
    await payEscrow(one.brand, one.conversationId);
    await clickOk(one.inf, one.conversationId, "cancel");
    assert.equal(await wallet(one.brand.id), 500_000);
    assert.equal(await held(one.brand.id), 0);

    const two = await startDeal();
    await clickOk(two.brand, two.conversationId, "accept_proposal");
    await payEscrow(two.brand, two.conversationId, "pay_two");
    await clickOk(two.inf, two.conversationId, "start_work");
    await clickOk(two.brand, two.conversationId, "open_dispute", { reason: "nothing delivered on time" });
    const ops = await admin();
    assert.equal((await click(two.brand, two.conversationId, "resolve_dispute", { influencer_amount: 0 })).body.error.code, "not_your_turn");
    const resolved = await clickOk(ops, two.conversationId, "resolve_dispute", { influencer_amount: 200_000 });
    assert.equal(resolved.next_flow_state, "completed");
    assert.equal(await wallet(two.inf.id), 180_000);
    assert.equal(await wallet(two.brand.id), 300_000);
    const flow = await api("GET", `/api/v1/debug/flow/${two.conversationId}`, { token: ops.token });
    assert.equal(flow.body.escrow.hold.status, "captured");
    assert.equal(flow.body.flow_data.escrow.status, "split");
    const audited = await api("GET", "/api/v1/admin/audit?action=marketplace.flow_action", { token: ops.token });
    assert.deepEqual(
      audited.body.items.map((e: any) => [e.actor_id, e.target_id, e.details.action, e.details.to]),
      [[ops.id, two.conversationId, "resolve_dispute", "completed"]],
      "the admin's resolution is audited, the parties' moves are not",
    );
    assert.equal((await reconcile()).ok, true);
  });

  it("a forged payment signature is refused and nothing is held", async () => {
    const { brand, conversationId } = await startDeal();
    await clickOk(brand, conversationId, "accept_proposal");
    const created = await api("POST", "/api/v1/payments/create-order", { token: brand.token, body: { conversation_id: conversationId } });
    const orderId = created.body.order.order_id;
    const forged = await api("POST", "/api/v1/payments/verify-payment", {
      token: brand.token,
      body: { razorpay_order_id: orderId, razorpay_payment_id: "pay_x", razorpay_signature: razorpaySignature(orderId, "pay_x", "wrong_secret") },
    });
    assert.equal(forged.body.error.code, "invalid_signature");
    assert.equal(await held(brand.id), 0);
    const again = await api("POST", "/api/v1/payments/create-order", { token: brand.token, body: { conversation_id: conversationId } });
    assert.equal(again.body.order.order_id, orderId, "the same order while payment is pending");
    const orders = await api("GET", "/api/v1/payments/orders", { token: brand.token });
    assert.deepEqual(orders.body.items.map((o: any) => [o.id, o.status, o.amount]), [[orderId, "created", 500_000]]);
  });
});
