import { z } from "zod";
import { config } from "../config";
import { logger } from "../logger";
import { clock } from "../shared/clock";
import { ConflictError, ValidationError } from "../shared/errors";
import { newId } from "../shared/ids";
import { parseOrThrow } from "../http/validate";
import { verifyAppleTransaction, appleProvider } from "./apple.provider";
import { PaymentOrderModel } from "./payment.model";
import { appAccountTokenFor, type ProviderName } from "./payments.rules";
import { findProduct, findProductByAppleId, type Product } from "./products";
import type { NotificationInput, PaymentEvent, PaymentProvider } from "./provider";
import { assertRazorpayCheckoutSignature, createRazorpayOrder, razorpayProvider } from "./razorpay.provider";
import { createStripeCheckoutSession, stripeProvider } from "./stripe.provider";
import { clawBackPurchase, creditPurchase, findPurchase, recordRevokedBeforeCredit, type CreditOutcome } from "./purchases.service";
import { paymentErrors } from "./payment.errors";

/**
 * Purchases and payments: the flows REST and other features call. Providers verify and translate;
 * this decides what a verified event does (credit once, claw back, hand to another feature).
 */
export const PROVIDERS: Record<Exclude<ProviderName, "dev">, PaymentProvider> = {
  razorpay: razorpayProvider,
  stripe: stripeProvider,
  apple: appleProvider,
};

export interface PaymentOrder {
  _id: string;
  provider: ProviderName;
  order_id: string;
  user_id: string;
  purpose: string;
  ref: string | null;
  product_id: string | null;
  amount: number;
  currency: string;
  status: "created" | "paid";
  payment_id: string | null;
  created_at: Date;
  paid_at: Date | null;
}

/**
 * What another feature does when a payment for one of its orders is captured (and, optionally,
 * refunded). Handlers must be idempotent on the payment id: the checkout verify call and the
 * webhook both deliver, in either order, possibly at once, possibly more than once.
 */
export interface PaymentPurposeHandler {
  onCaptured(order: PaymentOrder, paymentId: string): Promise<unknown>;
  onRefunded?(order: PaymentOrder, event: Extract<PaymentEvent, { type: "refunded" }>): Promise<void>;
}

const purposes = new Map<string, PaymentPurposeHandler>();

export function registerPaymentPurpose(purpose: string, handler: PaymentPurposeHandler): void {
  if (purposes.has(purpose)) throw new Error(`payment purpose ${purpose} is already registered`);
  purposes.set(purpose, handler);
}

const PRODUCT_PURPOSE = "product";

function productOf(order: PaymentOrder): Product {
  const product = order.product_id ? findProduct(order.product_id) : undefined;
  if (!product) throw new Error(`order ${order._id} names no known product`);
  return product;
}

registerPaymentPurpose(PRODUCT_PURPOSE, {
  onCaptured: (order, paymentId): Promise<CreditOutcome> =>
    creditPurchase({ provider: order.provider, txnId: paymentId, userId: order.user_id, product: productOf(order), orderId: order.order_id, paid: { amount: order.amount, currency: order.currency } }),
});

export function requireProduct(productId: string): Product {
  const product = findProduct(productId);
  if (!product) throw paymentErrors.productNotFound(productId);
  return product;
}

function notSoldHere(product: Product, provider: ProviderName): ValidationError {
  return paymentErrors.productNotSoldHere(`${product.id} is not sold through ${provider}.`, { provider });
}

const orderKey = (provider: ProviderName, orderId: string) => `${provider}:${orderId}`;

type NewOrder = Pick<PaymentOrder, "provider" | "order_id" | "user_id" | "purpose" | "ref" | "product_id" | "amount" | "currency">;

async function recordOrder(o: NewOrder): Promise<void> {
  await PaymentOrderModel.create({ ...o, _id: orderKey(o.provider, o.order_id), status: "created", created_at: clock.now() });
}

async function findOrder(provider: ProviderName, orderId: string): Promise<PaymentOrder | null> {
  return PaymentOrderModel.findById(orderKey(provider, orderId)).lean<PaymentOrder>();
}

// ---- Razorpay -------------------------------------------------------------------------------

const paymentOrderInput = z.object({
  userId: z.string().min(1),
  // Razorpay's minimum order is ₹1; its default per-transaction ceiling is ₹5,00,000
  amount: z.number().int().min(100).max(50_000_000),
  currency: z.literal("inr"),
  purpose: z.string().regex(/^[a-z0-9_]{1,32}$/),
  ref: z.string().min(1).max(200).optional(),
  productId: z.string().optional(),
});
export type PaymentOrderInput = z.input<typeof paymentOrderInput>;

export interface CreatedOrder {
  order_id: string;
  amount: number;
  currency: "inr";
  key_id: string;
}

