import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { matchMaker } from "@colyseus/core";
import { resetState, testServer } from "../support/server";
import { api } from "../support/http";
import { nextMessage, sdkClient } from "../support/sdk";
import { razorpaySignature, usePaymentProviders } from "../support/payments";
import { admin, applyTo, brandOwner, influencer, postBid } from "../support/marketplace";
import type { TestUser } from "../support/factories";
import { getWallet, listLedger, reconcile } from "../../src/economy";

/** Poll the room state until `check` holds (patches arrive asynchronously). */
async function until(room: Room<any>, check: (s: any) => boolean, what: string, ms = 4000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = room.state?.toJSON() ?? {};
    let ok = false;
    try {
      ok = check(s);
    } catch {
      // the first patch has not arrived yet
    }
    if (ok) return s;
    if (Date.now() > deadline) assert.fail(`${what}: state is ${JSON.stringify({ flowState: s.flowState, version: s.version, messages: s.messages?.length })}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const join = (user: TestUser, conversationId: string) => sdkClient(user.token).joinOrCreate("negotiation", { conversationId });

describe("negotiation room (SDK clients)", () => {
  usePaymentProviders();
  const open: Room<any>[] = [];
  before(testServer);
  beforeEach(resetState);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
  });

  async function deal() {
    const brand = await brandOwner();
    const inf = await influencer();
    const bid = await postBid(brand);
    await applyTo(inf, { bid_id: bid.id }, 500_000);
    const init = await api("POST", "/api/v1/bids/automated/initialize", { token: inf.token, body: { bid_id: bid.id, influencer_id: inf.id, proposed_amount: 500_000 } });
    assert.equal(init.status, 201);
    return { brand, inf, bid, conversationId: init.body.conversation.id as string };
  }

  it("a whole deal: apply → initialize → counter → counter → accept → order → verified payment → start → submit → revision → submit → approve", async () => {
    const { brand, inf, conversationId } = await deal();
    const b = await join(brand, conversationId);
    const i = await join(inf, conversationId);
    open.push(b, i);
    let s = await until(i, (x) => x.flowState === "initial" && x.messages.length === 1, "initial state");
    assert.equal(s.awaitingRole, "brand_owner");
    assert.deepEqual(s.messages[0].buttons.map((x: any) => x.action), ["accept_proposal", "negotiate_amount", "decline_proposal"]);
    assert.equal(s.flowData.minAmount, 300_000);

    assert.deepEqual(await b.request("input", { inputType: "negotiation_amount", values: { proposed_amount: 400_000, reasoning: "scope" } }), { flowState: "negotiating", awaitingRole: "influencer", version: 1 });
    // out of turn: refused with its code, nothing changes
    await assert.rejects(b.request("action", { action: "accept_proposal" }), (e: any) => e.code === "not_your_turn");
    await i.request("action", { action: "negotiate_amount", data: { amount: 450_000, reasoning: "fair" } });
    s = await until(b, (x) => x.version === 2, "second counter visible to the brand");
    assert.equal(s.flowData.currentAmount, 450_000);
    assert.equal(s.flowData.counters, 2);
    const accepted = await b.request("action", { action: "accept_proposal" });
    assert.equal(accepted.flowState, "accepted");
    const paying = await b.request("action", { action: "pay" });
    assert.equal(paying.flowState, "payment_pending");
    assert.equal(paying.order.amount, 450_000);
    const orderId = paying.order.order_id;

    // the brand pays in Razorpay Checkout; the app sends the signed result to verify
    const verified = await api("POST", "/api/v1/payments/verify-payment", {
      token: brand.token,
      body: { razorpay_order_id: orderId, razorpay_payment_id: "pay_whole_deal", razorpay_signature: razorpaySignature(orderId, "pay_whole_deal") },
    });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    s = await until(i, (x) => x.flowState === "paid", "paid reaches the influencer live");
    assert.deepEqual(s.escrow, { status: "held", amount: 450_000, captured: 0, fee: 0, released: 0 });
    assert.equal((await getWallet(brand.id)).held.inr, 450_000);

    await i.request("action", { action: "start_work" });
    await i.request("input", { inputType: "deliverable", values: { url: "https://cdn.example/cut1.mp4", note: "first cut" } });
    await until(b, (x) => x.flowState === "submitted", "submitted");
    await b.request("input", { inputType: "revision", values: { note: "logo bigger" } });
    await until(i, (x) => x.flowState === "revision_requested", "revision requested");
    await i.request("action", { action: "submit_deliverable", data: { url: "https://cdn.example/cut2.mp4" } });
    await until(b, (x) => x.flowState === "submitted" && x.flowData.deliverables.length === 2, "resubmitted");
    const done = await b.request("action", { action: "approve" });
    assert.equal(done.flowState, "completed");
    s = await until(i, (x) => x.flowState === "completed", "completed");
    assert.deepEqual(s.escrow, { status: "captured", amount: 450_000, captured: 405_000, fee: 45_000, released: 0 });

    const w = await getWallet(inf.id);
    assert.equal(w.balances.inr, 405_000, "the agreed amount less the 10% platform fee");
    assert.equal((await getWallet(brand.id)).held.inr, 0);
    const ledger = await listLedger(inf.id, { currency: "inr", limit: 10 });
    assert.deepEqual(ledger.items.map((e) => [e.transfer_id, e.amount, e.reason]), [[`neg:${conversationId}:capture`, 405_000, "negotiation_escrow"]]);
    const brandLedger = await listLedger(brand.id, { currency: "inr", limit: 10 });
    assert.deepEqual(brandLedger.items.map((e) => e.amount).sort(), [-450_000, 450_000], "paid in once, held once");
    assert.equal((await reconcile()).ok, true, "the ledger reconciles");
    // the completed deal is progress for both sides (deal_completed: 100 XP each, once)
    for (const u of [brand, inf]) {
      const me = await api("GET", "/api/v1/progression/me", { token: u.token });
      assert.equal(me.body.xp, 100, `${u.id} got the deal's XP once`);
    }
    // every automated message was stored: the opening one and one per transition (10)
    const msgs = await api("GET", `/api/v1/messages/conversations/${conversationId}/messages`, { token: inf.token });
    assert.equal(msgs.body.data.messages.filter((m: any) => m.message_type === "automated").length, 11);
    const req = await api("GET", "/api/v1/requests", { token: inf.token });
    assert.equal(req.body.items[0].status, "completed");
    assert.equal(req.body.items[0].agreed_amount, 450_000);
  });

  it("two conflicting clicks from two clients at once: one wins, the other gets stale_flow_state", async () => {
    const { brand, conversationId } = await deal();
    const phone = await join(brand, conversationId);
    const laptop = await join(brand, conversationId);
    open.push(phone, laptop);
    await until(laptop, (x) => x.version === 0 && x.messages.length === 1, "loaded");
    const results = await Promise.allSettled([phone.request("action", { action: "accept_proposal" }), laptop.request("action", { action: "decline_proposal" })]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    assert.equal(won.length, 1, JSON.stringify(results));
    assert.equal(lost[0]!.reason.code, "stale_flow_state");
    const s = await until(phone, (x) => x.version === 1, "one transition");
    assert.ok(["accepted", "declined"].includes(s.flowState));
  });

  it("only the two parties and admins may join; the room rebuilds from the store after dispose", async () => {
    const { brand, inf, conversationId } = await deal();
    const stranger = await influencer();
    await assert.rejects(join(stranger, conversationId), /conversation_not_found/);
    await assert.rejects(sdkClient(brand.token).joinOrCreate("negotiation", { conversationId: "nope" }), /invalid_join_options/);
    const ops = await admin();
    const a = await join(ops, conversationId);
    open.push(a);
    await until(a, (x) => x.messages.length === 1, "admin sees the flow");
    await assert.rejects(a.request("action", { action: "accept_proposal" }), (e: any) => e.code === "not_your_turn");
    const b = await join(brand, conversationId);
    await b.request("action", { action: "accept_proposal" });
    await Promise.all([a.leave(), b.leave()]);
    open.length = 0;
    for (let t = 0; t < 100 && (await matchMaker.query({ name: "negotiation" })).length > 0; t++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await matchMaker.query({ name: "negotiation" })).length, 0, "disposed");
    const again = await join(inf, conversationId);
    open.push(again);
    const s = await until(again, (x) => x.flowState === "accepted", "rebuilt from the store");
    assert.equal(s.messages.length, 2);
    assert.equal(s.flowData.agreedAmount, 500_000);
  });

  it("direct messages: live delivery to the other party only, typing, seen, unread counts, deletion", async () => {
    const brand = await brandOwner();
    const inf = await influencer();
    const opened = await api("POST", "/api/v1/messages/conversations/direct", { token: brand.token, body: { user_id: inf.id } });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    const conversationId = opened.body.conversation.id;
    assert.equal((await api("POST", "/api/v1/messages/conversations/direct", { token: inf.token, body: { user_id: brand.id } })).body.conversation.id, conversationId, "one per pair");
    const b = await join(brand, conversationId);
    const i = await join(inf, conversationId);
    open.push(b, i);
    let brandGotOwn = 0;
    b.onMessage("new_message", () => brandGotOwn++);
    const live = nextMessage<any>(i, "new_message");
    b.send("typing", { on: true });
    await until(i, (x) => x.typing[brand.id] === true, "typing shows");
    const sent = await b.request("message", { text: "Hello! How are you doing?" });
    const delivered = await live;
    assert.equal(delivered.id, sent.id);
    assert.equal(delivered.text, "Hello! How are you doing?");
    await until(i, (x) => x.typing[brand.id] === undefined && x.messages.length === 1, "typing cleared by sending");
    await api("POST", "/api/v1/messages", { token: brand.token, body: { conversation_id: conversationId, message: "Second, over REST", media_url: "https://cdn.example/a.jpg" } });
    await until(i, (x) => x.messages.length === 2 && x.messages[1].mediaUrl === "https://cdn.example/a.jpg", "REST message live");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(brandGotOwn, 0, "the sender's own clients get no new_message");

    assert.equal((await api("GET", "/api/v1/messages/unread-count", { token: inf.token })).body.unread_count, 2);
    assert.equal((await api("GET", "/api/v1/messages/unread-count", { token: brand.token })).body.unread_count, 0);
    const list = await api("GET", "/api/v1/messages/conversations/direct", { token: inf.token });
    assert.equal(list.body.conversations[0].unread_count, 2);
    assert.equal(list.body.conversations[0].other_user.id, brand.id);
    assert.equal(list.body.conversations[0].last_message.message, "Second, over REST");

    await i.request("seen", { messageId: sent.id });
    await until(b, (x) => x.lastSeen[inf.id] === sent.id, "seen mark reaches the brand");
    assert.equal((await api("GET", "/api/v1/messages/unread-count", { token: inf.token })).body.unread_count, 1);
    assert.equal((await api("PUT", `/api/v1/messages/conversations/${conversationId}/seen`, { token: inf.token })).body.marked, 1);
    assert.equal((await api("GET", "/api/v1/messages/unread-count", { token: inf.token })).body.unread_count, 0);

    assert.equal((await api("DELETE", `/api/v1/messages/${sent.id}`, { token: inf.token })).body.error.code, "not_your_message");
    assert.equal((await api("DELETE", `/api/v1/messages/${sent.id}`, { token: brand.token })).status, 204);
    await until(i, (x) => x.messages.length === 1, "deleted message leaves the state");
    const msgs = await api("GET", `/api/v1/messages/conversations/${conversationId}/messages`, { token: inf.token });
    assert.deepEqual(msgs.body.data.messages.map((m: any) => m.message), ["Second, over REST"]);

    // a third user is not told the conversation exists; a bad message is answered, not fatal
    const stranger = await influencer();
    assert.equal((await api("POST", "/api/v1/messages", { token: stranger.token, body: { conversation_id: conversationId, message: "hi" } })).status, 404);
    const err = nextMessage<any>(b, "error");
    b.send("message", { text: "" });
    assert.equal((await err).code, "invalid_message");
    await assert.rejects(b.request("action", { action: "accept_proposal" }), (e: any) => e.code === "not_a_negotiation");
  });
});
