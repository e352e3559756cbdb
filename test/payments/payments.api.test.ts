import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { transfer } from "../../src/economy";
import { TransferModel } from "../../src/economy/ledger.model";
import { PaymentOrderModel, PurchaseModel } from "../../src/payments/payment.model";
import { appleNotification, appleTransaction, makeTestChain } from "../support/apple-chain";
import {
  appleChain,
  razorpayCaptured,
  razorpayRefunded,
  razorpaySignature,
  razorpayWebhookHeaders,
  RAZORPAY_KEY_ID,
  stripeEvent,
  stripeSignedEvent,
  withConfig,
  usePaymentProviders,
} from "../support/payments";

async function balances(user: TestUser): Promise<{ tokens: number; diamonds: number; flagged: boolean }> {
  const res = await api("GET", "/api/v1/wallet", { token: user.token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { tokens: res.body.balances.tokens, diamonds: res.body.balances.diamonds, flagged: res.body.flagged };
}

async function razorpayOrder(user: TestUser, productId = "tokens_100"): Promise<{ order_id: string; amount: number }> {
  const res = await api("POST", "/api/v1/payments/razorpay/orders", { token: user.token, body: { product_id: productId } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

function verifyBody(orderId: string, paymentId: string, signature = razorpaySignature(orderId, paymentId)) {
  return { razorpay_order_id: orderId, razorpay_payment_id: paymentId, razorpay_signature: signature };
}

function razorpayWebhook(raw: string, headers = razorpayWebhookHeaders(raw)) {
  return api("POST", "/api/v1/payments/razorpay/webhook", { rawBody: raw, headers });
}

function stripeWebhook(event: object, opts?: Parameters<typeof stripeSignedEvent>[1]) {
  const { rawBody, headers } = stripeSignedEvent(event, opts);
  return api("POST", "/api/v1/payments/stripe/webhook", { rawBody, headers });
}

function appleNotify(signedPayload: string) {
  return api("POST", "/api/v1/payments/apple/notifications", { body: { signedPayload } });
}

const purchaseTransfers = (prefix: string) => TransferModel.countDocuments({ _id: { $regex: `^${prefix}` } });

describe("Purchases and payments REST API", () => {
  usePaymentProviders();
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  it("lists the catalog with per-provider prices and which providers are on", async () => {
    const res = await api("GET", "/api/v1/store/products");
    assert.equal(res.status, 200);
    const tokens = res.body.items.find((p: any) => p.id === "tokens_100");
    assert.deepEqual(tokens.grants, { currency: "tokens", amount: 100 });
    assert.deepEqual(tokens.prices.razorpay, { amount: 7900, currency: "inr" });
    assert.deepEqual(tokens.prices.stripe, { amount: 99, currency: "usd" });
    assert.equal(res.body.items.find((p: any) => p.id === "diamonds_10").prices.apple.product_id, "limelight.diamonds.10");
    assert.deepEqual(res.body.providers, { razorpay: true, stripe: true, apple: true, dev: true });
    const off = withConfig({ STRIPE_SECRET_KEY: undefined, APPLE_ROOT_CERTS: undefined });
    try {
      assert.deepEqual((await api("GET", "/api/v1/store/products")).body.providers, { razorpay: true, stripe: false, apple: false, dev: true });
    } finally {
      off();
    }
  });

  describe("Razorpay", () => {
    it("order → checkout verify credits the pack once; verify again and the webhook do not credit again", async () => {
      const buyer = await createUser();
      const before = await balances(buyer);
      const order = await razorpayOrder(buyer);
      assert.equal(order.amount, 7900);
      const created = await api("POST", "/api/v1/payments/razorpay/orders", { token: buyer.token, body: { product_id: "tokens_100" } });
      assert.deepEqual(Object.keys(created.body).sort(), ["amount", "currency", "key_id", "order_id"]);
      assert.equal(created.body.key_id, RAZORPAY_KEY_ID);
      assert.equal(created.body.currency, "inr");

      const verified = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_first") });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.credited, true);
      assert.equal(verified.body.wallet.balances.tokens, before.tokens + 100);
      assert.equal(verified.body.purchase.status, "credited");

      const again = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_first") });
      assert.equal(again.status, 200);
      assert.equal(again.body.credited, false);
      const hook = await razorpayWebhook(razorpayCaptured({ orderId: order.order_id, paymentId: "pay_first", amount: 7900 }));
      assert.deepEqual(hook.body, { received: true, outcome: "already_credited" });
      assert.equal((await balances(buyer)).tokens, before.tokens + 100);
      assert.equal(await purchaseTransfers("purchase:razorpay:pay_first"), 1);
      assert.equal((await PaymentOrderModel.findById(`razorpay:${order.order_id}`).lean())!.status, "paid");
    });

    it("a tampered or replayed signature, another payment for a paid order, or someone else's order credits nothing", async () => {
      const buyer = await createUser();
      const other = await createUser();
      const before = await balances(buyer);
      const order = await razorpayOrder(buyer);
      const second = await razorpayOrder(buyer);
      const bad = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_x", "0".repeat(64)) });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "invalid_signature");
      // the signature of one (order, payment) does not carry over to another order
      const replayed = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(second.order_id, "pay_x", razorpaySignature(order.order_id, "pay_x")) });
      assert.equal(replayed.body.error.code, "invalid_signature");
      const wrongSecret = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_x", razorpaySignature(order.order_id, "pay_x", "guessed")) });
      assert.equal(wrongSecret.body.error.code, "invalid_signature");
      const notMine = await api("POST", "/api/v1/payments/razorpay/verify", { token: other.token, body: verifyBody(order.order_id, "pay_x") });
      assert.equal(notMine.status, 404);
      assert.equal(await PurchaseModel.countDocuments({}), 0);

      assert.equal((await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_x") })).body.credited, true);
      const twice = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_y") });
      assert.equal(twice.status, 409);
      assert.equal(twice.body.error.code, "order_already_paid");
      // the same second payment by webhook, and its refund, are acknowledged and change nothing
      assert.deepEqual((await razorpayWebhook(razorpayCaptured({ orderId: order.order_id, paymentId: "pay_y", amount: 7900 }))).body, { received: true, outcome: "ignored" });
      const refundY = razorpayRefunded({ orderId: order.order_id, paymentId: "pay_y", amount: 7900, refundId: "rfnd_y", refunded: 7900 });
      assert.deepEqual((await razorpayWebhook(refundY)).body, { received: true, outcome: "ignored" });
      assert.equal((await balances(buyer)).tokens, before.tokens + 100);
    });

    it("the webhook alone credits; a tampered body, a wrong secret or a different amount credit nothing", async () => {
      const buyer = await createUser();
      const before = await balances(buyer);
      const order = await razorpayOrder(buyer, "tokens_550");
      const raw = razorpayCaptured({ orderId: order.order_id, paymentId: "pay_hook", amount: 39900 });
      const tampered = await razorpayWebhook(raw.replace("pay_hook", "pay_h00k"), razorpayWebhookHeaders(raw));
      assert.equal(tampered.status, 400);
      assert.equal(tampered.body.error.code, "invalid_signature");
      assert.equal((await razorpayWebhook(raw, razorpayWebhookHeaders(raw, "not-our-secret"))).status, 400);
      const short = razorpayCaptured({ orderId: order.order_id, paymentId: "pay_short", amount: 100 });
      assert.equal((await razorpayWebhook(short)).body.outcome, "ignored");
      assert.equal((await balances(buyer)).tokens, before.tokens);

      assert.deepEqual((await razorpayWebhook(raw)).body, { received: true, outcome: "credited" });
      assert.deepEqual((await razorpayWebhook(raw)).body, { received: true, outcome: "already_credited" });
      const late = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_hook") });
      assert.equal(late.body.credited, false);
      assert.equal((await balances(buyer)).tokens, before.tokens + 550);
    });

    it("verify and webhook racing for one payment credit exactly once", async () => {
      const buyer = await createUser();
      const before = await balances(buyer);
      const order = await razorpayOrder(buyer);
      const raw = razorpayCaptured({ orderId: order.order_id, paymentId: "pay_race", amount: 7900 });
      const calls = Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0 ? api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_race") }) : razorpayWebhook(raw),
      );
      const results = await Promise.all(calls);
      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
      const credits = results.filter((r) => r.body.credited === true || r.body.outcome === "credited").length;
      assert.equal(credits, 1);
      assert.equal((await balances(buyer)).tokens, before.tokens + 100);
      assert.equal(await purchaseTransfers("purchase:razorpay:pay_race"), 1);
      assert.equal(await PurchaseModel.countDocuments({}), 1);
    });

    it("a refund claws back its share; a full refund of spent tokens goes negative and flags the wallet; replays take nothing twice", async () => {
      const buyer = await createUser();
      const friend = await createUser();
      const start = await balances(buyer);
      const order = await razorpayOrder(buyer);
      await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_r") });
      // the buyer spends everything
      await transfer({ id: `spend:${buyer.id}`, debit: { userId: buyer.id }, credit: { userId: friend.id }, currency: "tokens", amount: start.tokens + 100, reason: "gift" });
      assert.equal((await balances(buyer)).tokens, 0);

      const half = razorpayRefunded({ orderId: order.order_id, paymentId: "pay_r", amount: 7900, refundId: "rfnd_1", refunded: 3950 });
      assert.equal((await razorpayWebhook(half)).body.outcome, "clawed_back");
      assert.deepEqual(await balances(buyer), { tokens: -50, diamonds: 0, flagged: true });
      assert.equal((await razorpayWebhook(half)).body.outcome, "clawed_back");
      assert.equal((await balances(buyer)).tokens, -50);
      const rest = razorpayRefunded({ orderId: order.order_id, paymentId: "pay_r", amount: 7900, refundId: "rfnd_2", refunded: 3950, total: 7900 });
      await razorpayWebhook(rest);
      await razorpayWebhook(half); // a late redelivery of the first refund
      assert.deepEqual(await balances(buyer), { tokens: -100, diamonds: 0, flagged: true });
      const purchase = await PurchaseModel.findById("razorpay:pay_r").lean();
      assert.equal(purchase!.status, "refunded");
      assert.equal(purchase!.clawed_back, 100);
      // a flagged wallet cannot spend
      await assert.rejects(transfer({ id: `spend2:${buyer.id}`, debit: { userId: buyer.id }, credit: { userId: friend.id }, currency: "diamonds", amount: 1, reason: "gift" }));
    });

    it("concurrent refund events for one payment take back the refunded share once", async () => {
      const buyer = await createUser();
      const before = await balances(buyer);
      const order = await razorpayOrder(buyer);
      await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: verifyBody(order.order_id, "pay_c") });
      // two partial refunds (cumulative 30% then 60%), each delivered three times, all at once
      const first = razorpayRefunded({ orderId: order.order_id, paymentId: "pay_c", amount: 7900, refundId: "rfnd_a", refunded: 2370 });
      const second = razorpayRefunded({ orderId: order.order_id, paymentId: "pay_c", amount: 7900, refundId: "rfnd_b", refunded: 2370, total: 4740 });
      const results = await Promise.all([first, second, first, second, first, second].map((raw) => razorpayWebhook(raw)));
      for (const r of results) assert.ok(r.status === 200 || r.body.error?.code === "refund_contended", JSON.stringify(r.body));
      // a contended delivery is answered 409 and redelivered by Razorpay
      for (const raw of [first, second]) await razorpayWebhook(raw);
      assert.equal((await balances(buyer)).tokens, before.tokens + 100 - 60);
      assert.equal((await PurchaseModel.findById("razorpay:pay_c").lean())!.clawed_back, 60);
    });

    it("a refund that overtakes the capture credits and claws back, leaving nothing", async () => {
      const buyer = await createUser();
      const before = await balances(buyer);
      const order = await razorpayOrder(buyer);
      const refund = razorpayRefunded({ orderId: order.order_id, paymentId: "pay_early", amount: 7900, refundId: "rfnd_e", refunded: 7900 });
      assert.equal((await razorpayWebhook(refund)).body.outcome, "clawed_back");
      assert.equal((await razorpayWebhook(razorpayCaptured({ orderId: order.order_id, paymentId: "pay_early", amount: 7900 }))).body.outcome, "already_credited");
      assert.deepEqual(await balances(buyer), { ...before, flagged: false });
      assert.equal((await PurchaseModel.findById("razorpay:pay_early").lean())!.status, "refunded");
    });

    it("refuses bad bodies, unknown products and anonymous callers; 503 provider_not_configured without keys", async () => {
      const buyer = await createUser();
      assert.equal((await api("POST", "/api/v1/payments/razorpay/orders", { body: { product_id: "tokens_100" } })).status, 401);
      const unknown = await api("POST", "/api/v1/payments/razorpay/orders", { token: buyer.token, body: { product_id: "tokens_999" } });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, "product_not_found");
      const extra = await api("POST", "/api/v1/payments/razorpay/orders", { token: buyer.token, body: { product_id: "tokens_100", amount: 1 } });
      assert.equal(extra.body.error.code, "invalid_body");
      const badSig = await api("POST", "/api/v1/payments/razorpay/verify", { token: buyer.token, body: { razorpay_order_id: "order_1", razorpay_payment_id: "pay_1", razorpay_signature: "zz" } });
      assert.equal(badSig.body.error.code, "invalid_body");
      const off = withConfig({ RAZORPAY_KEY_ID: undefined, RAZORPAY_KEY_SECRET: undefined, RAZORPAY_WEBHOOK_SECRET: undefined });
      try {
        const res = await api("POST", "/api/v1/payments/razorpay/orders", { token: buyer.token, body: { product_id: "tokens_100" } });
        assert.equal(res.status, 503);
        assert.equal(res.body.error.code, "provider_not_configured");
        const hook = await razorpayWebhook("{}", { "x-razorpay-signature": "00" });
        assert.equal(hook.status, 503);
      } finally {
        off();
      }
      assert.equal(await PaymentOrderModel.countDocuments({}), 0);
    });
  });

  describe("Stripe", () => {
    async function checkout(user: TestUser, productId = "tokens_550"): Promise<{ session_id: string; url: string }> {
      const res = await api("POST", "/api/v1/payments/stripe/checkout", { token: user.token, body: { product_id: productId } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    }
    const completed = (sessionId: string, pi: string, over: Record<string, unknown> = {}) =>
      stripeEvent("checkout.session.completed", { id: sessionId, object: "checkout.session", payment_status: "paid", amount_total: 499, currency: "usd", payment_intent: pi, ...over });

    it("checkout → signed completion credits once; a refund claws back its share", async () => {
      const buyer = await createUser();
      const before = await balances(buyer);
      const session = await checkout(buyer);
      assert.match(session.url, /^https:\/\/checkout\.stripe\.com\//);
      assert.deepEqual((await stripeWebhook(completed(session.session_id, "pi_1"))).body, { received: true, outcome: "credited" });
      assert.deepEqual((await stripeWebhook(completed(session.session_id, "pi_1"))).body, { received: true, outcome: "already_credited" });
      assert.equal((await balances(buyer)).tokens, before.tokens + 550);
      assert.equal(await purchaseTransfers("purchase:stripe:pi_1"), 1);

      const refund = stripeEvent("charge.refunded", { id: "ch_1", object: "charge", amount: 499, amount_refunded: 200, payment_intent: "pi_1" });
      assert.equal((await stripeWebhook(refund)).body.outcome, "clawed_back");
      assert.equal((await balances(buyer)).tokens, before.tokens + 550 - 221); // ceil(550 × 200/499)
      assert.equal((await balances(buyer)).flagged, false);
    });

    it("tampered, stale or foreign-signed events credit nothing; a refund of an unknown payment asks for redelivery", async () => {
      const buyer = await createUser();
      const before = await balances(buyer);
      const session = await checkout(buyer);
      const { rawBody, headers } = stripeSignedEvent(completed(session.session_id, "pi_2"));
      const tampered = await api("POST", "/api/v1/payments/stripe/webhook", { rawBody: rawBody.replace('"amount_total":499', '"amount_total":4990'), headers });
      assert.equal(tampered.status, 400);
      assert.equal(tampered.body.error.code, "invalid_signature");
      assert.equal((await stripeWebhook(completed(session.session_id, "pi_2"), { timestamp: Math.floor(Date.now() / 1000) - 600 })).status, 400);
      assert.equal((await stripeWebhook(completed(session.session_id, "pi_2"), { secret: "whsec_attacker" })).status, 400);
      // the amount Stripe charged must be the order's
      assert.equal((await stripeWebhook(completed(session.session_id, "pi_2", { amount_total: 1 }))).body.outcome, "ignored");
      assert.equal((await balances(buyer)).tokens, before.tokens);
      const early = await stripeWebhook(stripeEvent("charge.refunded", { id: "ch_9", object: "charge", amount: 499, amount_refunded: 499, payment_intent: "pi_unknown" }));
      assert.equal(early.status, 409);
      assert.equal(early.body.error.code, "payment_not_settled");
    });

    it("only token packs are sold through Stripe", async () => {
      const buyer = await createUser();
      const res = await api("POST", "/api/v1/payments/stripe/checkout", { token: buyer.token, body: { product_id: "diamonds_10" } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, "product_not_sold_here");
    });
  });

  describe("App Store", () => {
    const submit = (user: TestUser, signed: string) => api("POST", "/api/v1/purchases/apple", { token: user.token, body: { signed_transaction: signed } });

    it("a verified consumable credits its diamonds once; the same transaction from another account is refused", async () => {
      const buyer = await createUser();
      const thief = await createUser();
      const before = await balances(buyer);
      const signed = appleChain().sign(appleTransaction({ productId: "limelight.diamonds.60", quantity: 2 }));
      const first = await submit(buyer, signed);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.credited, true);
      assert.equal(first.body.wallet.balances.diamonds, before.diamonds + 120);
      const again = await submit(buyer, signed);
      assert.equal(again.body.credited, false);
      const stolen = await submit(thief, signed);
      assert.equal(stolen.status, 409);
      assert.equal(stolen.body.error.code, "purchase_already_used");
      assert.equal((await balances(buyer)).diamonds, before.diamonds + 120);
      assert.equal((await balances(thief)).diamonds, 0);
    });

    it("a purchase bound to one account (appAccountToken) is refused for another", async () => {
      const buyer = await createUser();
      const other = await createUser();
      const token = (await api("GET", "/api/v1/purchases/apple/account-token", { token: buyer.token })).body.app_account_token;
      assert.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.notEqual((await api("GET", "/api/v1/purchases/apple/account-token", { token: other.token })).body.app_account_token, token);
      const signed = appleChain().sign(appleTransaction({ appAccountToken: token.toUpperCase() }));
      const refused = await submit(other, signed);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, "purchase_not_yours");
      assert.equal(await PurchaseModel.countDocuments({}), 0);
      const ok = await submit(buyer, signed);
      assert.equal(ok.body.credited, true);
      assert.equal(ok.body.wallet.balances.diamonds, 10);
    });

    it("refuses another root, a wrong bundle id, a leaf without Apple's OID and an unknown product", async () => {
      const buyer = await createUser();
      for (const signed of [
        makeTestChain({ name: "Intruder" }).sign(appleTransaction()),
        appleChain().sign(appleTransaction({ bundleId: "com.someone.else" })),
        makeTestChain({ leafOid: false }).sign(appleTransaction()),
      ]) {
        const res = await submit(buyer, signed);
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, "invalid_apple_signature");
      }
      assert.equal((await submit(buyer, appleChain().sign(appleTransaction({ productId: "limelight.unknown" })))).body.error.code, "product_not_found");
      assert.equal((await submit(buyer, "not-a-jws")).status, 400);
      assert.equal(await PurchaseModel.countDocuments({}), 0);
    });

    it("a REFUND notification claws back spent diamonds (negative, flagged); one before the app sent it blocks the credit", async () => {
      const buyer = await createUser();
      const tx = appleTransaction();
      await submit(buyer, appleChain().sign(tx));
      await transfer({ id: `spend:${buyer.id}`, debit: { userId: buyer.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 10, reason: "premium_choice" });
      const refunded = appleChain().sign({ ...tx, revocationDate: Date.now(), revocationReason: 0, revocationType: "REFUND_FULL" });
      const note = appleChain().sign(appleNotification("REFUND", refunded));
      assert.deepEqual((await appleNotify(note)).body, { received: true, outcome: "clawed_back" });
      assert.equal((await appleNotify(note)).status, 200); // Apple retries: nothing more is taken
      const wallet = await balances(buyer);
      assert.equal(wallet.diamonds, -10);
      assert.equal(wallet.flagged, true);

      const forged = makeTestChain({ name: "Intruder" }).sign(appleNotification("REFUND", refunded));
      assert.equal((await appleNotify(forged)).status, 400);

      const later = appleTransaction();
      const revoked = appleChain().sign({ ...later, revocationDate: Date.now() });
      assert.equal((await appleNotify(appleChain().sign(appleNotification("REVOKE", revoked)))).body.outcome, "refund_recorded");
      const stale = await submit(buyer, appleChain().sign(later)); // the pre-refund JWS the device still holds
      assert.equal(stale.status, 409);
      assert.equal(stale.body.error.code, "purchase_revoked");
      assert.equal((await balances(buyer)).diamonds, -10);
    });
  });

  it("a provider without its configuration answers 503 provider_not_configured and writes nothing", async () => {
    const user = await createUser();
    const off = withConfig({ STRIPE_SECRET_KEY: undefined, STRIPE_WEBHOOK_SECRET: undefined, APPLE_ROOT_CERTS: undefined, APPLE_BUNDLE_ID: undefined });
    try {
      const calls = [
        api("POST", "/api/v1/payments/stripe/checkout", { token: user.token, body: { product_id: "tokens_100" } }),
        stripeWebhook(stripeEvent("checkout.session.completed", { id: "cs_1" })),
        api("POST", "/api/v1/purchases/apple", { token: user.token, body: { signed_transaction: appleChain().sign(appleTransaction()) } }),
        appleNotify(appleChain().sign(appleNotification("REFUND", appleChain().sign(appleTransaction())))),
      ];
      for (const res of await Promise.all(calls)) {
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.equal(res.body.error.code, "provider_not_configured");
      }
    } finally {
      off();
    }
    assert.equal(await PaymentOrderModel.countDocuments({}), 0);
    assert.equal(await PurchaseModel.countDocuments({}), 0);
  });

  describe("Development provider", () => {
    it("grants instantly, once per Idempotency-Key; absent in production", async () => {
      const user = await createUser();
      const before = await balances(user);
      const grant = (key?: string) => api("POST", "/api/v1/purchases/dev", { token: user.token, body: { product_id: "diamonds_10" }, headers: key ? { "idempotency-key": key } : {} });
      assert.equal((await grant("dev-key-0001")).body.credited, true);
      assert.equal((await grant("dev-key-0001")).body.credited, false);
      assert.equal((await grant()).body.credited, true);
      assert.equal((await balances(user)).diamonds, before.diamonds + 20);
      const production = withConfig({ NODE_ENV: "production", JWT_SECRET: "p".repeat(40), RAZORPAY_API_BASE: "https://api.razorpay.com", STRIPE_API_BASE: undefined });
      try {
        const res = await grant("dev-key-0002");
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, "route_not_found");
        assert.equal((await api("GET", "/api/v1/store/products")).body.providers.dev, false);
      } finally {
        production();
      }
      assert.equal((await balances(user)).diamonds, before.diamonds + 20);
    });
  });
});