/**
 * A Razorpay order for an arbitrary amount in paise, for `purpose` (e.g. an escrow payment; the
 * feature registers a PaymentPurposeHandler for it). The client opens Razorpay Checkout with it.
 */
export async function createPaymentOrder(input: PaymentOrderInput): Promise<CreatedOrder> {
  const p = parseOrThrow(paymentOrderInput, input, "payment_order");
  if (!purposes.has(p.purpose)) throw paymentErrors.unknownPurpose(p.purpose);
  const notes: Record<string, string> = { user_id: p.userId, purpose: p.purpose, ...(p.ref && { ref: p.ref.slice(0, 256) }) };
  const order = await createRazorpayOrder({ amount: p.amount, receipt: newId(), notes });
  await recordOrder({ provider: "razorpay", order_id: order.id, user_id: p.userId, purpose: p.purpose, ref: p.ref ?? null, product_id: p.productId ?? null, amount: p.amount, currency: "inr" });
  return { order_id: order.id, amount: p.amount, currency: "inr", key_id: order.keyId };
}

export async function createProductOrder(userId: string, productId: string): Promise<CreatedOrder> {
  const product = requireProduct(productId);
  const price = product.prices.razorpay;
  if (!price) throw notSoldHere(product, "razorpay");
  return createPaymentOrder({ userId, amount: price.amount, currency: "inr", purpose: PRODUCT_PURPOSE, ref: `product:${product.id}`, productId: product.id });
}

/**
 * Mark the order paid by this payment and hand it to its purpose. Idempotent: the same payment
 * again is a no-op mark and an idempotent handler; a different payment for a paid order is refused
 * (two successful payments for one order: left to a refund, never credited twice).
 */
async function settle(order: PaymentOrder, paymentId: string): Promise<unknown> {
  const marked = await PaymentOrderModel.updateOne(
    { _id: order._id, $or: [{ status: "created" }, { payment_id: paymentId }] },
    { $set: { status: "paid", payment_id: paymentId, paid_at: clock.now() } },
  );
  if (marked.matchedCount === 0) {
    logger.warn({ order: order._id, paymentId }, "a second payment for an already paid order");
    throw paymentErrors.orderAlreadyPaid();
  }
  const handler = purposes.get(order.purpose);
  if (!handler) {
    logger.error({ order: order._id, purpose: order.purpose }, "payment for a purpose nobody handles");
    return undefined;
  }
  return handler.onCaptured({ ...order, status: "paid", payment_id: paymentId }, paymentId);
}

export interface VerifiedPayment {
  order: PaymentOrder;
  payment_id: string;
  /** what the purpose's handler returned (for products: CreditOutcome) */
  result: unknown;
}

/**
 * The Checkout handler's `razorpay_signature` proves the payment for this order succeeded; the
 * order is then settled. With `userId`, the order must be that user's (REST); features may omit it.
 */
export async function verifyPayment(
  p: { order_id: string; payment_id: string; signature: string },
  only: { userId?: string; purpose?: string } = {},
): Promise<VerifiedPayment> {
  assertRazorpayCheckoutSignature({ orderId: p.order_id, paymentId: p.payment_id, signature: p.signature });
  const order = await findOrder("razorpay", p.order_id);
  const hidden = !order || (only.userId !== undefined && order.user_id !== only.userId) || (only.purpose !== undefined && order.purpose !== only.purpose);
  if (hidden) throw paymentErrors.orderNotFound();
  return { order, payment_id: p.payment_id, result: await settle(order, p.payment_id) };
}

export async function verifyProductPayment(userId: string, p: { order_id: string; payment_id: string; signature: string }): Promise<CreditOutcome> {
  return (await verifyPayment(p, { userId, purpose: PRODUCT_PURPOSE })).result as CreditOutcome;
}

// ---- Stripe ---------------------------------------------------------------------------------

export async function startStripeCheckout(userId: string, productId: string): Promise<{ session_id: string; url: string }> {
  const product = requireProduct(productId);
  const price = product.prices.stripe;
  if (!price) throw notSoldHere(product, "stripe");
  const session = await createStripeCheckoutSession({ product, userId, orderRef: newId() });
  await recordOrder({ provider: "stripe", order_id: session.id, user_id: userId, purpose: PRODUCT_PURPOSE, ref: `product:${product.id}`, product_id: product.id, amount: price.amount, currency: price.currency });
  return { session_id: session.id, url: session.url };
}

// ---- App Store ------------------------------------------------------------------------------

const APPLE_MAX_QUANTITY = 10; // StoreKit's limit for one consumable purchase

