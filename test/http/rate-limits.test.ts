import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { api, type ApiResponse } from "../support/http";
import { createUser, type TestUser } from "../support/factories";
import { baseUrl, manualClock, resetState, testServer } from "../support/server";
import { joinStory } from "../support/sdk";
import { postStory } from "../support/stories";
import { razorpaySignature, usePaymentProviders } from "../support/payments";
import { config, setConfig, type Config } from "../../src/config";
import { mergeTierLimits, type TierLimits } from "../../src/rate-limits/rate-limit.rules";

/**
 * API-wide rate limits with real numbers (the suite's setup raises them for every other test):
 * per user, per IP before sign-in, per plan tier, admins exempt, room messages across rooms, and
 * the RateLimit-* headers. The two-process Redis case is test/ops/rate-limits-redis.test.ts.
 */
const PROFILE = "/api/v1/auth/profile";
const PUBLIC = "/api/v1/books"; // readable without a token

function headersOf(res: ApiResponse) {
  return {
    limit: res.headers.get("ratelimit-limit"),
    remaining: res.headers.get("ratelimit-remaining"),
    reset: res.headers.get("ratelimit-reset"),
    policy: res.headers.get("ratelimit-policy"),
    retryAfter: res.headers.get("retry-after"),
  };
}

const from = (ip: string) => ({ "x-forwarded-for": ip });

async function statuses(n: number, call: () => Promise<ApiResponse>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call()).status);
  return out;
}

