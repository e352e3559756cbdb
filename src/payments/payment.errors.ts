import { ConflictError, ForbiddenError, NotFoundError, UnavailableError, ValidationError } from "../shared/errors";
import type { ProviderName } from "./payments.rules";

/**
 * Every error code the payments feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const paymentErrors = {
  invalidAppleSignature: (message: string, details?: { status: string }) => new ValidationError("invalid_apple_signature", message, details),
  invalidAppleTransaction: (message: "The transaction has no id or product." | "Bad quantity." = "The transaction has no id or product.") => new ValidationError("invalid_apple_transaction", message),
  invalidBody: () => new ValidationError("invalid_body", "signedPayload is required."),
  invalidSignature: (message: string) => new ValidationError("invalid_signature", message),
  malformedBody: (message: "The notification body is not valid JSON." | "The webhook body is not valid JSON." = "The notification body is not valid JSON.") => new ValidationError("malformed_body", message),
  orderAlreadyPaid: () => new ConflictError("order_already_paid", "This order was already paid by another payment."),
  orderNotFound: () => new NotFoundError("order_not_found", "No such order."),
  paymentNotSettled: () => new ConflictError("payment_not_settled", "This payment is not known yet; deliver again later."),
  paymentProviderError: (provider: string, detail: string, details: { provider: ProviderName }) => new UnavailableError("payment_provider_error", `${provider} did not answer as expected: ${detail}`, details),
  productNotFound: (productId: string) => new NotFoundError("product_not_found", `No product ${productId}.`),
  appStoreProductNotFound: (productId: string) => new ValidationError("product_not_found", `No product for App Store id ${productId}.`),
  productNotSoldHere: (message: string, details?: { provider: ProviderName }) => new ValidationError("product_not_sold_here", message, details),
  providerNotConfigured: (provider: string, details: { provider: ProviderName }) => new UnavailableError("provider_not_configured", `Payments through ${provider} are not configured on this server.`, details),
  purchaseAlreadyUsed: (details: { provider: ProviderName }) => new ConflictError("purchase_already_used", "This payment was already credited to another account.", details),
  purchaseNotYours: () => new ForbiddenError("purchase_not_yours", "This App Store purchase was made for another account."),
  purchaseRevoked: (details: { provider: string } | { provider: ProviderName }) => new ConflictError("purchase_revoked", "This purchase was refunded or revoked.", details),
  refundContended: () => new ConflictError("refund_contended", "Too many concurrent refund events for this payment; retry."),
  routeNotFound: () => new NotFoundError("route_not_found", "No route for POST /purchases/dev."),
  unknownPurpose: (purpose: string) => new ValidationError("unknown_purpose", `No feature handles payments for ${purpose}.`),
  unsupportedProductType: () => new ValidationError("unsupported_product_type", "Only consumable packs are sold through the App Store."),
} as const;
