import assert from "node:assert/strict";
import { validatePaymentVerification, validateWebhookSignature } from "razorpay/dist/utils/razorpay-utils";
import { clawbackTarget, isValidRazorpayCheckoutSignature, isValidRazorpayWebhookSignature, safeEqualHex } from "../../src/payments/payments.rules";
import { assertRazorpayCheckoutSignature, createRazorpayOrder, razorpayProvider } from "../../src/payments/razorpay.provider";
import { stripeProvider, createStripeCheckoutSession } from "../../src/payments/stripe.provider";
import { appleProvider, parseRootCertificates, verifyAppleTransaction } from "../../src/payments/apple.provider";
import { findProduct } from "../../src/payments/products";
import { DomainError } from "../../src/shared/errors";
import { appleNotification, appleTransaction, makeTestChain, TEST_BUNDLE_ID } from "../support/apple-chain";
import {
  appleChain,
  razorpayCaptured,
  razorpayRefunded,
  razorpaySignature,
  razorpayWebhookHeaders,
  RAZORPAY_KEY_ID,
  RAZORPAY_KEY_SECRET,
  stripeEvent,
  stripeSignedEvent,
  withConfig,
  usePaymentProviders,
} from "../support/payments";

async function rejectsWith(p: Promise<unknown> | (() => unknown), code: string): Promise<DomainError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    assert.ok(err instanceof DomainError, `expected a DomainError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

const body = (s: string) => Buffer.from(s, "utf8");

describe("Payment providers: signature verification", () => {
  const providers = usePaymentProviders();

  describe("Razorpay", () => {
    // a vector computed with `openssl dgst -sha256 -hmac`, independent of both implementations
    const VECTOR = { orderId: "order_IEIaMR65cu6nz3", paymentId: "pay_IH4NVgf4Dreq1l", keySecret: "EnLs21M47BllR3X8PSFtjtbd", signature: "0d4e745a1838664ad6c9c9902212a32d627d68e917290b0ad5f08ff4561bc50f" };

    it("checkout signature: the known vector passes, and agrees with the official SDK", () => {
      assert.equal(isValidRazorpayCheckoutSignature(VECTOR), true);
      assert.equal(validatePaymentVerification({ order_id: VECTOR.orderId, payment_id: VECTOR.paymentId }, VECTOR.signature, VECTOR.keySecret), true);
    });

    it("checkout signature: another payment id, another order, a wrong secret or a truncated signature fail", () => {
      assert.equal(isValidRazorpayCheckoutSignature({ ...VECTOR, paymentId: "pay_IH4NVgf4Dreq1m" }), false);
      assert.equal(isValidRazorpayCheckoutSignature({ ...VECTOR, orderId: "order_other" }), false);
      assert.equal(isValidRazorpayCheckoutSignature({ ...VECTOR, keySecret: "wrong" }), false);
      assert.equal(isValidRazorpayCheckoutSignature({ ...VECTOR, signature: VECTOR.signature.slice(0, 63) }), false);
      assert.equal(isValidRazorpayCheckoutSignature({ ...VECTOR, signature: VECTOR.signature.toUpperCase() }), false);
      assert.equal(safeEqualHex("abc", "abd"), false);
    });

    it("the configured key secret is used for the checkout check", async () => {
      assertRazorpayCheckoutSignature({ orderId: "order_1", paymentId: "pay_1", signature: razorpaySignature("order_1", "pay_1") });
      await rejectsWith(() => assertRazorpayCheckoutSignature({ orderId: "order_1", paymentId: "pay_2", signature: razorpaySignature("order_1", "pay_1") }), "invalid_signature");
      await rejectsWith(() => assertRazorpayCheckoutSignature({ orderId: "order_1", paymentId: "pay_1", signature: razorpaySignature("order_1", "pay_1", "another-secret") }), "invalid_signature");
    });

    it("webhook: the raw body's known vector passes and agrees with the SDK; tampered body and wrong secret fail", async () => {
      const raw = '{"entity":"event","event":"payment.captured"}';
      const vector = "14026b4f55f7195cf5fabf2ce57f1344fa969faf1d2cb4352740beb936dd5c18";
      assert.equal(isValidRazorpayWebhookSignature({ rawBody: body(raw), signature: vector, webhookSecret: "whsec_test" }), true);
      assert.equal(validateWebhookSignature(raw, vector, "whsec_test"), true);
      // re-serialised JSON (a space) is a different body
      assert.equal(isValidRazorpayWebhookSignature({ rawBody: body('{"entity": "event","event":"payment.captured"}'), signature: vector, webhookSecret: "whsec_test" }), false);
      assert.equal(isValidRazorpayWebhookSignature({ rawBody: body(raw), signature: vector, webhookSecret: "whsec_other" }), false);

      const captured = razorpayCaptured({ orderId: "order_A", paymentId: "pay_A", amount: 7900 });
      const event = await razorpayProvider.parseNotification!({ rawBody: body(captured), headers: razorpayWebhookHeaders(captured) });
      assert.deepEqual(event, { type: "captured", provider: "razorpay", txnId: "pay_A", orderId: "order_A", amount: 7900, currency: "INR" });
      const tampered = captured.replace('"amount":7900', '"amount":790000');
      await rejectsWith(razorpayProvider.parseNotification!({ rawBody: body(tampered), headers: razorpayWebhookHeaders(captured) }), "invalid_signature");
      await rejectsWith(razorpayProvider.parseNotification!({ rawBody: body(captured), headers: razorpayWebhookHeaders(captured, "not-the-secret") }), "invalid_signature");
      await rejectsWith(razorpayProvider.parseNotification!({ rawBody: body(captured), headers: {} }), "invalid_signature");
    });

    it("webhook: a refund is translated with the cumulative refunded amount", async () => {
      const raw = razorpayRefunded({ orderId: "order_A", paymentId: "pay_A", amount: 7900, refundId: "rfnd_1", refunded: 2000, total: 5000 });
      const event = await razorpayProvider.parseNotification!({ rawBody: body(raw), headers: razorpayWebhookHeaders(raw) });
      assert.deepEqual(event, { type: "refunded", provider: "razorpay", txnId: "pay_A", orderId: "order_A", refunded: 5000, of: 7900, reason: "refund" });
    });

    it("creates an order on the Razorpay-like server with basic auth, amount in paise and our notes", async () => {
      const order = await createRazorpayOrder({ amount: 7900, receipt: "r".repeat(60), notes: { user_id: "u1", purpose: "product" } });
      assert.match(order.id, /^order_/);
      assert.equal(order.amount, 7900);
      assert.equal(order.keyId, RAZORPAY_KEY_ID);
      const req = providers.razorpay.requests.at(-1)!;
      assert.equal(req.method, "POST");
      assert.equal(req.headers.authorization, "Basic " + Buffer.from(`${RAZORPAY_KEY_ID}:${RAZORPAY_KEY_SECRET}`).toString("base64"));
      const sent = JSON.parse(req.body);
      assert.deepEqual(sent, { amount: 7900, currency: "INR", receipt: "r".repeat(40), notes: { user_id: "u1", purpose: "product" } });
    });

    it("a gateway error or an unreachable gateway is payment_provider_error; no keys is provider_not_configured", async () => {
      providers.razorpay.failNext(400, { error: { code: "BAD_REQUEST_ERROR", description: "Authentication failed" } });
      const err = await rejectsWith(createRazorpayOrder({ amount: 100, receipt: "x", notes: {} }), "payment_provider_error");
      assert.match(err.message, /Authentication failed/);
      const unreachable = withConfig({ RAZORPAY_API_BASE: "http://127.0.0.1:9" });
      try {
        await rejectsWith(createRazorpayOrder({ amount: 100, receipt: "x", notes: {} }), "payment_provider_error");
      } finally {
        unreachable();
      }
      const off = withConfig({ RAZORPAY_KEY_ID: undefined, RAZORPAY_KEY_SECRET: undefined, RAZORPAY_WEBHOOK_SECRET: undefined });
      try {
        assert.equal(razorpayProvider.isConfigured(), false);
        await rejectsWith(createRazorpayOrder({ amount: 100, receipt: "x", notes: {} }), "provider_not_configured");
        await rejectsWith(razorpayProvider.parseNotification!({ rawBody: body("{}"), headers: {} }), "provider_not_configured");
      } finally {
        off();
      }
    });
  });

  describe("Stripe", () => {
    const completed = (over: Record<string, unknown> = {}) =>
      stripeEvent("checkout.session.completed", { id: "cs_test_1", object: "checkout.session", payment_status: "paid", amount_total: 99, currency: "usd", payment_intent: "pi_1", ...over });

    it("a validly signed checkout.session.completed is a capture keyed by the payment intent", async () => {
      const { rawBody, headers } = stripeSignedEvent(completed());
      const event = await stripeProvider.parseNotification!({ rawBody: body(rawBody), headers });
      assert.deepEqual(event, { type: "captured", provider: "stripe", txnId: "pi_1", orderId: "cs_test_1", amount: 99, currency: "usd" });
    });

    it("tampered body, wrong secret, stale timestamp and no header are refused", async () => {
      const { rawBody, headers } = stripeSignedEvent(completed());
      await rejectsWith(stripeProvider.parseNotification!({ rawBody: body(rawBody.replace('"amount_total":99', '"amount_total":9900')), headers }), "invalid_signature");
      const wrong = stripeSignedEvent(completed(), { secret: "whsec_someone_else" });
      await rejectsWith(stripeProvider.parseNotification!({ rawBody: body(wrong.rawBody), headers: wrong.headers }), "invalid_signature");
      const stale = stripeSignedEvent(completed(), { timestamp: Math.floor(Date.now() / 1000) - 301 });
      const err = await rejectsWith(stripeProvider.parseNotification!({ rawBody: body(stale.rawBody), headers: stale.headers }), "invalid_signature");
      assert.match(err.message, /tolerance/);
      await rejectsWith(stripeProvider.parseNotification!({ rawBody: body(rawBody), headers: {} }), "invalid_signature");
    });

    it("an unpaid completion is ignored; charge.refunded carries the cumulative refund", async () => {
      const unpaid = stripeSignedEvent(completed({ payment_status: "unpaid" }));
      assert.equal((await stripeProvider.parseNotification!({ rawBody: body(unpaid.rawBody), headers: unpaid.headers })).type, "ignored");
      const refunded = stripeSignedEvent(stripeEvent("charge.refunded", { id: "ch_1", object: "charge", amount: 499, amount_refunded: 200, payment_intent: "pi_1" }));
      assert.deepEqual(await stripeProvider.parseNotification!({ rawBody: body(refunded.rawBody), headers: refunded.headers }), {
        type: "refunded",
        provider: "stripe",
        txnId: "pi_1",
        refunded: 200,
        of: 499,
        reason: "refund",
      });
    });

    it("creates a Checkout Session through the SDK against the stand-in", async () => {
      const session = await createStripeCheckoutSession({ product: findProduct("tokens_550")!, userId: "u1", orderRef: "ref1" });
      assert.match(session.id, /^cs_test_/);
      assert.match(session.url, /^https:\/\/checkout\.stripe\.com\//);
      const req = providers.stripe.requests.at(-1)!;
      assert.equal(req.headers.authorization, "Bearer sk_test_limelight");
      assert.equal(req.headers["idempotency-key"], "checkout:ref1");
      const form = new URLSearchParams(req.body);
      assert.equal(form.get("mode"), "payment");
      assert.equal(form.get("line_items[0][price_data][unit_amount]"), "499");
      assert.equal(form.get("line_items[0][price_data][currency]"), "usd");
      assert.equal(form.get("client_reference_id"), "u1");
      await rejectsWith(createStripeCheckoutSession({ product: findProduct("diamonds_10")!, userId: "u1", orderRef: "ref2" }), "product_not_sold_here");
    });
  });

  describe("App Store", () => {
    it("a transaction signed by the generated chain verifies offline", async () => {
      const tx = appleTransaction();
      const verified = await verifyAppleTransaction(appleChain().sign(tx));
      assert.deepEqual(verified, { transactionId: tx.transactionId, productId: "limelight.diamonds.10", quantity: 1, consumable: true, revoked: false, appAccountToken: undefined, revokedShare: undefined });
    });

    it("refuses a chain from another root, a leaf without Apple's OID, a wrong bundle id, the wrong environment and a tampered payload", async () => {
      await rejectsWith(verifyAppleTransaction(makeTestChain({ name: "Intruder" }).sign(appleTransaction())), "invalid_apple_signature");
      await rejectsWith(verifyAppleTransaction(makeTestChain({ leafOid: false }).sign(appleTransaction())), "invalid_apple_signature");
      const wrongBundle = await rejectsWith(verifyAppleTransaction(appleChain().sign(appleTransaction({ bundleId: "com.other.app" }))), "invalid_apple_signature");
      assert.deepEqual(wrongBundle.details, { status: "INVALID_APP_IDENTIFIER" });
      const wrongEnv = await rejectsWith(verifyAppleTransaction(appleChain().sign(appleTransaction({ environment: "Production" }))), "invalid_apple_signature");
      assert.deepEqual(wrongEnv.details, { status: "INVALID_ENVIRONMENT" });
      const [h, , s] = appleChain().sign(appleTransaction()).split(".");
      const forged = Buffer.from(JSON.stringify(appleTransaction({ quantity: 10 }))).toString("base64url");
      await rejectsWith(verifyAppleTransaction(`${h}.${forged}.${s}`), "invalid_apple_signature");
    });

    it("an unsigned (Xcode / LocalTesting style) transaction is refused, and those environments cannot be configured", async () => {
      const unsigned = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(JSON.stringify(appleTransaction({ environment: "LocalTesting" }))).toString("base64url")}.`;
      await rejectsWith(verifyAppleTransaction(unsigned), "invalid_apple_signature");
      for (const env of ["Xcode", "LocalTesting"]) {
        assert.throws(() => withConfig({ APPLE_ENVIRONMENT: env }), /APPLE_ENVIRONMENT/);
      }
      const production = { NODE_ENV: "production", JWT_SECRET: "x".repeat(32), APPLE_ENVIRONMENT: "Production" };
      assert.throws(() => withConfig(production), /RAZORPAY_API_BASE: must be https in production/);
      const https = { RAZORPAY_API_BASE: "https://api.razorpay.com", STRIPE_API_BASE: undefined };
      assert.throws(() => withConfig({ ...production, ...https }), /APPLE_APP_APPLE_ID: required/);
    });

    it("root certificates are accepted as PEM or base64 DER", () => {
      const chain = appleChain();
      assert.deepEqual(parseRootCertificates(chain.rootPem), parseRootCertificates(chain.rootBase64));
    });

    it("a REFUND notification verifies and names the transaction; other notifications are ignored", async () => {
      const tx = appleTransaction({ revocationDate: Date.now(), revocationReason: 0 });
      const signed = appleChain().sign(appleNotification("REFUND", appleChain().sign(tx)));
      const event = await appleProvider.parseNotification!({ rawBody: body(JSON.stringify({ signedPayload: signed })), headers: {} });
      assert.deepEqual(event, { type: "refunded", provider: "apple", txnId: tx.transactionId, refunded: undefined, of: undefined, reason: "refund" });
      const other = appleChain().sign(appleNotification("CONSUMPTION_REQUEST", appleChain().sign(tx)));
      assert.equal((await appleProvider.parseNotification!({ rawBody: body(JSON.stringify({ signedPayload: other })), headers: {} })).type, "ignored");
      const foreign = makeTestChain({ name: "Intruder" }).sign(appleNotification("REFUND", appleChain().sign(tx)));
      await rejectsWith(appleProvider.parseNotification!({ rawBody: body(JSON.stringify({ signedPayload: foreign })), headers: {} }), "invalid_apple_signature");
      const otherApp = appleChain().sign(appleNotification("REFUND", appleChain().sign(tx), { data: { bundleId: "com.other", environment: "Sandbox", signedTransactionInfo: appleChain().sign(tx) } }));
      await rejectsWith(appleProvider.parseNotification!({ rawBody: body(JSON.stringify({ signedPayload: otherApp })), headers: {} }), "invalid_apple_signature");
      assert.equal(TEST_BUNDLE_ID, "com.limelight.test");
    });
  });

  describe("refund arithmetic", () => {
    it("takes back the refunded share, rounded up, never more than the grant", () => {
      assert.equal(clawbackTarget(100, 7900, 7900), 100);
      assert.equal(clawbackTarget(100, 10_000, 7900), 100);
      assert.equal(clawbackTarget(100, 0, 7900), 0);
      assert.equal(clawbackTarget(100, 3950, 7900), 50);
      assert.equal(clawbackTarget(100, 1, 7900), 1);
      assert.equal(clawbackTarget(550, 200, 499), 221); // 220.44 → 221
      assert.equal(clawbackTarget(10, 50_000, 100_000), 5);
    });
  });
});
