import { z } from "zod";
import { responseOf } from "../http/response-schema";
import { walletResponse } from "../economy/economy.responses";
import type { Product } from "./products";
import type * as payments from "./payments.service";

/** Response schemas of /api/v1/store, /payments and /purchases, tied to the services' output (src/http/response-schema.ts). */
const grant = z.object({ currency: z.enum(["tokens", "diamonds"]), amount: z.number().int().min(1) }).strict();

const product = responseOf<Product>()(
  z
    .object({
      id: z.string(),
      title: z.string(),
      grants: grant,
      prices: z
        .object({
          razorpay: z.object({ amount: z.number().int(), currency: z.literal("inr") }).strict().optional().meta({ description: "paise" }),
          stripe: z.object({ amount: z.number().int(), currency: z.literal("usd") }).strict().optional().meta({ description: "cents" }),
          apple: z.object({ product_id: z.string() }).strict().optional().meta({ description: "priced in App Store Connect" }),
        })
        .strict(),
    })
    .strict(),
);

export const catalogResponse = z
  .object({
    items: z.array(product),
    providers: z.object({ dev: z.boolean().meta({ description: "POST /purchases/dev exists (not in production)" }) }).catchall(z.boolean()).meta({ description: "which providers are configured here" }),
  })
  .strict()
  .meta({
    id: "StoreCatalog",
    example: {
      items: [{ id: "tokens_100", title: "100 tokens", grants: { currency: "tokens", amount: 100 }, prices: { razorpay: { amount: 7900, currency: "inr" }, stripe: { amount: 99, currency: "usd" } } }],
      providers: { razorpay: true, stripe: true, apple: false, dev: true },
    },
  });
responseOf<{ items: Product[]; providers: { dev: boolean } }>()(catalogResponse);

export const createdOrderResponse = responseOf<payments.CreatedOrder>()(
  z
    .object({ order_id: z.string(), amount: z.number().int().meta({ description: "paise" }), currency: z.literal("inr"), key_id: z.string().meta({ description: "for Razorpay Checkout" }) })
    .strict()
    .meta({ id: "RazorpayOrder", example: { order_id: "order_Nz1x2y3", amount: 7900, currency: "inr", key_id: "rzp_live_abc" } }),
);

export const creditOutcomeResponse = responseOf<Awaited<ReturnType<typeof payments.purchaseDev>>>()(
  z
    .object({
      credited: z.boolean().meta({ description: "false when this purchase was already credited (a retry, or the webhook first)" }),
      purchase: z
        .object({
          id: z.string(),
          provider: z.enum(["razorpay", "stripe", "apple", "dev"]),
          product_id: z.string().nullable(),
          status: z.enum(["credited", "partially_refunded", "refunded", "revoked"]),
          grant,
          clawed_back: z.number().int().min(0),
          created_at: z.iso.datetime(),
        })
        .strict(),
      wallet: walletResponse,
    })
    .strict()
    .meta({
      id: "CreditOutcome",
      example: { credited: true, purchase: { id: "dev:1", provider: "dev", product_id: "tokens_100", status: "credited", grant: { currency: "tokens", amount: 100 }, clawed_back: 0, created_at: "2026-01-01T12:00:00.000Z" } },
    }),
);

export const checkoutResponse = responseOf<Awaited<ReturnType<typeof payments.startStripeCheckout>>>()(
  z.object({ session_id: z.string(), url: z.url() }).strict().meta({ id: "StripeCheckout", example: { session_id: "cs_test_a1b2", url: "https://checkout.stripe.com/c/pay/cs_test_a1b2" } }),
);

export const notificationAckResponse = responseOf<{ received: boolean; outcome: payments.NotificationOutcome }>()(
  z
    .object({ received: z.boolean(), outcome: z.enum(["credited", "already_credited", "clawed_back", "refund_recorded", "handled", "ignored"]) })
    .strict()
    .meta({ id: "NotificationAck", example: { received: true, outcome: "credited" } }),
);

export const appAccountTokenResponse = responseOf<{ app_account_token: string }>()(
  z.object({ app_account_token: z.uuid() }).strict().meta({ id: "AppAccountToken", example: { app_account_token: "7c9e6679-7425-40de-944b-e07fc1f90ae7" } }),
);
