import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { api } from "../support/http";
import { createUser } from "../support/factories";
import { admin, applyTo, brandOwner, influencer, postBid, postCampaign } from "../support/marketplace";
import { razorpaySignature, usePaymentProviders } from "../support/payments";

describe("Marketplace REST: campaigns, bids, applications, subscriptions", () => {
  usePaymentProviders();
  before(testServer);
  beforeEach(resetState);

  it("only brand owners post; owners (and admins) change their own; hostile bodies are 400", async () => {
    const brand = await brandOwner();
    const other = await brandOwner();
    const inf = await influencer();
    assert.equal((await api("POST", "/api/v1/campaigns", { token: inf.token, body: { title: "x", budget: 1000 } })).body.error.code, "forbidden_role");
    assert.equal((await api("POST", "/api/v1/campaigns", { body: { title: "x", budget: 1000 } })).status, 401);
    for (const body of [{ title: "x", budget: 10.5 }, { title: "x", budget: 99 }, { title: "", budget: 1000 }, { title: "x", budget: 1000, created_by: other.id }]) {
      const res = await api("POST", "/api/v1/campaigns", { token: brand.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.equal((await api("POST", "/api/v1/bids", { token: brand.token, body: { title: "x", min_budget: 5000, max_budget: 4000 } })).status, 400);
    const c = await postCampaign(brand);
    assert.equal(c.status, "open");
    assert.equal(c.created_by, brand.id);
    assert.equal((await api("PUT", `/api/v1/campaigns/${c.id}`, { token: other.token, body: { budget: 5000 } })).body.error.code, "not_listing_owner");
    assert.equal((await api("PUT", `/api/v1/campaigns/${c.id}`, { token: brand.token, body: { budget: 5000 } })).body.budget, 5000);
    assert.equal((await api("PUT", `/api/v1/campaigns/${c.id}`, { token: (await admin()).token, body: { status: "cancelled" } })).body.status, "cancelled");
    const bid = await postBid(brand);
    assert.equal((await api("PUT", `/api/v1/bids/${bid.id}`, { token: brand.token, body: { min_budget: 900_000 } })).body.error.code, "invalid_budget_range");
    assert.equal((await api("DELETE", `/api/v1/bids/${bid.id}`, { token: other.token })).status, 403);
    assert.equal((await api("DELETE", `/api/v1/bids/${bid.id}`, { token: brand.token })).status, 204);
    assert.equal((await api("GET", `/api/v1/bids/${bid.id}`, { token: inf.token })).status, 404);
  });

  it("lists filter by status, platform, category, budget range and owner, with cursor paging", async () => {
    const a = await brandOwner();
    const b = await brandOwner();
    await postCampaign(a, { budget: 5000, platform: "Instagram", category: "fashion" });
    await postCampaign(a, { budget: 20_000, platform: "YouTube", category: "tech" });
    await postBid(b, { min_budget: 1000, max_budget: 3000, platform: "TikTok" });
    await postBid(b, { min_budget: 8000, max_budget: 9000, platform: "TikTok" });
    const q = async (p: string) => (await api("GET", p, { token: a.token })).body;
    assert.equal((await q("/api/v1/campaigns?platform=Instagram")).items.length, 1);
    assert.equal((await q("/api/v1/campaigns?min_budget=10000")).items[0].budget, 20_000);
    assert.equal((await q(`/api/v1/campaigns?created_by=${b.id}`)).items.length, 0);
    assert.deepEqual((await q("/api/v1/bids?min_budget=2500&max_budget=5000")).items.map((x: any) => x.min_budget), [1000], "bids whose range overlaps");
    assert.equal((await q("/api/v1/bids?status=cancelled")).items.length, 0);
    const p1 = await q("/api/v1/bids?limit=1");
    assert.equal(p1.items.length, 1);
    const p2 = await q(`/api/v1/bids?limit=1&cursor=${p1.next_cursor}`);
    assert.notEqual(p2.items[0].id, p1.items[0].id);
    assert.equal(p2.next_cursor, null);
    assert.equal((await api("GET", "/api/v1/bids?cursor=garbage", { token: a.token })).body.error.code, "invalid_cursor");
    assert.equal((await api("GET", "/api/v1/bids?status=nope", { token: a.token })).status, 400);
  });

  it("applications: influencers only, once, amount within the bid's range or the campaign's budget; status moves role-checked", async () => {
    const brand = await brandOwner();
    const inf = await influencer();
    const bid = await postBid(brand);
    const campaign = await postCampaign(brand, { budget: 200_000 });
    assert.equal((await api("POST", "/api/v1/requests", { token: brand.token, body: { bid_id: bid.id, proposed_amount: 500_000 } })).body.error.code, "forbidden_role");
    assert.equal((await api("POST", "/api/v1/requests", { token: inf.token, body: { bid_id: bid.id, campaign_id: campaign.id, proposed_amount: 500_000 } })).status, 400);
    assert.equal((await api("POST", "/api/v1/requests", { token: inf.token, body: { bid_id: bid.id, proposed_amount: 900_000 } })).body.error.code, "amount_out_of_range");
    assert.equal((await api("POST", "/api/v1/requests", { token: inf.token, body: { campaign_id: campaign.id, proposed_amount: 200_001 } })).body.error.code, "amount_out_of_range");
    const app = await applyTo(inf, { bid_id: bid.id });
    assert.equal((await api("POST", "/api/v1/requests", { token: inf.token, body: { bid_id: bid.id, proposed_amount: 400_000 } })).body.error.code, "already_applied");
    const onBid = await api("GET", `/api/v1/bids/${bid.id}/applications`, { token: brand.token });
    assert.deepEqual(onBid.body.items.map((x: any) => x.id), [app.id]);
    assert.equal((await api("GET", `/api/v1/bids/${bid.id}/applications`, { token: inf.token })).status, 403);
    assert.equal((await api("PUT", `/api/v1/requests/${app.id}/status`, { token: inf.token, body: { status: "approved" } })).body.error.code, "forbidden_status_change");
    assert.equal((await api("PUT", `/api/v1/requests/${app.id}/amount`, { token: brand.token, body: { agreed_amount: 450_000 } })).body.agreed_amount, 450_000);
    assert.equal((await api("PUT", `/api/v1/requests/${app.id}/status`, { token: brand.token, body: { status: "approved" } })).body.status, "approved");
    assert.equal((await api("PUT", `/api/v1/requests/${app.id}/status`, { token: brand.token, body: { status: "completed" } })).body.error.code, "invalid_status_transition");
    assert.equal((await api("PUT", `/api/v1/requests/${app.id}/status`, { token: inf.token, body: { status: "in_progress" } })).body.status, "in_progress");
    assert.equal((await api("DELETE", `/api/v1/requests/${app.id}`, { token: inf.token })).body.error.code, "request_not_withdrawable");
    const stranger = await influencer();
    assert.equal((await api("GET", `/api/v1/requests/${app.id}`, { token: stranger.token })).status, 404);
    const second = await applyTo(inf, { campaign_id: campaign.id }, 150_000);
    assert.equal((await api("DELETE", `/api/v1/requests/${second.id}`, { token: inf.token })).body.status, "cancelled");
    assert.deepEqual((await api("GET", "/api/v1/requests?status=cancelled", { token: inf.token })).body.items.map((x: any) => x.id), [second.id]);
  });

  it("plan limits: basic allows 2 active bids, then plan_limit_reached names premium; a paid subscription lifts it; upgrade is prorated", async () => {
    const brand = await brandOwner();
    await postBid(brand);
    await postBid(brand);
    const refused = await api("POST", "/api/v1/bids", { token: brand.token, body: { title: "third", min_budget: 1000, max_budget: 2000 } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "plan_limit_reached");
    assert.deepEqual({ ...refused.body.error.details, used: undefined }, { limit: "active_bids", plan: "basic", max: 2, used: undefined, upgrade_to: "premium" });

    const created = await api("POST", "/api/v1/subscriptions/create", { token: brand.token, body: { plan: "premium" } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.subscription.status, "pending_payment");
    assert.equal(created.body.order.amount, 99_900);
    const orderId = created.body.order.order_id;
    assert.equal((await api("POST", "/api/v1/bids", { token: brand.token, body: { title: "third", min_budget: 1000, max_budget: 2000 } })).status, 403, "not before it is paid");
    const paid = await api("POST", "/api/v1/payments/verify-payment", { token: brand.token, body: { razorpay_order_id: orderId, razorpay_payment_id: "pay_sub", razorpay_signature: razorpaySignature(orderId, "pay_sub") } });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body.result.status, "active");
    assert.equal((await api("POST", "/api/v1/bids", { token: brand.token, body: { title: "third", min_budget: 1000, max_budget: 2000 } })).status, 201);
    const mine = await api("GET", "/api/v1/subscriptions", { token: brand.token });
    assert.equal(mine.body.current_plan, "premium");

    const subId = created.body.subscription.id;
    const up = await api("POST", `/api/v1/subscriptions/${subId}/upgrade`, { token: brand.token, body: { plan: "enterprise" } });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    // a whole period is left: the full difference (a part-used period pays its share, see subscription.plans)
    assert.ok(up.body.amount <= 400_000 && up.body.amount > 399_000, String(up.body.amount));
    const upOrder = up.body.order.order_id;
    await api("POST", "/api/v1/payments/verify-payment", { token: brand.token, body: { razorpay_order_id: upOrder, razorpay_payment_id: "pay_up", razorpay_signature: razorpaySignature(upOrder, "pay_up") } });
    assert.equal((await api("GET", `/api/v1/subscriptions/${subId}`, { token: brand.token })).body.plan, "enterprise");
    assert.equal((await api("GET", `/api/v1/subscriptions/${subId}`, { token: (await createUser()).token })).status, 404);
    assert.equal((await api("PUT", `/api/v1/subscriptions/${subId}/cancel`, { token: brand.token })).body.status, "cancelled");
    assert.equal((await api("GET", "/api/v1/subscriptions", { token: brand.token })).body.current_plan, "basic");
  });

  it("debug endpoints are admin-only", async () => {
    const brand = await brandOwner();
    assert.equal((await api("GET", "/api/v1/debug/flow/0123456789abcdef01234567", { token: brand.token })).body.error.code, "forbidden_role");
    assert.equal((await api("GET", "/api/v1/debug/conversations/0123456789abcdef01234567", { token: (await admin()).token })).body.error.code, "conversation_not_found");
  });
});
