import { createServer, type IncomingMessage, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { config, parseConfig, setConfig } from "../../src/config";
import { hmacSha256Hex } from "../../src/payments/payments.rules";
import { makeTestChain, TEST_BUNDLE_ID, type TestChain } from "./apple-chain";

/** Test secrets for every provider; the API bases point at local stand-ins started per test file. */
export const RAZORPAY_KEY_ID = "rzp_test_limelight";
export const RAZORPAY_KEY_SECRET = "rzp_secret_" + "k".repeat(16);
export const RAZORPAY_WEBHOOK_SECRET = "rzp_webhook_" + "w".repeat(16);
export const STRIPE_SECRET_KEY = "sk_test_limelight";
export const STRIPE_WEBHOOK_SECRET = "whsec_" + "s".repeat(24);

let activeEnv: Record<string, string | undefined> | undefined;

/** Replace the process configuration with `env` on top of the current one (nestable); returns the restore. */
export function withConfig(env: Record<string, string | undefined>): () => void {
  const previous = { config: config(), env: activeEnv };
  const merged: Record<string, string | undefined> = { ...(activeEnv ?? process.env) };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  setConfig(parseConfig(merged)); // throws on a bad combination, leaving the current one in place
  activeEnv = merged;
  return () => {
    setConfig(previous.config);
    activeEnv = previous.env;
  };
}

export interface StandIn {
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingMessage["headers"]; body: string }>;
  /** the next response, once (status + JSON body); otherwise the stand-in answers like the provider */
  failNext(status: number, body: unknown): void;
  close(): Promise<void>;
}

async function standIn(answer: (path: string, body: string) => { status: number; body: unknown }): Promise<StandIn> {
  const requests: StandIn["requests"] = [];
  let failure: { status: number; body: unknown } | undefined;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const out = failure ?? answer(req.url ?? "", body);
      failure = undefined;
      res.writeHead(out.status, { "content-type": "application/json" });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, body) {
      failure = { status, body };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Answers POST /v1/orders the way Razorpay does. */
export function razorpayStandIn(): Promise<StandIn> {
  return standIn((path, raw) => {
    if (path !== "/v1/orders") return { status: 404, body: { error: { code: "BAD_REQUEST_ERROR", description: "The requested URL was not found on the server." } } };
    const req = JSON.parse(raw);
    return {
      status: 200,
      body: { id: "order_" + randomBytes(7).toString("hex"), entity: "order", amount: req.amount, amount_paid: 0, amount_due: req.amount, currency: req.currency, receipt: req.receipt, status: "created", attempts: 0, notes: req.notes, created_at: Math.floor(Date.now() / 1000) },
    };
  });
}

/** Answers POST /v1/checkout/sessions the way Stripe does (form-encoded request, JSON response). */
export function stripeStandIn(): Promise<StandIn> {
  return standIn((path, raw) => {
    if (path !== "/v1/checkout/sessions") return { status: 404, body: { error: { type: "invalid_request_error", message: "Unrecognized request URL" } } };
    const form = new URLSearchParams(raw);
    const id = "cs_test_" + randomBytes(12).toString("hex");
    return {
      status: 200,
      body: {
        id,
        object: "checkout.session",
        mode: "payment",
        amount_total: Number(form.get("line_items[0][price_data][unit_amount]")),
        currency: form.get("line_items[0][price_data][currency]"),
        client_reference_id: form.get("client_reference_id"),
        metadata: { user_id: form.get("metadata[user_id]"), product_id: form.get("metadata[product_id]") },
        payment_status: "unpaid",
        status: "open",
        url: `https://checkout.stripe.com/c/pay/${id}`,
      },
    };
  });
}

export function razorpaySignature(orderId: string, paymentId: string, secret = RAZORPAY_KEY_SECRET): string {
  return hmacSha256Hex(secret, `${orderId}|${paymentId}`);
}

export function razorpayWebhookHeaders(rawBody: string, secret = RAZORPAY_WEBHOOK_SECRET): Record<string, string> {
  return { "x-razorpay-signature": hmacSha256Hex(secret, rawBody) };
}

export function razorpayCaptured(p: { orderId: string; paymentId: string; amount: number }): string {
  return JSON.stringify({
    entity: "event",
    account_id: "acc_test",
    event: "payment.captured",
    contains: ["payment"],
    payload: { payment: { entity: { id: p.paymentId, entity: "payment", amount: p.amount, currency: "INR", status: "captured", order_id: p.orderId, method: "upi", captured: true } } },
    created_at: Math.floor(Date.now() / 1000),
  });
}

export function razorpayRefunded(p: { orderId: string; paymentId: string; amount: number; refundId: string; refunded: number; total?: number }): string {
  return JSON.stringify({
    entity: "event",
    event: "refund.processed",
    contains: ["refund", "payment"],
    payload: {
      refund: { entity: { id: p.refundId, entity: "refund", amount: p.refunded, currency: "INR", payment_id: p.paymentId, status: "processed" } },
      payment: { entity: { id: p.paymentId, entity: "payment", amount: p.amount, currency: "INR", status: "refunded", order_id: p.orderId, amount_refunded: p.total ?? p.refunded } },
    },
  });
}

export function stripeSignedEvent(event: object, opts: { secret?: string; timestamp?: number } = {}): { rawBody: string; headers: Record<string, string> } {
  const rawBody = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload: rawBody, secret: opts.secret ?? STRIPE_WEBHOOK_SECRET, timestamp: opts.timestamp });
  return { rawBody, headers: { "stripe-signature": header } };
}

export function stripeEvent(type: string, object: Record<string, unknown>): object {
  return { id: "evt_" + randomBytes(10).toString("hex"), object: "event", api_version: "2025-01-01", created: Math.floor(Date.now() / 1000), type, data: { object }, livemode: false };
}

let chain: TestChain | undefined;
/** One generated chain per test process (key generation is the slow part). */
export function appleChain(): TestChain {
  chain ??= makeTestChain();
  return chain;
}

/** Every provider configured against `razorpayBase` / `stripeBase` and the test Apple chain. */
export function allProvidersEnv(p: { razorpayBase?: string; stripeBase?: string } = {}): Record<string, string | undefined> {
  return {
    RAZORPAY_KEY_ID,
    RAZORPAY_KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET,
    RAZORPAY_API_BASE: p.razorpayBase ?? "http://127.0.0.1:9",
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    STRIPE_API_BASE: p.stripeBase ?? "http://127.0.0.1:9",
    STRIPE_SUCCESS_URL: "https://limelight.test/store/done?session_id={CHECKOUT_SESSION_ID}",
    APPLE_ROOT_CERTS: appleChain().rootBase64,
    APPLE_BUNDLE_ID: TEST_BUNDLE_ID,
    APPLE_ENVIRONMENT: "Sandbox",
  };
}

/**
 * Mocha hooks for a spec: Razorpay- and Stripe-like servers started in `before`, every provider
 * configured against them, all undone in `after`. Read the stand-ins through the returned object.
 */
export function usePaymentProviders(): { razorpay: StandIn; stripe: StandIn } {
  const ctx = {} as { razorpay: StandIn; stripe: StandIn };
  let restore: (() => void) | undefined;
  before(async () => {
    ctx.razorpay = await razorpayStandIn();
    ctx.stripe = await stripeStandIn();
    restore = withConfig(allProvidersEnv({ razorpayBase: ctx.razorpay.url, stripeBase: ctx.stripe.url }));
  });
  after(async () => {
    restore?.();
    await Promise.all([ctx.razorpay?.close(), ctx.stripe?.close()]);
  });
  return ctx;
}
