import { z } from "zod";
import { config } from "../config";
import { isValidRazorpayCheckoutSignature, isValidRazorpayWebhookSignature } from "./payments.rules";
import { headerValue, notConfigured, providerError, type NotificationInput, type PaymentEvent, type PaymentProvider } from "./provider";
import { paymentErrors } from "./payment.errors";

/**
 * Razorpay (the marketplace gateway). Orders are plain HTTPS calls to `RAZORPAY_API_BASE`/v1 (the
 * SDK hard-codes its host, so tests could not reach a local stand-in); signatures are HMAC-SHA256,
 * compared in constant time.
 */
const REQUEST_TIMEOUT_MS = 10_000; // a hung gateway must fail the request, not hold it
const RECEIPT_MAX = 40; // Razorpay's limit on `receipt`

function keys() {
  const c = config();
  if (!c.RAZORPAY_KEY_ID || !c.RAZORPAY_KEY_SECRET) throw notConfigured("razorpay");
  return { keyId: c.RAZORPAY_KEY_ID, keySecret: c.RAZORPAY_KEY_SECRET, base: c.RAZORPAY_API_BASE.replace(/\/+$/, "") };
}

const orderResponse = z.object({ id: z.string().min(1), amount: z.number().int(), currency: z.string() });
export type RazorpayOrder = z.infer<typeof orderResponse>;

export async function createRazorpayOrder(p: { amount: number; receipt: string; notes: Record<string, string> }): Promise<RazorpayOrder & { keyId: string }> {
  const { keyId, keySecret, base } = keys();
  let res: Response;
  try {
    res = await fetch(`${base}/v1/orders`, {
      method: "POST",
      headers: {
        authorization: "Basic " + Buffer.from(`${keyId}:${keySecret}`).toString("base64"),
        "content-type": "application/json",
      },
      body: JSON.stringify({ amount: p.amount, currency: "INR", receipt: p.receipt.slice(0, RECEIPT_MAX), notes: p.notes }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    throw providerError("razorpay", (err as Error).message);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const desc = (body as { error?: { description?: string } } | undefined)?.error?.description;
    throw providerError("razorpay", `order creation failed (${res.status}${desc ? `: ${desc}` : ""})`);
  }
  const order = orderResponse.safeParse(body);
  if (!order.success || order.data.amount !== p.amount || order.data.currency !== "INR") {
    throw providerError("razorpay", "unexpected order response");
  }
  return { ...order.data, keyId };
}

/** The Checkout handler's proof that a payment for this order succeeded. */
export function assertRazorpayCheckoutSignature(p: { orderId: string; paymentId: string; signature: string }): void {
  const { keySecret } = keys();
  if (!isValidRazorpayCheckoutSignature({ ...p, keySecret })) {
    throw paymentErrors.invalidSignature("The payment signature does not match this order and payment.");
  }
}

const paymentEntity = z.object({
  id: z.string().min(1),
  order_id: z.string().min(1).nullable().optional(),
  amount: z.number().int().nonnegative(),
  currency: z.string(),
  amount_refunded: z.number().int().nonnegative().optional(),
});
const webhookBody = z.object({
  event: z.string(),
  payload: z
    .object({
      payment: z.object({ entity: paymentEntity }).optional(),
      refund: z.object({ entity: z.object({ id: z.string(), payment_id: z.string(), amount: z.number().int().nonnegative() }) }).optional(),
    })
    .passthrough(),
});

export const razorpayProvider: PaymentProvider = {
  name: "razorpay",
  isConfigured() {
    const c = config();
    return Boolean(c.RAZORPAY_KEY_ID && c.RAZORPAY_KEY_SECRET);
  },
  async parseNotification({ rawBody, headers }: NotificationInput): Promise<PaymentEvent> {
    const secret = config().RAZORPAY_WEBHOOK_SECRET;
    if (!secret) throw notConfigured("razorpay");
    const signature = headerValue(headers, "x-razorpay-signature");
    if (!signature || !isValidRazorpayWebhookSignature({ rawBody, signature, webhookSecret: secret })) {
      throw paymentErrors.invalidSignature("X-Razorpay-Signature does not match the body.");
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString("utf8"));
    } catch {
      throw paymentErrors.malformedBody("The webhook body is not valid JSON.");
    }
    const parsed = webhookBody.safeParse(json);
    if (!parsed.success) return { type: "ignored", provider: "razorpay", reason: "unrecognised_payload" };
    const { event, payload } = parsed.data;
    const payment = payload.payment?.entity;
    if (event === "payment.captured" && payment?.order_id) {
      return { type: "captured", provider: "razorpay", txnId: payment.id, orderId: payment.order_id, amount: payment.amount, currency: payment.currency };
    }
    if (event === "refund.processed" && payload.refund) {
      const refund = payload.refund.entity;
      // the payment entity carries the cumulative refunded amount; without it, this refund alone
      const refunded = payment?.amount_refunded ?? refund.amount;
      return { type: "refunded", provider: "razorpay", txnId: refund.payment_id, orderId: payment?.order_id ?? undefined, refunded, of: payment?.amount, reason: "refund" };
    }
    if (event === "payment.dispute.lost" && payment) {
      return { type: "refunded", provider: "razorpay", txnId: payment.id, orderId: payment.order_id ?? undefined, reason: "chargeback" };
    }
    return { type: "ignored", provider: "razorpay", reason: `event ${event}` };
  },
};