describe("API-wide rate limits", () => {
  usePaymentProviders();
  let saved: Config;
  let ipSeq = 0;
  /** an address no other test has spent from */
  const freshIp = () => `198.51.100.${++ipSeq}`;

  function useLimits(tiers: Partial<Record<"standard" | "high" | "unlimited", Partial<TierLimits>>>, extra: Partial<Config> = {}) {
    // the test client is on loopback and speaks for its "clients" through X-Forwarded-For
    setConfig({ ...saved, TRUST_PROXY: ["loopback"], RATE_LIMIT_TIERS: mergeTierLimits(tiers), ...extra });
  }

  before(testServer);
  beforeEach(async () => {
    await resetState();
    saved = config();
    manualClock(Date.UTC(2026, 0, 1, 12, 0, 10)); // 50 s left in the minute window
  });
  afterEach(() => setConfig(saved));

  it("per user: 5 a minute spends down RateLimit-Remaining, the 6th is 429 rate_limited with Retry-After; other users and a new window are unaffected", async () => {
    useLimits({ standard: { api: 5 } });
    const [alice, bob] = [await createUser(), await createUser()];
    const seen: ReturnType<typeof headersOf>[] = [];
    for (let i = 0; i < 5; i++) {
      // a different address each time: the budget is the user's, not the address's
      const res = await api("GET", PROFILE, { token: alice.token, headers: from(freshIp()) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(headersOf(res));
    }
    assert.deepEqual(seen.map((h) => h.remaining), ["4", "3", "2", "1", "0"]);
    assert.deepEqual(seen[0], { limit: "5", remaining: "4", reset: "50", policy: "5;w=60", retryAfter: null });

    const refusedBefore = await refusalsCounted("api:user");
    const refused = await api("GET", PROFILE, { token: alice.token, headers: from(freshIp()) });
    assert.equal(refused.status, 429);
    assert.equal(await refusalsCounted("api:user"), refusedBefore + 1, "operators see the refusal in /metrics");
    assert.equal(refused.body.error.code, "rate_limited");
    assert.equal(refused.body.error.details.retry_after_seconds, 50);
    assert.deepEqual(headersOf(refused), { limit: "5", remaining: "0", reset: "50", policy: "5;w=60", retryAfter: "50" });

    assert.equal((await api("GET", PROFILE, { token: bob.token })).status, 200, "another user has their own budget");
    manualClock(Date.UTC(2026, 0, 1, 12, 1, 0));
    const next = await api("GET", PROFILE, { token: alice.token });
    assert.equal(next.status, 200, "the next minute is a new window");
    assert.equal(headersOf(next).remaining, "4");
  });

  it("per IP before sign-in: anonymous calls (and forged tokens) spend the address's budget; another address has its own", async () => {
    useLimits({ standard: { api: 3 } });
    const ip = freshIp();
    assert.deepEqual(await statuses(2, () => api("GET", PUBLIC, { headers: from(ip) })), [200, 200]);
    const forged = await api("GET", PROFILE, { token: "not.a.token", headers: from(ip) });
    assert.equal(forged.status, 401, "a bad token is refused by the route, after spending from the IP");
    assert.equal(headersOf(forged).remaining, "0");
    const refused = await api("GET", PUBLIC, { headers: from(ip) });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, "rate_limited");
    assert.equal((await api("GET", PUBLIC, { headers: from(freshIp()) })).status, 200);
    // signing in from the exhausted address gives the user their own budget
    const user = await createUser();
    assert.equal((await api("GET", PROFILE, { token: user.token, headers: from(ip) })).status, 200);
  });

  it("per tier: a paid premium plan gets the high tier's limit; basic users keep the standard one", async () => {
    useLimits({ standard: { api: 4 }, high: { api: 12 } }, { AUTH_RATE_LIMIT_PER_MINUTE: 1000 });
    const premium = await createUser({ roles: ["brand_owner"] });
    const basic = await createUser({ roles: ["brand_owner"] });
    // buying the plan takes 2 requests, in the minute before the one measured
    manualClock(Date.UTC(2026, 0, 1, 11, 59, 10));
    const created = await api("POST", "/api/v1/subscriptions/create", { token: premium.token, body: { plan: "premium" } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const orderId = created.body.order.order_id;
    const paid = await api("POST", "/api/v1/payments/verify-payment", {
      token: premium.token,
      body: { razorpay_order_id: orderId, razorpay_payment_id: "pay_tier", razorpay_signature: razorpaySignature(orderId, "pay_tier") },
    });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));

    // a minute later: the tier cached while buying (basic, kept 30 s) has lapsed, the plan is read again
    manualClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    const first = await api("GET", PROFILE, { token: premium.token });
    assert.deepEqual([first.status, headersOf(first).limit], [200, "12"]);
    const rest = await statuses(12, () => api("GET", PROFILE, { token: premium.token }));
    assert.deepEqual(rest, [...Array(11).fill(200), 429]);
    assert.deepEqual(await statuses(5, () => api("GET", PROFILE, { token: basic.token })), [200, 200, 200, 200, 429]);
  });

  it("admins are exempt: no budget spent, no RateLimit headers", async () => {
    useLimits({ standard: { api: 2 } });
    const admin = await createUser({ roles: ["admin"] });
    const all = [];
    for (let i = 0; i < 6; i++) all.push(await api("GET", PROFILE, { token: admin.token }));
    assert.deepEqual(all.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
    assert.equal(all[5]!.headers.get("ratelimit-limit"), null);
  });

  it("health, metrics and the API description are not limited", async () => {
    useLimits({ standard: { api: 1 } });
    // the test client's own address (TRUST_PROXY off for this one): the same caller for every call
    setConfig({ ...config(), TRUST_PROXY: false });
    const paths = ["/health", "/health/ready", "/api/v1/openapi.json", "/docs/"];
    for (const p of paths) {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(baseUrl + p);
        assert.equal(res.status, 200, `${p} #${i}`);
        assert.equal(res.headers.get("ratelimit-limit"), null, p);
      }
    }
    for (let i = 0; i < 3; i++) {
      const res = await fetch(baseUrl + "/metrics", { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } });
      assert.equal(res.status, 200);
    }
  });

  it("auth endpoints show the tighter of the auth limit and the API limit", async () => {
    useLimits({ standard: { api: 100 } }, { AUTH_RATE_LIMIT_PER_MINUTE: 5 });
    const res = await api("POST", "/api/v1/auth/login", { body: { username: "nobody_here", password: "wrong-pass" }, headers: from(freshIp()) });
    assert.equal(res.status, 401);
    assert.equal(headersOf(res).limit, "5");
    assert.equal(headersOf(res).remaining, "4", "the auth budget (5 a minute), not the API's 99 left");
  });

  describe("room messages", () => {
    const open: Room<any>[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
    });

    async function watching(viewer: TestUser): Promise<{ rooms: Room<any>[]; stories: string[]; authors: TestUser[] }> {
      const authors = [await createUser({ roles: ["creator"] }), await createUser({ roles: ["creator"] })];
      const stories = [await postStory(authors[0]!), await postStory(authors[1]!)];
      const rooms = [await joinStory(viewer, authors[0]!.id), await joinStory(viewer, authors[1]!.id)];
      open.push(...rooms);
      return { rooms, stories, authors };
    }

    it("1,000 a minute per user across rooms (here 5): the next one is refused with rate_limited and retry_after_ms, the client stays", async () => {
      useLimits({ standard: { realtime: 5 } });
      const viewer = await createUser();
      const { rooms, stories, authors } = await watching(viewer);
      const errors: any[][] = [[], []];
      rooms.forEach((r, i) => r.onMessage("error", (m) => errors[i]!.push(m)));
      for (let i = 0; i < 3; i++) assert.equal((await rooms[0]!.request("view", { storyId: stories[0] })).viewCount, 1);
      for (let i = 0; i < 2; i++) assert.equal((await rooms[1]!.request("view", { storyId: stories[1] })).viewCount, 1);

      const refused = await rooms[1]!.request("view", { storyId: stories[1] }).then(
        () => assert.fail("the 6th message across both rooms was accepted"),
        (err: { code: string }) => err,
      );
      assert.equal(refused.code, "rate_limited");
      await until(() => errors[1]!.length > 0);
      assert.equal(errors[1]![0].code, "rate_limited");
      assert.equal(errors[1]![0].details.retry_after_ms, 50_000);
      // a plain send (and one of a type the room does not know) is answered the same way
      rooms[0]!.send("view", { storyId: stories[0] });
      rooms[0]!.send("no_such_message", {});
      await until(() => errors[0]!.length === 2);
      assert.deepEqual(errors[0]!.map((e) => e.code), ["rate_limited", "rate_limited"]);
      assert.ok(rooms.every((r) => r.connection.isOpen), "refused, not disconnected");

      // another user's budget is their own
      const other = await joinStory(await createUser(), authors[0]!.id);
      open.push(other);
      assert.equal((await other.request("view", { storyId: stories[0] })).viewCount, 2);
      manualClock(Date.UTC(2026, 0, 1, 12, 1, 0));
      assert.equal((await rooms[0]!.request("view", { storyId: stories[0] })).viewCount, 2, "the next minute accepts again");
    });

    it("admins are exempt in rooms too", async () => {
      useLimits({ standard: { realtime: 2 } });
      const admin = await createUser({ roles: ["admin"] });
      const { rooms, stories } = await watching(admin);
      for (let i = 0; i < 5; i++) assert.equal((await rooms[i % 2]!.request("view", { storyId: stories[i % 2] })).viewCount, 1);
    });
  });
});

/** limelight_rate_limited_total for `scope`, as Prometheus scrapes it. */
async function refusalsCounted(scope: string): Promise<number> {
  const text = await (await fetch(baseUrl + "/metrics", { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(`limelight_rate_limited_total{scope="${scope}"}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
