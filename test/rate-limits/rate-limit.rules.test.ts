import assert from "node:assert/strict";
import { DEFAULT_TIER_LIMITS, limitOf, mergeTierLimits, rateLimitHeaders, subjectOf, tighter } from "../../src/rate-limits/rate-limit.rules";
import { ConfigError, parseConfig } from "../../src/config";

describe("rate-limit rules", () => {
  const tiers = mergeTierLimits({});

  it("defaults are the seed's: 100 requests and 1,000 room messages a minute; premium ten times that; enterprise unlimited", () => {
    assert.deepEqual(tiers, DEFAULT_TIER_LIMITS);
    assert.deepEqual(tiers.standard, { api: 100, realtime: 1000 });
    assert.deepEqual(tiers.high, { api: 1000, realtime: 10_000 });
    assert.deepEqual(tiers.unlimited, { api: null, realtime: null });
  });

  it("a user's limit is their tier's, an admin's none, an address's the standard one", () => {
    assert.equal(limitOf({ userId: "u", roles: ["viewer"], tier: "high" }, "api", tiers), 1000);
    assert.equal(limitOf({ userId: "u", roles: ["viewer"], tier: "standard" }, "realtime", tiers), 1000);
    assert.equal(limitOf({ userId: "u", roles: ["creator", "admin"], tier: "standard" }, "api", tiers), null);
    assert.equal(limitOf({ ip: "10.0.0.1" }, "api", tiers), 100);
    assert.deepEqual(subjectOf({ userId: "u1", roles: [], tier: "standard" }), { scope: "user", subject: "u1" });
    assert.deepEqual(subjectOf({ ip: "10.0.0.1" }), { scope: "ip", subject: "10.0.0.1" });
  });

  it("configured tiers change only the numbers given; a bad RATE_LIMIT_TIERS stops the boot naming the variable", () => {
    const cfg = parseConfig({ RATE_LIMIT_TIERS: '{"high":{"api":500},"standard":{"realtime":null}}' });
    assert.deepEqual(cfg.RATE_LIMIT_TIERS.high, { api: 500, realtime: 10_000 });
    assert.deepEqual(cfg.RATE_LIMIT_TIERS.standard, { api: 100, realtime: null });
    assert.deepEqual(parseConfig({}).RATE_LIMIT_TIERS, DEFAULT_TIER_LIMITS);
    for (const bad of ["{not json", '{"gold":{"api":5}}', '{"high":{"api":0}}', '{"high":{"apis":5}}']) {
      assert.throws(() => parseConfig({ RATE_LIMIT_TIERS: bad }), (e: unknown) => e instanceof ConfigError && /RATE_LIMIT_TIERS/.test(e.message), bad);
    }
  });

  it("headers: Reset in whole seconds (at least 1), a policy naming the window; the tighter of two limits shows", () => {
    assert.deepEqual(rateLimitHeaders({ limit: 100, remaining: 7, resetMs: 12_300, windowSeconds: 60 }), {
      "RateLimit-Limit": "100",
      "RateLimit-Remaining": "7",
      "RateLimit-Reset": "13",
      "RateLimit-Policy": "100;w=60",
    });
    assert.equal(rateLimitHeaders({ limit: 5, remaining: 0, resetMs: 0, windowSeconds: 60 })["RateLimit-Reset"], "1");
    const api = { limit: 100, remaining: 99, resetMs: 1000, windowSeconds: 60 };
    const auth = { limit: 5, remaining: 4, resetMs: 1000, windowSeconds: 60 };
    assert.equal(tighter(api, auth), auth);
    assert.equal(tighter(auth, api), auth);
    assert.equal(tighter(undefined, api), api);
    assert.equal(tighter({ ...api, remaining: 4 }, auth), auth, "equal remaining: the smaller limit");
  });
});
