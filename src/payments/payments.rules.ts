import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Pure payment rules: signature checks, refund arithmetic and the ledger ids that make credits exactly-once. */

export type ProviderName = "razorpay" | "stripe" | "apple" | "dev";

export function hmacSha256Hex(secret: string, data: string | Buffer): string {
  return createHmac("sha256", secret).update(data).digest("hex");
}

/**
 * Constant-time comparison of a hex signature (the Razorpay SDK compares with `===`, which leaks
 * how many leading characters matched). A length mismatch is still compared, against itself.
 */
export function safeEqualHex(expectedHex: string, givenHex: string): boolean {
  const expected = Buffer.from(expectedHex, "utf8");
  const given = Buffer.from(givenHex, "utf8");
  if (expected.length !== given.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(expected, given);
}

/** Razorpay Checkout: HMAC-SHA256 (key secret) of `order_id|payment_id`. */
export function isValidRazorpayCheckoutSignature(p: { orderId: string; paymentId: string; signature: string; keySecret: string }): boolean {
  return safeEqualHex(hmacSha256Hex(p.keySecret, `${p.orderId}|${p.paymentId}`), p.signature);
}

/** Razorpay webhooks: HMAC-SHA256 (webhook secret) of the raw body, exactly as received. */
export function isValidRazorpayWebhookSignature(p: { rawBody: Buffer; signature: string; webhookSecret: string }): boolean {
  return safeEqualHex(hmacSha256Hex(p.webhookSecret, p.rawBody), p.signature);
}

/**
 * How much of a grant a refund takes back: the refunded share of what was paid, rounded up so a
 * string of partial refunds can never leave more than was paid for; never more than the grant.
 */
export function clawbackTarget(grant: number, refunded: number, paid: number): number {
  if (paid <= 0 || refunded <= 0) return 0;
  if (refunded >= paid) return grant;
  return Math.min(grant, Math.ceil((grant * refunded) / paid));
}

/** The ledger transfer id of a purchase credit: the provider's own transaction id makes it exactly-once. */
export function purchaseTransferId(provider: ProviderName, providerTxnId: string): string {
  return `purchase:${provider}:${providerTxnId}`;
}

/** One clawback step per cumulative target, so a replayed refund event takes nothing twice. */
export function clawbackTransferId(provider: ProviderName, providerTxnId: string, target: number): string {
  return `clawback:${provider}:${providerTxnId}:${target}`;
}

/**
 * The App Store `appAccountToken` the app passes to StoreKit for this user: a UUID derived from the
 * user id (UUIDv8, name-based). Apple signs it into the transaction, so a transaction bought for one
 * account cannot be credited to another. Not a secret: knowing it does not let anyone re-sign.
 */
export function appAccountTokenFor(userId: string): string {
  const b = createHash("sha256").update(`limelight:apple-account:${userId}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
