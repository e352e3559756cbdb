import { z } from "zod";

/** REST bodies of the store, payments and purchases routes. */
const productId = z.string().regex(/^[a-z0-9_]{1,64}$/, "a product id from GET /store/products");

export const productBody = z.object({ product_id: productId }).strict();


// Razorpay ids are short ASCII tokens; signatures are 64 hex characters
const razorpayId = z.string().regex(/^[A-Za-z0-9_]{1,64}$/);
export const razorpayVerifyBody = z
  .object({
    razorpay_order_id: razorpayId,
    razorpay_payment_id: razorpayId,
    razorpay_signature: z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hex characters"),
  })
  .strict();

// a StoreKit JWS with a three-certificate x5c header is a few kB
export const appleTransactionBody = z.object({ signed_transaction: z.string().min(1).max(32_768) }).strict();
