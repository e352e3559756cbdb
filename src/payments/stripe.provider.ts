import Stripe from "stripe";
import { config, type Config } from "../config";
import { clock } from "../shared/clock";
import { headerValue, notConfigured, providerError, type NotificationInput, type PaymentEvent, type PaymentProvider } from "./provider";
import type { Product } from "./products";
import { paymentErrors } from "./payment.errors";

/** Stripe (token packs): hosted Checkout Sessions through the `stripe` SDK; webhooks verified by it. */
const REQUEST_TIMEOUT_MS = 10_000; // a hung API must fail the request, not hold it
const WEBHOOK_TOLERANCE_SECONDS = 300; // Stripe's default: an older signed event is a replay

const clients = new WeakMap<Config, Stripe>();

function client(): Stripe {
  const c = config();
  if (!c.STRIPE_SECRET_KEY) throw notConfigured("stripe");
  let stripe = clients.get(c);
  if (!stripe) {
    const base = c.STRIPE_API_BASE ? new URL(c.STRIPE_API_BASE) : undefined;
    stripe = new Stripe(c.STRIPE_SECRET_KEY, {
      timeout: REQUEST_TIMEOUT_MS,
      maxNetworkRetries: 2, // the SDK sends an idempotency key, so a retry cannot create two sessions
      telemetry: false,
      ...(base && {
        host: base.hostname,
        port: base.port || (base.protocol === "https:" ? 443 : 80),
        protocol: base.protocol === "https:" ? "https" : "http",
      }),
    });
    clients.set(c, stripe);
  }
  return stripe;
}

export async function createStripeCheckoutSession(p: { product: Product; userId: string; orderRef: string }): Promise<{ id: string; url: string }> {
  const price = p.product.prices.stripe;
  if (!price) throw paymentErrors.productNotSoldHere(`${p.product.id} is not sold through Stripe.`);
  const c = config();
  const stripe = client();
  if (!c.STRIPE_SUCCESS_URL) throw notConfigured("stripe");
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [{ quantity: 1, price_data: { currency: price.currency, unit_amount: price.amount, product_data: { name: p.product.title } } }],
        client_reference_id: p.userId,
        metadata: { user_id: p.userId, product_id: p.product.id, order_ref: p.orderRef },
        success_url: c.STRIPE_SUCCESS_URL,
        cancel_url: c.STRIPE_CANCEL_URL ?? c.STRIPE_SUCCESS_URL,
      },
      { idempotencyKey: `checkout:${p.orderRef}` },
    );
  } catch (err) {
    throw providerError("stripe", (err as Error).message);
  }
  if (!session.url) throw providerError("stripe", "the session has no url");
  return { id: session.id, url: session.url };
}

function idOf(ref: string | { id: string } | null | undefined): string | undefined {
  return typeof ref === "string" ? ref : ref?.id;
}

export const stripeProvider: PaymentProvider = {
  name: "stripe",
  isConfigured() {
    const c = config();
    return Boolean(c.STRIPE_SECRET_KEY && c.STRIPE_SUCCESS_URL);
  },
  async parseNotification({ rawBody, headers }: NotificationInput): Promise<PaymentEvent> {
    const secret = config().STRIPE_WEBHOOK_SECRET;
    if (!secret) throw notConfigured("stripe");
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, headerValue(headers, "stripe-signature") ?? "", secret, WEBHOOK_TOLERANCE_SECONDS, undefined, clock.now().getTime());
    } catch (err) {
      throw paymentErrors.invalidSignature(`Stripe-Signature rejected: ${(err as Error).message}`);
    }
    switch (event.type) {
      case "checkout.session.completed":
      case "checkout.session.async_payment_succeeded": {
        const session = event.data.object;
        const paymentIntent = idOf(session.payment_intent);
        // "unpaid" completions (delayed methods) are credited by async_payment_succeeded later
        if (session.payment_status !== "paid" || !paymentIntent) return { type: "ignored", provider: "stripe", reason: `session ${session.payment_status}` };
        return { type: "captured", provider: "stripe", txnId: paymentIntent, orderId: session.id, amount: session.amount_total ?? -1, currency: session.currency ?? "" };
      }
      case "charge.refunded": {
        const charge = event.data.object;
        const paymentIntent = idOf(charge.payment_intent);
        if (!paymentIntent) return { type: "ignored", provider: "stripe", reason: "charge without payment intent" };
        return { type: "refunded", provider: "stripe", txnId: paymentIntent, refunded: charge.amount_refunded, of: charge.amount, reason: "refund" };
      }
      case "charge.dispute.funds_withdrawn": {
        const paymentIntent = idOf(event.data.object.payment_intent);
        if (!paymentIntent) return { type: "ignored", provider: "stripe", reason: "dispute without payment intent" };
        return { type: "refunded", provider: "stripe", txnId: paymentIntent, reason: "chargeback" };
      }
      default:
        return { type: "ignored", provider: "stripe", reason: `event ${event.type}` };
    }
  },
};
