import assert from "node:assert/strict";
import mongoose from "mongoose";
import { api } from "../support/http";
import { resetState, testServer, manualClock } from "../support/server";
import { createUser } from "../support/factories";
import { config, setConfig } from "../../src/config";

const users = () => mongoose.connection.collection("users");

describe("auth REST", () => {
  before(testServer);
  beforeEach(resetState);

  const register = (body: object, headers?: Record<string, string>) => api("POST", "/api/v1/auth/register", { body, headers });

  it("registers, logs in and reads the profile", async () => {
    const reg = await register({ username: "Alice_1", password: "s3cret-pass", email: "Alice@Example.com" });
    assert.equal(reg.status, 201);
    assert.equal(reg.body.user.username, "Alice_1");
    assert.deepEqual(reg.body.user.roles, ["viewer"]);
    assert.equal(reg.body.user.email, "alice@example.com");
    assert.equal(reg.body.user.password_hash, undefined, "the hash never leaves the server");
    assert.ok(reg.body.access_token && reg.body.refresh_token);

    const login = await api("POST", "/api/v1/auth/login", { body: { username: "alice_1", password: "s3cret-pass" } });
    assert.equal(login.status, 200, "login is case-insensitive on the username");
    const profile = await api("GET", "/api/v1/auth/profile", { token: login.body.access_token });
    assert.equal(profile.status, 200);
    assert.equal(profile.body.user.id, reg.body.user.id);

    const stored = await users().findOne({ username_lower: "alice_1" });
    assert.match(String(stored?.password_hash), /^scrypt\$/, "stored as a scrypt hash, not plain text");
  });

  it("takes chosen roles but never admin", async () => {
    const ok = await register({ username: "brandy", password: "s3cret-pass", roles: ["brand_owner", "creator"] });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body.user.roles.sort(), ["brand_owner", "creator"]);
    const admin = await register({ username: "mallory", password: "s3cret-pass", roles: ["admin"] });
    assert.equal(admin.status, 400);
    assert.equal(admin.body.error.code, "invalid_body");
    assert.equal(await users().countDocuments({ username_lower: "mallory" }), 0);
  });

  it("refuses bad bodies with the error shape and writes nothing", async () => {
    for (const body of [{}, { username: "ab", password: "s3cret-pass" }, { username: "valid_name", password: "short" }, { username: "valid_name", password: "s3cret-pass", extra: 1 }]) {
      const res = await register(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, "invalid_body");
      assert.equal(typeof res.body.error.message, "string");
      assert.ok(Array.isArray(res.body.error.details));
    }
    const malformed = await api("POST", "/api/v1/auth/register", { rawBody: "{not json" });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, "malformed_body");
    assert.equal(await users().countDocuments(), 0);
  });

  it("refuses a taken username (any case) with 409", async () => {
    assert.equal((await register({ username: "dup_user", password: "s3cret-pass" })).status, 201);
    const again = await register({ username: "DUP_USER", password: "other-pass-1" });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "username_taken");
  });

  it("refuses a wrong password and an unknown user alike", async () => {
    await register({ username: "carol", password: "s3cret-pass" });
    const wrong = await api("POST", "/api/v1/auth/login", { body: { username: "carol", password: "nope-nope" } });
    const unknown = await api("POST", "/api/v1/auth/login", { body: { username: "nobody", password: "nope-nope" } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.error.code, "invalid_credentials");
    assert.deepEqual(wrong.body, unknown.body, "no hint whether the account exists");
  });

  it("rotates refresh tokens; reusing an old one revokes the whole family", async () => {
    const reg = await register({ username: "dave", password: "s3cret-pass" });
    const first = reg.body.refresh_token as string;
    const r1 = await api("POST", "/api/v1/auth/refresh", { body: { refresh_token: first } });
    assert.equal(r1.status, 200);
    assert.notEqual(r1.body.refresh_token, first);
    const profile = await api("GET", "/api/v1/auth/profile", { token: r1.body.access_token });
    assert.equal(profile.status, 200, "the new access token works");

    const reuse = await api("POST", "/api/v1/auth/refresh", { body: { refresh_token: first } });
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error.code, "refresh_token_reused");
    const afterTheft = await api("POST", "/api/v1/auth/refresh", { body: { refresh_token: r1.body.refresh_token } });
    assert.equal(afterTheft.status, 401, "the legitimate successor is revoked too");

    // a separate login (another family) is unaffected
    const login = await api("POST", "/api/v1/auth/login", { body: { username: "dave", password: "s3cret-pass" } });
    assert.equal((await api("POST", "/api/v1/auth/refresh", { body: { refresh_token: login.body.refresh_token } })).status, 200);
  });

  it("lets only one of two concurrent refreshes with the same token win", async () => {
    const reg = await register({ username: "erin", password: "s3cret-pass" });
    const results = await Promise.all([1, 2].map(() => api("POST", "/api/v1/auth/refresh", { body: { refresh_token: reg.body.refresh_token } })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
  });

  it("logout revokes the session's refresh tokens", async () => {
    const reg = await register({ username: "frank", password: "s3cret-pass" });
    const out = await api("POST", "/api/v1/auth/logout", { token: reg.body.access_token, body: { refresh_token: reg.body.refresh_token } });
    assert.equal(out.status, 204);
    assert.equal((await api("POST", "/api/v1/auth/refresh", { body: { refresh_token: reg.body.refresh_token } })).status, 401);
  });

  it("updates the profile and validates the patch", async () => {
    const u = await createUser();
    const ok = await api("PATCH", "/api/v1/auth/profile", { token: u.token, body: { display_name: "Gina", bio: "hi", avatar_url: "https://cdn.example.com/a.png" } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.user.display_name, "Gina");
    const bad = await api("PATCH", "/api/v1/auth/profile", { token: u.token, body: { avatar_url: "javascript:alert(1)" } });
    assert.equal(bad.status, 400);
    const again = await api("GET", "/api/v1/auth/profile", { token: u.token });
    assert.equal(again.body.user.avatar_url, "https://cdn.example.com/a.png", "a refused patch changes nothing");
  });

  describe("rate limits", () => {
    let saved: ReturnType<typeof config>;
    beforeEach(() => {
      saved = config();
      // the test client is on loopback and speaks for the "clients" through X-Forwarded-For
      setConfig({ ...saved, AUTH_RATE_LIMIT_PER_MINUTE: 5, TRUST_PROXY: ["loopback"] });
      manualClock(Date.UTC(2026, 0, 1, 12, 0, 10)); // 50 s left in the minute window
    });
    afterEach(() => setConfig(saved));

    it("limits login attempts per account (across IPs) to 5 a minute with Retry-After", async () => {
      await createUser({ username: "target" });
      const attempts = [];
      for (let i = 0; i < 6; i++) {
        attempts.push(await api("POST", "/api/v1/auth/login", { body: { username: "target", password: "wrong-pass" }, headers: { "x-forwarded-for": `10.0.0.${i + 1}` } }));
      }
      assert.deepEqual(attempts.map((a) => a.status), [401, 401, 401, 401, 401, 429]);
      const limited = attempts[5]!;
      assert.equal(limited.body.error.code, "rate_limited");
      assert.equal(limited.headers.get("retry-after"), "50");
    });

    it("limits auth calls per IP to 5 a minute", async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await api("POST", "/api/v1/auth/login", { body: { username: `someone${i}`, password: "wrong-pass" }, headers: { "x-forwarded-for": "10.9.9.9" } })).status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      const otherIp = await api("POST", "/api/v1/auth/login", { body: { username: "someone9", password: "wrong-pass" }, headers: { "x-forwarded-for": "10.9.9.10" } });
      assert.equal(otherIp.status, 401, "another IP has its own budget");
    });
  });
});
