import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ColyseusSDK } from "@colyseus/sdk";
import { spawnServer, type ServerProcess } from "../support/process";
import { RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET, razorpaySignature, razorpayStandIn, type StandIn } from "../support/payments";

/**
 * kill -9 the server in the middle of a deal with money in escrow (and a click in flight), restart
 * on the same DATA_DIR: the flow state, its messages and the hold are as acknowledged, and the deal
 * completes — the influencer is paid the amount less the fee, the books reconcile.
 */
describe("negotiation crash safety (kill -9 with money in escrow)", function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: ServerProcess | undefined;
  let razorpay: StandIn;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "limelight-negotiation-crash-"));
    razorpay = await razorpayStandIn();
  });
  after(async () => {
    await server?.stop("SIGKILL").catch(() => undefined);
    await razorpay.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    DATA_DIR: dataDir,
    EMBEDDED_DB: "disk",
    ADMIN_USERNAMES: "ops",
    JWT_SECRET: "negotiation-crash-secret-0123456789abcdef",
    AUTH_RATE_LIMIT_PER_MINUTE: "10000",
    RAZORPAY_KEY_ID,
    RAZORPAY_KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET,
    RAZORPAY_API_BASE: razorpay.url,
  });

  async function call(base: string, method: string, p: string, token?: string, body?: unknown) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  }
  const ok = async (r: Promise<{ status: number; body: any }>) => {
    const out = await r;
    assert.ok(out.status < 300, JSON.stringify(out.body));
    return out.body;
  };

  it("flow state, messages and the hold survive; the deal completes after the restart", async () => {
    server = await spawnServer(env());
    let base = server.url;
    const register = (username: string, roles?: string[]) => ok(call(base, "POST", "/api/v1/auth/register", undefined, { username, password: "s3cret-pass", ...(roles && { roles }) }));
    const ops = await register("ops");
    const brand = await register("crash_brand", ["brand_owner"]);
    const inf = await register("crash_influencer", ["influencer"]);
    const bid = await ok(call(base, "POST", "/api/v1/bids", brand.access_token, { title: "Crash test reel", min_budget: 300_000, max_budget: 800_000 }));
    await ok(call(base, "POST", "/api/v1/requests", inf.access_token, { bid_id: bid.id, proposed_amount: 600_000 }));
    const init = await ok(call(base, "POST", "/api/v1/bids/automated/initialize", inf.access_token, { bid_id: bid.id, influencer_id: inf.user.id, proposed_amount: 600_000 }));
    const conv = init.conversation.id as string;
    const click = (token: string, action: string, data?: object) => call(base, "POST", `/api/v1/messages/conversations/${conv}/button-click`, token, { action, ...(data && { data }) });
    await ok(click(brand.access_token, "negotiate_amount", { amount: 550_000 }));
    await ok(click(inf.access_token, "accept_proposal"));
    const order = (await ok(call(base, "POST", "/api/v1/payments/create-order", brand.access_token, { conversation_id: conv }))).order;
    await ok(call(base, "POST", "/api/v1/payments/verify-payment", brand.access_token, { razorpay_order_id: order.order_id, razorpay_payment_id: "pay_crash", razorpay_signature: razorpaySignature(order.order_id, "pay_crash") }));
    await ok(click(inf.access_token, "start_work"));
    await ok(call(base, "POST", "/api/v1/messages", inf.access_token, { conversation_id: conv, message: "Shooting today" }));
    const before = await ok(call(base, "GET", `/api/v1/messages/conversations/${conv}/messages`, brand.access_token));
    assert.equal(before.data.conversation.flow_state, "in_progress");
    assert.equal((await ok(call(base, "GET", "/api/v1/wallet", brand.access_token))).held.inr, 550_000);

    // a submission in flight when the process dies: it either committed (and was logged) or not at all
    const inFlight = click(inf.access_token, "submit_deliverable", { url: "https://cdn.example/final.mp4" }).catch(() => null);
    server.child.kill("SIGKILL");
    const flightResult = await inFlight;
    await new Promise((r) => (server!.child.exitCode !== null || server!.child.signalCode !== null ? r(null) : server!.child.once("exit", r)));

    server = await spawnServer(env());
    base = server.url;
    const flow = await ok(call(base, "GET", `/api/v1/debug/flow/${conv}`, ops.access_token));
    assert.ok(["in_progress", "submitted"].includes(flow.flow_state), flow.flow_state);
    if (flightResult?.status === 200) assert.equal(flow.flow_state, "submitted", "an acknowledged click survived");
    assert.deepEqual(flow.escrow.hold && [flow.escrow.hold.status, flow.escrow.hold.amount], ["pending", 550_000]);
    assert.deepEqual(flow.history.map((e: any) => e.seq), Array.from({ length: flow.version + 1 }, (_, i) => i), "the event log has every step once");
    const msgs = await ok(call(base, "GET", `/api/v1/messages/conversations/${conv}/messages`, inf.access_token));
    const texts = msgs.data.messages.map((m: any) => m.message);
    assert.ok(texts.includes("Shooting today"));
    assert.equal(msgs.data.messages.filter((m: any) => m.message_type === "automated").length, flow.version + 1);

    // the room is rebuilt on the new process from the store, and the deal completes through it
    const sdk = new ColyseusSDK(base);
    sdk.auth.token = inf.access_token;
    const room = await sdk.joinOrCreate("negotiation", { conversationId: conv });
    for (let t = 0; t < 200 && room.state?.flowState !== flow.flow_state; t++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(room.state.escrow.status, "held");
    if (flow.flow_state === "in_progress") await room.request("action", { action: "submit_deliverable", data: { url: "https://cdn.example/final.mp4" } });
    await room.leave();
    const done = await ok(click(brand.access_token, "approve"));
    assert.equal(done.next_flow_state, "completed");
    assert.equal((await ok(call(base, "GET", "/api/v1/wallet", inf.access_token))).balances.inr, 495_000, "550000 less the 10% fee");
    assert.equal((await ok(call(base, "GET", "/api/v1/wallet", brand.access_token))).held.inr, 0);
    const report = await ok(call(base, "GET", "/api/v1/admin/economy/reconcile", ops.access_token));
    assert.equal(report.ok, true, JSON.stringify(report.mismatches));
  });
});
