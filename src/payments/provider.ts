import type { IncomingHttpHeaders } from "node:http";
import { UnavailableError } from "../shared/errors";
import type { ProviderName } from "./payments.rules";
import { paymentErrors } from "./payment.errors";

/**
 * What a provider's webhook or server notification means, once its signature checked out:
 * money arrived for one of our orders, some share of a payment went back to the buyer, or
 * nothing we act on. `txnId` is the provider's id for the payment (the exactly-once key).
 */
export type PaymentEvent =
  | { type: "captured"; provider: ProviderName; txnId: string; orderId: string; amount: number; currency: string }
  // refunded: cumulative amount given back (absent: all of it); of: what was paid (absent: the price we recorded)
  | { type: "refunded"; provider: ProviderName; txnId: string; orderId?: string; refunded?: number; of?: number; reason: "refund" | "chargeback" }
  | { type: "ignored"; provider: ProviderName; reason: string };

export interface NotificationInput {
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
}

/** One implementation per provider, each through its official library (or plain HTTPS). */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** Configured in this process (secrets present; the dev provider: not production). */
  isConfigured(): boolean;
  /** Verify a notification's signature over the raw body and translate it; throws on a bad signature. */
  parseNotification?(input: NotificationInput): Promise<PaymentEvent>;
}

export function notConfigured(provider: ProviderName): UnavailableError {
  return paymentErrors.providerNotConfigured(provider, { provider });
}

export function providerError(provider: ProviderName, detail: string): UnavailableError {
  return paymentErrors.paymentProviderError(provider, detail, { provider });
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