export async function purchaseWithApple(userId: string, signedTransaction: string): Promise<CreditOutcome> {
  const t = await verifyAppleTransaction(signedTransaction);
  const product = findProductByAppleId(t.productId);
  if (!product) throw paymentErrors.appStoreProductNotFound(t.productId);
  if (!t.consumable) throw paymentErrors.unsupportedProductType();
  if (t.revoked) throw paymentErrors.purchaseRevoked({ provider: "apple" });
  if (!Number.isInteger(t.quantity) || t.quantity < 1 || t.quantity > APPLE_MAX_QUANTITY) throw paymentErrors.invalidAppleTransaction("Bad quantity.");
  // bought for another account (apps that set no token are credited to whoever sends it first)
  if (t.appAccountToken !== undefined && t.appAccountToken !== appAccountTokenFor(userId)) {
    throw paymentErrors.purchaseNotYours();
  }
  return creditPurchase({ provider: "apple", txnId: t.transactionId, userId, product, quantity: t.quantity });
}

// ---- Development ----------------------------------------------------------------------------

/** Instant grants for development; absent (404) in production. */
export async function purchaseDev(userId: string, productId: string, idempotencyKey?: string): Promise<CreditOutcome> {
  if (config().NODE_ENV === "production") throw paymentErrors.routeNotFound();
  const product = requireProduct(productId);
  return creditPurchase({ provider: "dev", txnId: `${userId}:${idempotencyKey ?? newId()}`, userId, product });
}

// ---- Webhooks and server notifications --------------------------------------------------------

export type NotificationOutcome = "credited" | "already_credited" | "clawed_back" | "refund_recorded" | "handled" | "ignored";

/** Verify and act on one provider notification. Throws (4xx/5xx → the provider redelivers) when it cannot be acted on yet. */
export async function handleNotification(provider: keyof typeof PROVIDERS, input: NotificationInput): Promise<NotificationOutcome> {
  const event = await PROVIDERS[provider].parseNotification!(input);
  if (event.type === "ignored") return "ignored";
  if (event.type === "captured") return onCaptured(event);
  return onRefunded(event);
}

const DUPLICATE_PAYMENT = Symbol("duplicate payment");

/**
 * A webhook for a second payment of an already paid order is acknowledged (logged by settle, left
 * to a manual refund): answering an error would only make the provider redeliver it for a day.
 */
async function settleFromWebhook(order: PaymentOrder, paymentId: string): Promise<unknown> {
  try {
    return await settle(order, paymentId);
  } catch (err) {
    if (err instanceof ConflictError && err.code === "order_already_paid") return DUPLICATE_PAYMENT;
    throw err;
  }
}

async function onCaptured(event: Extract<PaymentEvent, { type: "captured" }>): Promise<NotificationOutcome> {
  const order = await findOrder(event.provider, event.orderId);
  if (!order) {
    logger.warn({ provider: event.provider, order: event.orderId }, "capture for an order we did not create");
    return "ignored";
  }
  if (event.amount !== order.amount || event.currency.toLowerCase() !== order.currency) {
    logger.error({ order: order._id, paid: { amount: event.amount, currency: event.currency }, expected: { amount: order.amount, currency: order.currency } }, "captured amount differs from the order; not credited");
    return "ignored";
  }
  const result = await settleFromWebhook(order, event.txnId);
  if (result === DUPLICATE_PAYMENT) return "ignored";
  if (order.purpose !== PRODUCT_PURPOSE) return "handled";
  return (result as CreditOutcome).credited ? "credited" : "already_credited";
}

async function onRefunded(event: Extract<PaymentEvent, { type: "refunded" }>): Promise<NotificationOutcome> {
  let purchase = await findPurchase(event.provider, event.txnId);
  if (!purchase && event.orderId) {
    // the refund overtook the capture webhook (or the capture was never delivered): settle first
    const order = await findOrder(event.provider, event.orderId);
    if (order && order.purpose !== PRODUCT_PURPOSE) {
      await purposes.get(order.purpose)?.onRefunded?.(order, event);
      return "handled";
    }
    if (!order) return "ignored"; // a payment of another integration on the same account
    // a second payment for a paid order was never credited: its refund takes nothing back
    if ((await settleFromWebhook(order, event.txnId)) === DUPLICATE_PAYMENT) return "ignored";
    purchase = await findPurchase(event.provider, event.txnId);
  }
  if (!purchase && event.provider === "apple") {
    // revoked before the app sent it: remember, so it can never be credited
    if (await recordRevokedBeforeCredit("apple", event.txnId)) return "refund_recorded";
    purchase = await findPurchase(event.provider, event.txnId);
  }
  if (!purchase) {
    // e.g. Stripe's charge.refunded before checkout.session.completed: not yet known, so ask for redelivery
    throw paymentErrors.paymentNotSettled();
  }
  await clawBackPurchase(purchase, event);
  return "clawed_back";
}
