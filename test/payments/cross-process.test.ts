import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { spawnServer, type ServerProcess } from "../support/process";
import {
  razorpayCaptured,
  razorpaySignature,
  razorpayStandIn,
  razorpayWebhookHeaders,
  RAZORPAY_KEY_ID,
  RAZORPAY_KEY_SECRET,
  RAZORPAY_WEBHOOK_SECRET,
  type StandIn,
} from "../support/payments";

/**
 * Two server processes on one database: Razorpay's webhook reaches one while the buyer's app
 * verifies on the other, several times each, at once. The pack is credited exactly once.
 */
describe("payments across processes", function () {
  this.timeout(120_000);
  let store: { uri: string; stop(): Promise<void> } | undefined;
  let razorpay: StandIn | undefined;
  const servers: ServerProcess[] = [];

  before(async () => {
    store = await startEmbeddedMongo({ port: 0 });
    razorpay = await razorpayStandIn();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop("SIGTERM").catch(() => s.stop("SIGKILL"))));
    await store?.stop();
    await razorpay?.close();
  });

  it("verify on A and the webhook on B race: one credit", async () => {
    const env = {
      MONGODB_URI: store!.uri.replace(/\/\?/, "/limelight_payments?"),
      JWT_SECRET: randomBytes(32).toString("hex"),
      RAZORPAY_KEY_ID,
      RAZORPAY_KEY_SECRET,
      RAZORPAY_WEBHOOK_SECRET,
      RAZORPAY_API_BASE: razorpay!.url,
    };
    const [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
    servers.push(a, b);
    const call = async (base: string, method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
      const res = await fetch(base + path, {
        method,
        headers: { "content-type": "application/json", ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
        body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const reg = await call(a.url, "POST", "/api/v1/auth/register", { body: { username: "buyer_x", password: "s3cret-pass" } });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const token = reg.body.access_token;
    const start = (await call(b.url, "GET", "/api/v1/wallet", { token })).body.balances.tokens;
    const order = await call(a.url, "POST", "/api/v1/payments/razorpay/orders", { token, body: { product_id: "tokens_1200" } });
    assert.equal(order.status, 201, JSON.stringify(order.body));

    const orderId = order.body.order_id;
    const verify = { razorpay_order_id: orderId, razorpay_payment_id: "pay_xproc", razorpay_signature: razorpaySignature(orderId, "pay_xproc") };
    const raw = razorpayCaptured({ orderId, paymentId: "pay_xproc", amount: 79_900 });
    const results = await Promise.all(
      [a, b, a, b, a, b].flatMap((s, i) => [
        call(s.url, "POST", "/api/v1/payments/razorpay/verify", { token, body: verify }),
        call(i % 2 === 0 ? b.url : a.url, "POST", "/api/v1/payments/razorpay/webhook", { raw, headers: razorpayWebhookHeaders(raw) }),
      ]),
    );
    for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
    const credits = results.filter((r) => r.body.credited === true || r.body.outcome === "credited").length;
    assert.equal(credits, 1, "exactly one call applied the credit");
    for (const s of [a, b]) assert.equal((await call(s.url, "GET", "/api/v1/wallet", { token })).body.balances.tokens, start + 1200);
    const ledger = await call(a.url, "GET", "/api/v1/wallet/ledger?currency=tokens&limit=50", { token });
    assert.equal(ledger.body.items.filter((e: any) => e.transfer_id === "purchase:razorpay:pay_xproc").length, 1, JSON.stringify(ledger.body.items[0]));
  });
});
