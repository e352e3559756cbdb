import express, { Router, type Request, type RequestHandler } from "express";
import { config } from "../config";
import { principalOf, requireAuth } from "../http/auth";
import { describeRoute, parseOrThrow, validate } from "../http/validate";
import { idempotencyKeySchema } from "../economy/economy.schemas";
import { PRODUCTS } from "./products";
import { appAccountTokenFor } from "./payments.rules";
import { appleTransactionBody, productBody, razorpayVerifyBody } from "./payments.schemas";
import * as payments from "./payments.service";
import { appAccountTokenResponse, catalogResponse, checkoutResponse, createdOrderResponse, creditOutcomeResponse, notificationAckResponse } from "./payments.responses";

const unavailable = { 503: "`provider_not_configured` or `payment_provider_error`." } as const;
const unknownProduct = { 404: "`product_not_found`." } as const;

/** Notifications are verified over the exact bytes received, so these paths get the raw body. */
export const RAW_BODY_PATHS = ["/payments/razorpay/webhook", "/payments/stripe/webhook", "/payments/apple/notifications"];
export const rawBody = express.raw({ type: () => true, limit: "1mb" }); // provider events are a few kB

function notification(req: Request) {
  return { rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers };
}

/** `/api/v1/store`: the catalog, public. */
export function storeRouter(): Router {
  const r = Router();
  r.get("/products", describeRoute({ response: catalogResponse, summary: "The store catalog and which providers are configured" }), (_req, res) => {
    const providers = Object.fromEntries(Object.entries(payments.PROVIDERS).map(([name, p]) => [name, p.isConfigured()]));
    res.json({ items: PRODUCTS, providers: { ...providers, dev: config().NODE_ENV !== "production" } });
  });
  return r;
}

/** `/api/v1/payments`: provider checkouts (authenticated) and provider notifications (signed). */
export function paymentsRouter(): Router {
  const r = Router();
  r.post("/razorpay/orders", requireAuth(), validate({ body: productBody, example: { product_id: "tokens_100" }, response: createdOrderResponse, status: 201, summary: "Open a Razorpay order for a pack (pay with Checkout, then verify)", errors: { ...unknownProduct, ...unavailable } }), async (req, res) => {
    res.status(201).json(await payments.createProductOrder(principalOf(req).userId, res.locals.valid.body.product_id));
  });
  r.post("/razorpay/verify", requireAuth(), validate({ body: razorpayVerifyBody, example: { razorpay_order_id: "order_Nz1x2y3", razorpay_payment_id: "pay_Q1w2e3", razorpay_signature: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, response: creditOutcomeResponse, summary: "Verify a Razorpay payment's signature and credit the pack (once)", errors: { 400: "Invalid body or `invalid_signature`.", 404: "`order_not_found`.", 409: "`order_already_paid` by another payment.", ...unavailable } }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await payments.verifyProductPayment(principalOf(req).userId, { order_id: b.razorpay_order_id, payment_id: b.razorpay_payment_id, signature: b.razorpay_signature });
    res.json(out);
  });
  r.post("/stripe/checkout", requireAuth(), validate({ body: productBody, example: { product_id: "tokens_100" }, response: checkoutResponse, status: 201, summary: "Open a Stripe Checkout session for a pack (credited by the webhook)", errors: { ...unknownProduct, ...unavailable } }), async (req, res) => {
    res.status(201).json(await payments.startStripeCheckout(principalOf(req).userId, res.locals.valid.body.product_id));
  });
  for (const provider of ["razorpay", "stripe"] as const) {
    r.post(`/${provider}/webhook`, describeRoute({ response: notificationAckResponse, summary: `${provider} webhook: a signed provider event (raw body; the signature header decides)`, errors: { 400: "`invalid_signature` or an unreadable event.", 409: "`payment_not_settled`: deliver again later.", ...unavailable } }), async (req, res) => {
      res.json({ received: true, outcome: await payments.handleNotification(provider, notification(req)) });
    });
  }
  r.post("/apple/notifications", describeRoute({ response: notificationAckResponse, summary: "App Store Server Notifications V2 (signed payload)", errors: { 400: "The signed payload does not verify.", ...unavailable } }), async (req, res) => {
    res.json({ received: true, outcome: await payments.handleNotification("apple", notification(req)) });
  });
  return r;
}

/** `/api/v1/purchases`: purchases the client completes itself (App Store) and development grants. */
export function purchasesRouter(): Router {
  const r = Router();
  // the app passes this to StoreKit (Product.PurchaseOption.appAccountToken) so the purchase is bound to the account
  r.get("/apple/account-token", requireAuth(), describeRoute({ response: appAccountTokenResponse, summary: "The appAccountToken to pass to StoreKit for your account" }), (req, res) => {
    res.json({ app_account_token: appAccountTokenFor(principalOf(req).userId) });
  });
  r.post("/apple", requireAuth(), validate({ body: appleTransactionBody, example: { signed_transaction: "eyJhbGciOiJFUzI1NiIsIng1YyI6…" }, response: creditOutcomeResponse, summary: "Credit an App Store purchase from its signed transaction (once)", errors: { 400: "The transaction does not verify.", 403: "`purchase_not_yours`.", 409: "`purchase_revoked` or `purchase_already_used`.", ...unavailable } }), async (req, res) => {
    res.json(await payments.purchaseWithApple(principalOf(req).userId, res.locals.valid.body.signed_transaction));
  });
  // in production the route does not exist: not even a 401 tells a caller it is there
  const devOnly: RequestHandler = (_req, _res, next) => next(config().NODE_ENV === "production" ? "router" : undefined);
  r.post("/dev", devOnly, requireAuth(), validate({ body: productBody, example: { product_id: "tokens_100" }, response: creditOutcomeResponse, summary: "Development only (absent in production): credit a pack without paying; Idempotency-Key makes a retry credit once", errors: unknownProduct }), async (req, res) => {
    // like admin grants: an Idempotency-Key header makes a retried request grant once
    const key = req.get("idempotency-key");
    const idempotencyKey = key === undefined ? undefined : parseOrThrow(idempotencyKeySchema, key, "header");
    res.json(await payments.purchaseDev(principalOf(req).userId, res.locals.valid.body.product_id, idempotencyKey));
  });
  return r;
}
