import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { SignJWT, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type CryptoKey } from "jose";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { config, setConfig, type Config } from "../../src/config";
import { issueAccessToken, resetTokenKeys } from "../../src/auth/tokens";

/**
 * RS256: the server signs with a PEM key pair, or only verifies tokens an external identity
 * provider issues, against the provider's JWKS. Algorithm confusion (an HS256 token) is refused.
 */
describe("RS256 access tokens and an external identity provider's JWKS", () => {
  let saved: Config;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    saved = config();
  });
  afterEach(() => {
    setConfig(saved);
    resetTokenKeys();
  });

  const sign = (key: CryptoKey | Uint8Array, sub: string, alg: string, kid?: string) =>
    new SignJWT({ username: "idp_user", roles: ["viewer"] })
      .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
      .setSubject(sub)
      .setIssuer(saved.JWT_ISSUER)
      .setAudience(saved.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);

  it("signs and verifies with a configured PEM key pair, refusing other keys and HS256", async () => {
    const user = await createUser();
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    setConfig({ ...saved, JWT_ALG: "RS256", JWT_PRIVATE_KEY: await exportPKCS8(privateKey), JWT_PUBLIC_KEY: await exportSPKI(publicKey) });
    resetTokenKeys();

    const token = await issueAccessToken({ userId: user.id, username: user.username, roles: user.roles });
    assert.equal(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).alg, "RS256");
    assert.equal((await api("GET", "/api/v1/auth/profile", { token })).status, 200);

    const other = await generateKeyPair("RS256");
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: await sign(other.privateKey, user.id, "RS256") })).status, 401);
    const hs = await sign(new TextEncoder().encode("z".repeat(48)), user.id, "HS256");
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: hs })).status, 401, "an HS256 token is refused");
  });

  it("verifies tokens issued by an external provider against its JWKS", async () => {
    const user = await createUser();
    const idp = await generateKeyPair("RS256", { extractable: true });
    const jwk = { ...(await exportJWK(idp.publicKey)), kid: "idp-1", alg: "RS256", use: "sig" };
    const jwks: Server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
    try {
      const { port } = jwks.address() as { port: number };
      setConfig({ ...saved, JWT_ALG: "RS256", JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` });
      resetTokenKeys();

      const fromIdp = await sign(idp.privateKey, user.id, "RS256", "idp-1");
      assert.equal((await api("GET", "/api/v1/auth/profile", { token: fromIdp })).status, 200);
      const stranger = await generateKeyPair("RS256");
      assert.equal((await api("GET", "/api/v1/auth/profile", { token: await sign(stranger.privateKey, user.id, "RS256", "idp-1") })).status, 401);
      await assert.rejects(issueAccessToken({ userId: user.id, username: user.username, roles: user.roles }), /only verifies/);
    } finally {
      await new Promise((r) => jwks.close(r));
    }
  });
});
