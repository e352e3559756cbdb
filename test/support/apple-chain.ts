import { generateKeyPairSync, randomUUID, sign, X509Certificate } from "node:crypto";
import { KJUR } from "jsrsasign";

/**
 * A StoreKit-shaped certificate chain made at test time (never a real Apple key): root CA →
 * intermediate CA with Apple's intermediate OID → leaf with Apple's receipt-signing OID; JWS
 * signed ES256 by the leaf with x5c [leaf, intermediate, root], as the App Store signs.
 */
const APPLE_LEAF_OID = "1.2.840.113635.100.6.11.1";
const APPLE_INTERMEDIATE_OID = "1.2.840.113635.100.6.2.1";
const DER_NULL = "0500";

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function utc(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"; // YYMMDDHHMMSSZ
}

let serial = 1;

function certificate(p: { subject: string; issuer: string; publicPem: string; issuerPrivatePem: string; ca: boolean; ext?: Array<Record<string, unknown>> }): string {
  const now = Date.now();
  const cert = new KJUR.asn1.x509.Certificate({
    version: 3,
    serial: { int: serial++ },
    issuer: { str: p.issuer },
    subject: { str: p.subject },
    notbefore: utc(new Date(now - 86_400_000)),
    notafter: utc(new Date(now + 365 * 86_400_000)),
    sbjpubkey: p.publicPem,
    ext: [{ extname: "basicConstraints", cA: p.ca }, ...(p.ext ?? [])],
    sigalg: "SHA256withECDSA",
    cakey: p.issuerPrivatePem,
  } as any);
  return cert.getPEM();
}

export interface TestChain {
  /** the root, DER base64, as APPLE_ROOT_CERTS takes it */
  rootBase64: string;
  rootPem: string;
  /** sign a payload as the App Store would (JWS, ES256, x5c) */
  sign(payload: object): string;
}

export function makeTestChain(opts: { name?: string; leafOid?: boolean } = {}): TestChain {
  const name = opts.name ?? "Test";
  const root = keyPair();
  const intermediate = keyPair();
  const leaf = keyPair();
  const rootPem = certificate({ subject: `/CN=${name} Root CA`, issuer: `/CN=${name} Root CA`, publicPem: root.publicPem, issuerPrivatePem: root.privatePem, ca: true });
  const intermediatePem = certificate({
    subject: `/CN=${name} WWDR Intermediate`,
    issuer: `/CN=${name} Root CA`,
    publicPem: intermediate.publicPem,
    issuerPrivatePem: root.privatePem,
    ca: true,
    ext: [{ extname: APPLE_INTERMEDIATE_OID, extn: DER_NULL }],
  });
  const leafPem = certificate({
    subject: `/CN=${name} StoreKit Signing`,
    issuer: `/CN=${name} WWDR Intermediate`,
    publicPem: leaf.publicPem,
    issuerPrivatePem: intermediate.privatePem,
    ca: false,
    ext: opts.leafOid === false ? [] : [{ extname: APPLE_LEAF_OID, extn: DER_NULL }],
  });
  const der = (pem: string) => new X509Certificate(pem).raw.toString("base64");
  const x5c = [der(leafPem), der(intermediatePem), der(rootPem)];
  return {
    rootBase64: der(rootPem),
    rootPem,
    sign(payload: object) {
      const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const input = `${b64url({ alg: "ES256", x5c })}.${b64url(payload)}`;
      const signature = sign("sha256", Buffer.from(input), { key: leaf.privatePem, dsaEncoding: "ieee-p1363" });
      return `${input}.${signature.toString("base64url")}`;
    },
  };
}

export const TEST_BUNDLE_ID = "com.limelight.test";

/** A consumable StoreKit 2 transaction payload (fields as Apple's JWSTransaction). */
export function appleTransaction(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  const id = String(2_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e12)));
  return {
    transactionId: id,
    originalTransactionId: id,
    bundleId: TEST_BUNDLE_ID,
    productId: "limelight.diamonds.10",
    purchaseDate: now,
    originalPurchaseDate: now,
    quantity: 1,
    type: "Consumable",
    inAppOwnershipType: "PURCHASED",
    signedDate: now,
    environment: "Sandbox",
    transactionReason: "PURCHASE",
    storefront: "USA",
    storefrontId: "143441",
    price: 990,
    currency: "USD",
    ...over,
  };
}

/** An App Store Server Notification v2 payload wrapping a signed transaction. */
export function appleNotification(type: string, signedTransactionInfo: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    notificationType: type,
    notificationUUID: randomUUID(),
    version: "2.0",
    signedDate: Date.now(),
    data: { bundleId: TEST_BUNDLE_ID, environment: "Sandbox", signedTransactionInfo, status: 1 },
    ...over,
  };
}
