import { X509Certificate } from "node:crypto";
import {
  Environment,
  NotificationTypeV2,
  RevocationType,
  SignedDataVerifier,
  Type,
  VerificationException,
  VerificationStatus,
  type JWSTransactionDecodedPayload,
} from "@apple/app-store-server-library";
import { config, type Config } from "../config";
import { ValidationError } from "../shared/errors";
import { notConfigured, type NotificationInput, type PaymentEvent, type PaymentProvider } from "./provider";
import { paymentErrors } from "./payment.errors";

/**
 * App Store (diamond packs): StoreKit 2 signed transactions and Server Notifications v2, verified
 * offline by Apple's SignedDataVerifier against the configured root certificates (x5c chain of
 * three, Apple's OIDs on leaf and intermediate, validity at the signed date, bundle id, environment).
 */
const SIGNED_ENVIRONMENTS: ReadonlySet<string> = new Set([Environment.PRODUCTION, Environment.SANDBOX]);
/** Apple expresses a prorated refund in thousandths of a percent. */
const REVOCATION_PERCENT_SCALE = 100_000;

/** PEM blocks or comma-separated base64 DER → DER buffers (each parsed, so a bad value fails at first use). */
export function parseRootCertificates(value: string): Buffer[] {
  const pems = value.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  const ders = pems ? pems.map((pem) => new X509Certificate(pem).raw) : value.split(",").map((b64) => new X509Certificate(Buffer.from(b64.trim(), "base64")).raw);
  if (ders.length === 0) throw new Error("APPLE_ROOT_CERTS holds no certificate");
  return ders;
}

const verifiers = new WeakMap<Config, SignedDataVerifier>();

function verifier(): SignedDataVerifier {
  const c = config();
  if (!c.APPLE_ROOT_CERTS || !c.APPLE_BUNDLE_ID) throw notConfigured("apple");
  let v = verifiers.get(c);
  if (!v) {
    // Xcode and LocalTesting skip the signature check inside the library: never constructed here
    if (!SIGNED_ENVIRONMENTS.has(c.APPLE_ENVIRONMENT)) throw notConfigured("apple");
    v = new SignedDataVerifier(parseRootCertificates(c.APPLE_ROOT_CERTS), false, c.APPLE_ENVIRONMENT as Environment, c.APPLE_BUNDLE_ID, c.APPLE_APP_APPLE_ID);
    verifiers.set(c, v);
  }
  return v;
}

function rejected(err: unknown, what: string): ValidationError {
  if (err instanceof VerificationException) {
    const status = VerificationStatus[err.status] ?? String(err.status);
    return paymentErrors.invalidAppleSignature(`The ${what} did not verify (${status}).`, { status });
  }
  return paymentErrors.invalidAppleSignature(`The ${what} did not verify.`);
}

export interface AppleTransaction {
  transactionId: string;
  productId: string;
  quantity: number;
  consumable: boolean;
  revoked: boolean;
  /** the UUID the app bound the purchase to (lower case), when it set one */
  appAccountToken?: string;
  /** a prorated refund's share, in REVOCATION_PERCENT_SCALE units; absent: all of it */
  revokedShare?: number;
}

function normalise(t: JWSTransactionDecodedPayload): AppleTransaction {
  if (!t.transactionId || !t.productId) throw paymentErrors.invalidAppleTransaction();
  return {
    transactionId: t.transactionId,
    productId: t.productId,
    quantity: t.quantity ?? 1,
    consumable: t.type === Type.CONSUMABLE,
    revoked: t.revocationDate !== undefined,
    appAccountToken: t.appAccountToken?.toLowerCase(),
    revokedShare: t.revocationType === RevocationType.REFUND_PRORATED ? t.revocationPercentage : undefined,
  };
}

export async function verifyAppleTransaction(signedTransaction: string): Promise<AppleTransaction> {
  const v = verifier();
  try {
    return normalise(await v.verifyAndDecodeTransaction(signedTransaction));
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw rejected(err, "signed transaction");
  }
}

export const appleProvider: PaymentProvider = {
  name: "apple",
  isConfigured() {
    const c = config();
    return Boolean(c.APPLE_ROOT_CERTS && c.APPLE_BUNDLE_ID);
  },
  async parseNotification({ rawBody }: NotificationInput): Promise<PaymentEvent> {
    const v = verifier();
    let signedPayload: unknown;
    try {
      signedPayload = (JSON.parse(rawBody.toString("utf8")) as { signedPayload?: unknown }).signedPayload;
    } catch {
      throw paymentErrors.malformedBody();
    }
    if (typeof signedPayload !== "string") throw paymentErrors.invalidBody();
    let type: string | undefined;
    let signedTransactionInfo: string | undefined;
    try {
      const n = await v.verifyAndDecodeNotification(signedPayload);
      type = n.notificationType;
      signedTransactionInfo = n.data?.signedTransactionInfo;
    } catch (err) {
      throw rejected(err, "notification");
    }
    if ((type !== NotificationTypeV2.REFUND && type !== NotificationTypeV2.REVOKE) || !signedTransactionInfo) {
      return { type: "ignored", provider: "apple", reason: `notification ${type}` };
    }
    const t = await verifyAppleTransaction(signedTransactionInfo);
    const prorated = t.revokedShare !== undefined;
    return {
      type: "refunded",
      provider: "apple",
      txnId: t.transactionId,
      refunded: prorated ? t.revokedShare : undefined,
      of: prorated ? REVOCATION_PERCENT_SCALE : undefined,
      reason: "refund",
    };
  },
};
