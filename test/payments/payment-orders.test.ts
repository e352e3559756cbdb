import assert from "node:assert/strict";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { api } from "../support/http";
import { createPaymentOrder, registerPaymentPurpose, verifyPayment, type PaymentOrder } from "../../src/payments";
import { DomainError } from "../../src/shared/errors";
import {
  razorpayCaptured,
  razorpayRefunded,
  razorpaySignature,
  razorpayWebhookHeaders,
  usePaymentProviders,
} from "../support/payments";

const captured: Array<{ order: PaymentOrder; paymentId: string }> = [];
const refunded: string[] = [];
// another feature's purpose, as negotiation escrow will register one
registerPaymentPurpose("test_escrow", {
  onCaptured: async (order, paymentId) => {
    captured.push({ order, paymentId });
    return { escrowed: order.amount };
  },
  onRefunded: async (order) => {
    refunded.push(order.order_id);
  },
});

describe("Payment orders for other features (createPaymentOrder / verifyPayment)", () => {
  const providers = usePaymentProviders();
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
    captured.length = 0;
    refunded.length = 0;
  });

  it("an arbitrary amount for a purpose: verify and the webhook both hand it to the purpose's handler", async () => {
    const payer = await createUser();
    const order = await createPaymentOrder({ userId: payer.id, amount: 2_500_00, currency: "inr", purpose: "test_escrow", ref: "campaign:42" });
    assert.equal(order.amount, 250_000);
    assert.deepEqual(JSON.parse(providers.razorpay.requests.at(-1)!.body).notes, { user_id: payer.id, purpose: "test_escrow", ref: "campaign:42" });

    const verified = await verifyPayment({ order_id: order.order_id, payment_id: "pay_e", signature: razorpaySignature(order.order_id, "pay_e") });
    assert.deepEqual(verified.result, { escrowed: 250_000 });
    assert.equal(captured[0]!.order.ref, "campaign:42");
    assert.equal(captured[0]!.order.user_id, payer.id);
    const raw = razorpayCaptured({ orderId: order.order_id, paymentId: "pay_e", amount: 250_000 });
    const hook = await api("POST", "/api/v1/payments/razorpay/webhook", { rawBody: raw, headers: razorpayWebhookHeaders(raw) });
    assert.deepEqual(hook.body, { received: true, outcome: "handled" });
    assert.deepEqual(captured.map((c) => c.paymentId), ["pay_e", "pay_e"]);
    // REST verify is for product orders only
    const rest = await api("POST", "/api/v1/payments/razorpay/verify", { token: payer.token, body: { razorpay_order_id: order.order_id, razorpay_payment_id: "pay_e", razorpay_signature: razorpaySignature(order.order_id, "pay_e") } });
    assert.equal(rest.status, 404);
    assert.equal(captured.length, 2, "a refused REST verify does not reach the purpose's handler");

    const refund = razorpayRefunded({ orderId: order.order_id, paymentId: "pay_e", amount: 250_000, refundId: "rfnd_e", refunded: 250_000 });
    assert.equal((await api("POST", "/api/v1/payments/razorpay/webhook", { rawBody: refund, headers: razorpayWebhookHeaders(refund) })).body.outcome, "handled");
    assert.deepEqual(refunded, [order.order_id]);
  });

  it("refuses fractional or tiny amounts, other currencies and purposes nobody handles", async () => {
    const payer = await createUser();
    const sent = providers.razorpay.requests.length;
    const bad = async (input: any, code: string) => {
      await assert.rejects(createPaymentOrder(input), (err: unknown) => err instanceof DomainError && err.code === code);
    };
    await bad({ userId: payer.id, amount: 100.5, currency: "inr", purpose: "test_escrow" }, "invalid_payment_order");
    await bad({ userId: payer.id, amount: 99, currency: "inr", purpose: "test_escrow" }, "invalid_payment_order");
    await bad({ userId: payer.id, amount: 1000, currency: "usd", purpose: "test_escrow" }, "invalid_payment_order");
    await bad({ userId: payer.id, amount: 1000, currency: "inr", purpose: "nobody" }, "unknown_purpose");
    assert.equal(providers.razorpay.requests.length, sent, "nothing reached Razorpay");
  });
});
