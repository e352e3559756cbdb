import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import {
  SignJWT,
  jwtVerify,
  importPKCS8,
  importSPKI,
  createRemoteJWKSet,
  type JWTVerifyGetKey,
  type CryptoKey,
  type KeyObject,
} from "jose";
import { z } from "zod";
import { config, type Config } from "../config";
import { logger } from "../logger";
import { clock } from "../shared/clock";
import { UnauthenticatedError } from "../shared/errors";
import { roleSchema, type Principal } from "./roles";
import { authErrors } from "./auth.errors";

/**
 * Access tokens: short-lived JWTs signed and verified with jose. HS256 with a shared secret by
 * default; RS256 with a PEM key pair, or verification against an external IdP's JWKS. The same
 * verifier guards REST (middleware) and rooms (onAuth).
 */
type VerifyKey = Uint8Array | CryptoKey | KeyObject | JWTVerifyGetKey;
type SignKey = Uint8Array | CryptoKey | KeyObject;

interface KeyMaterial {
  alg: "HS256" | "RS256";
  signKey?: SignKey;
  verifyKey: VerifyKey;
}

let material: Promise<KeyMaterial> | undefined;

/** Development only: a secret generated once and kept in DATA_DIR so restarts keep sessions valid. */
function developmentSecret(cfg: Config): string {
  if (cfg.NODE_ENV === "test") return randomBytes(32).toString("base64url");
  const file = path.resolve(cfg.DATA_DIR, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  logger.warn({ file }, "JWT_SECRET not set: generated a development secret (set JWT_SECRET in production)");
  return secret;
}

async function loadKeys(cfg: Config): Promise<KeyMaterial> {
  if (cfg.JWT_ALG === "HS256") {
    const secret = new TextEncoder().encode(cfg.JWT_SECRET ?? developmentSecret(cfg));
    return { alg: "HS256", signKey: secret, verifyKey: secret };
  }
  const signKey = cfg.JWT_PRIVATE_KEY ? await importPKCS8(cfg.JWT_PRIVATE_KEY, "RS256") : undefined;
  let verifyKey: VerifyKey | undefined;
  if (cfg.JWT_JWKS_URL) verifyKey = createRemoteJWKSet(new URL(cfg.JWT_JWKS_URL));
  else if (cfg.JWT_PUBLIC_KEY) verifyKey = await importSPKI(cfg.JWT_PUBLIC_KEY, "RS256");
  else if (signKey) verifyKey = signKey;
  if (!verifyKey) throw new Error("RS256 needs a public key, a JWKS URL or a private key");
  return { alg: "RS256", signKey, verifyKey };
}

function keys(): Promise<KeyMaterial> {
  material ??= loadKeys(config());
  return material;
}

/** Forget loaded keys (tests that change JWT settings), and what they verified. */
export function resetTokenKeys(): void {
  material = undefined;
  verified.clear();
}

/**
 * Tokens whose signature and claims were verified, kept until they expire (a client sends the
 * same token on every request for its lifetime; the HMAC/RSA check was a tenth of a cheap
 * request's CPU). Only what the token itself proves is kept: expiry is checked against the clock
 * on every use, and the account's standing (ban, deletion) is checked per request elsewhere.
 */
const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();
const VERIFIED_CAP = 20_000;

export async function issueAccessToken(p: Principal): Promise<string> {
  const cfg = config();
  const k = await keys();
  if (!k.signKey) throw new Error("This server only verifies tokens (no signing key configured)");
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  return new SignJWT({ username: p.username, roles: p.roles })
    .setProtectedHeader({ alg: k.alg, typ: "JWT" })
    .setSubject(p.userId)
    .setIssuer(cfg.JWT_ISSUER)
    .setAudience(cfg.JWT_AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + cfg.ACCESS_TOKEN_TTL_SECONDS)
    .setJti(randomUUID())
    .sign(k.signKey);
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  username: z.string().min(1),
  roles: z.array(roleSchema).min(1),
});

/** Verify an access token; throws UnauthenticatedError(invalid_token | token_expired). */
export async function verifyAccessToken(token: string | undefined | null): Promise<Principal> {
  if (!token) throw authErrors.missingToken();
  const held = verified.get(token);
  if (held) {
    if (clock.now().getTime() < held.expiresAtMs) return { ...held.principal, roles: [...held.principal.roles] };
    verified.delete(token);
    throw authErrors.tokenExpired();
  }
  const cfg = config();
  const k = await keys();
  try {
    const { payload } = await jwtVerify(token, k.verifyKey as Uint8Array, {
      algorithms: [k.alg], // pinning the algorithm refuses alg:none and algorithm-confusion tokens
      issuer: cfg.JWT_ISSUER,
      audience: cfg.JWT_AUDIENCE,
      currentDate: clock.now(),
      // a token without exp would be valid forever; without sub it names nobody
      requiredClaims: ["exp", "sub"],
    });
    const claims = claimsSchema.parse(payload);
    const principal: Principal = { userId: claims.sub, username: claims.username, roles: claims.roles };
    if (verified.size >= VERIFIED_CAP) verified.delete(verified.keys().next().value!);
    verified.set(token, { principal, expiresAtMs: payload.exp! * 1000 });
    return principal;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_JWT_EXPIRED") {
      throw authErrors.tokenExpired();
    }
    throw authErrors.invalidToken();
  }
}
