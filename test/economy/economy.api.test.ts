import assert from "node:assert/strict";
import mongoose from "mongoose";
import { clawback, reconcile, transfer } from "../../src/economy";
import { api } from "../support/http";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { issueAccessToken } from "../../src/auth/tokens";

const entries = () => mongoose.connection.collection("economy_entries");

describe("economy REST", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  const grant = (token: string, key: string | undefined, body: object) =>
    api("POST", "/api/v1/admin/economy/grants", { token, body, headers: key === undefined ? {} : { "idempotency-key": key } });

  it("a new user starts with 100 tokens and 5 keys, each a ledger transfer from promo", async () => {
    const reg = await api("POST", "/api/v1/auth/register", { body: { username: "newbie", password: "s3cret-pass" } });
    assert.equal(reg.status, 201);
    const w = await api("GET", "/api/v1/wallet", { token: reg.body.access_token });
    assert.equal(w.status, 200);
    assert.deepEqual(w.body, {
      user_id: reg.body.user.id,
      balances: { tokens: 100, diamonds: 0, keys: 5, inr: 0 },
      held: { tokens: 0, diamonds: 0, keys: 0, inr: 0 },
      keys: { balance: 5, cap: 5, next_at: null, interval_seconds: 1800 },
      flagged: false,
    });
    const ledger = await api("GET", "/api/v1/wallet/ledger", { token: reg.body.access_token });
    assert.deepEqual(ledger.body.items.map((e: any) => [e.currency, e.amount, e.balance_after, e.reason]).sort(), [
      ["keys", 5, 5, "welcome_grant"],
      ["tokens", 100, 100, "welcome_grant"],
    ]);
    assert.equal((await api("GET", "/api/v1/admin/economy/reconcile", { token: (await createUser({ roles: ["admin"] })).token })).body.ok, true);
  });

  it("racing registrations and wallet reads grant the welcome once", async () => {
    const regs = await Promise.all(Array.from({ length: 6 }, () => api("POST", "/api/v1/auth/register", { body: { username: "racer", password: "s3cret-pass" } })));
    const winners = regs.filter((r) => r.status === 201);
    assert.equal(winners.length, 1);
    const token = winners[0]!.body.access_token;
    const reads = await Promise.all(Array.from({ length: 10 }, () => api("GET", "/api/v1/wallet", { token })));
    for (const r of reads) assert.equal(r.body.balances.tokens, 100);
    // a user that existed before the economy gets it on the first read, once, however many reads race
    const old = await createUser();
    const oldReads = await Promise.all(Array.from({ length: 10 }, () => api("GET", "/api/v1/wallet", { token: old.token })));
    for (const r of oldReads) assert.equal(r.body.balances.tokens, 100);
    assert.equal(await entries().countDocuments({ reason: "welcome_grant", user_id: { $exists: true } }), 4);
  });

  it("the wallet and ledger need a signed-in user; the ledger query is validated", async () => {
    assert.equal((await api("GET", "/api/v1/wallet")).status, 401);
    assert.equal((await api("GET", "/api/v1/wallet/ledger")).status, 401);
    const u = await createUser();
    for (const q of ["limit=0", "limit=101", "currency=gold", "cursor=nonsense", "extra=1"]) {
      const r = await api("GET", `/api/v1/wallet/ledger?${q}`, { token: u.token });
      assert.equal(r.status, 400, q);
      assert.ok(r.body.error.code, q);
    }
  });

  it("pages the ledger newest first with signed amounts, per currency", async () => {
    const u = await createUser();
    const other = await createUser();
    for (let i = 1; i <= 5; i++) {
      await transfer({ id: `buy${i}`, debit: { system: "issuance" }, credit: { userId: u.id }, currency: "diamonds", amount: i * 10, reason: "purchase" });
    }
    await transfer({ id: "spend", debit: { userId: u.id }, credit: { userId: other.id }, currency: "diamonds", amount: 25, reason: "gift", ref: "stream:9" });
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await api("GET", `/api/v1/wallet/ledger?currency=diamonds&limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: u.token });
      assert.equal(r.status, 200);
      assert.ok(r.body.items.length <= 2);
      seen.push(...r.body.items);
      cursor = r.body.next_cursor;
    } while (cursor);
    assert.deepEqual(
      seen.map((e) => [e.transfer_id, e.amount, e.balance_after]),
      [
        ["spend", -25, 125],
        ["buy5", 50, 150],
        ["buy4", 40, 100],
        ["buy3", 30, 60],
        ["buy2", 20, 30],
        ["buy1", 10, 10],
      ],
    );
    assert.equal(seen[0].ref, "stream:9");
    assert.deepEqual(Object.keys(seen[0]).sort(), ["amount", "balance_after", "created_at", "currency", "id", "reason", "ref", "transfer_id"]);
  });

  describe("admin", () => {
    it("only admins reach the admin routes", async () => {
      const u = await createUser();
      assert.equal((await api("GET", "/api/v1/admin/economy/reconcile", { token: u.token })).status, 403);
      assert.equal((await grant(u.token, "key-00000001", { user_id: u.id, currency: "tokens", amount: 5, reason: "support" })).status, 403);
      assert.equal((await api("POST", `/api/v1/admin/economy/accounts/${u.id}/unflag`, { token: u.token })).status, 403);
      assert.equal((await api("GET", "/api/v1/admin/economy/reconcile")).status, 401);
    });

    it("a grant needs an Idempotency-Key and a valid body; bad requests change nothing", async () => {
      const admin = await createUser({ roles: ["admin"] });
      const u = await createUser();
      const body = { user_id: u.id, currency: "diamonds", amount: 50, reason: "support" };
      assert.equal((await grant(admin.token, undefined, body)).body.error.code, "idempotency_key_required");
      assert.equal((await grant(admin.token, "short", body)).status, 400);
      for (const bad of [
        { ...body, amount: 0 },
        { ...body, amount: -1 },
        { ...body, amount: 1.5 },
        { ...body, amount: "50" },
        { ...body, currency: "gold" },
        { ...body, user_id: "nope" },
        { ...body, reason: "" },
        { ...body, extra: true },
      ]) {
        const r = await grant(admin.token, "key-00000002", bad);
        assert.equal(r.status, 400, JSON.stringify(bad));
      }
      assert.equal((await grant(admin.token, "key-00000003", { ...body, user_id: new mongoose.Types.ObjectId().toHexString() })).body.error.code, "user_not_found");
      assert.equal(await entries().countDocuments({ user_id: u.id }), 0);
    });

    it("the same grant key sent 50 times concurrently grants once and answers 50 identical bodies", async () => {
      const admin = await createUser({ roles: ["admin"] });
      const u = await createUser();
      const body = { user_id: u.id, currency: "diamonds", amount: 50, reason: "support" };
      const rs = await Promise.all(Array.from({ length: 50 }, () => grant(admin.token, "grant-0000-0001", body)));
      for (const r of rs) {
        assert.equal(r.status, 201);
        assert.deepEqual(r.body, rs[0]!.body);
      }
      assert.equal(rs.filter((r) => r.headers.get("idempotent-replayed") === "false").length, 1);
      assert.deepEqual(rs[0]!.body.balances, { [u.id]: 50 });
      assert.deepEqual(rs[0]!.body.debit, { system: "promo" });
      const again = await grant(admin.token, "grant-0000-0001", { ...body, amount: 51 });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, "transfer_id_reused");
      assert.equal((await api("GET", "/api/v1/wallet", { token: u.token })).body.balances.diamonds, 50);
    });

    it("reconcile reports a balance that does not match its entries", async () => {
      const admin = await createUser({ roles: ["admin"] });
      const u = await createUser();
      await grant(admin.token, "grant-0000-0002", { user_id: u.id, currency: "diamonds", amount: 50, reason: "support" });
      const ok = await api("GET", "/api/v1/admin/economy/reconcile", { token: admin.token });
      assert.deepEqual(ok.body, { ok: true, accounts_checked: 2, mismatches: [] });
      await mongoose.connection.collection("economy_accounts").updateOne({ _id: `u:${u.id}:diamonds` as never }, { $inc: { balance: 7 } });
      const bad = await api("GET", "/api/v1/admin/economy/reconcile", { token: admin.token });
      assert.equal(bad.body.ok, false);
      assert.deepEqual(bad.body.mismatches, [{ kind: "account_balance", account: `u:${u.id}:diamonds`, stored: 57, expected: 57, actual: 50 }]);
    });

    it("a clawback-flagged wallet cannot spend until an admin clears it", async () => {
      const admin = await createUser({ roles: ["admin"] });
      const u = await createUser();
      const other = await createUser();
      await transfer({ id: "buy", debit: { system: "issuance" }, credit: { userId: u.id }, currency: "diamonds", amount: 100, reason: "purchase" });
      await transfer({ id: "gift", debit: { userId: u.id }, credit: { userId: other.id }, currency: "diamonds", amount: 90, reason: "gift" });
      await clawback({ id: "refund", debit: { userId: u.id }, credit: { system: "issuance" }, currency: "diamonds", amount: 100, reason: "refund_clawback" });
      const w = await api("GET", "/api/v1/wallet", { token: u.token });
      assert.equal(w.body.flagged, true);
      assert.equal(w.body.balances.diamonds, -90);
      await assert.rejects(
        transfer({ id: "spend", debit: { userId: u.id }, credit: { userId: other.id }, currency: "tokens", amount: 1, reason: "gift" }).then(() =>
          transfer({ id: "spend2", debit: { userId: u.id }, credit: { userId: other.id }, currency: "diamonds", amount: 1, reason: "gift" }),
        ),
        (e: any) => e.code === "wallet_flagged",
      );
      const cleared = await api("POST", `/api/v1/admin/economy/accounts/${u.id}/unflag`, { token: admin.token });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.flagged, false);
      assert.equal((await api("POST", `/api/v1/admin/economy/accounts/nope/unflag`, { token: admin.token })).status, 400);
      const ghost = new mongoose.Types.ObjectId().toHexString();
      assert.equal((await api("POST", `/api/v1/admin/economy/accounts/${ghost}/unflag`, { token: admin.token })).body.error.code, "user_not_found");
      assert.equal(await entries().countDocuments({ user_id: ghost }), 0, "no welcome grant minted for an id without a user");
    });
  });

  describe("regenerating keys", () => {
    // a token issued at the manual clock's now, so moving time by days does not expire it
    const wallet = async (u: TestUser) =>
      (await api("GET", "/api/v1/wallet", { token: await issueAccessToken({ userId: u.id, username: u.username, roles: u.roles }) })).body;

    it("spending at the cap starts the timer; a key returns exactly one interval later, through the ledger", async () => {
      const clock = manualClock(Date.UTC(2026, 3, 1, 12, 0, 0));
      const u = await createUser();
      assert.equal((await wallet(u)).keys.balance, 5);
      await transfer({ id: "unlock1", debit: { userId: u.id }, credit: { system: "revenue" }, currency: "keys", amount: 2, reason: "chapter_unlock" });
      let w = await wallet(u);
      assert.deepEqual(w.keys, { balance: 3, cap: 5, next_at: "2026-04-01T12:30:00.000Z", interval_seconds: 1800 });
      clock.advance(30 * 60_000 - 1);
      assert.equal((await wallet(u)).keys.balance, 3);
      clock.advance(1);
      w = await wallet(u);
      assert.deepEqual(w.keys, { balance: 4, cap: 5, next_at: "2026-04-01T13:00:00.000Z", interval_seconds: 1800 });
      // a long absence: back to the cap, not past it
      clock.advance(10 * 86_400_000);
      w = await wallet(u);
      assert.deepEqual(w.keys, { balance: 5, cap: 5, next_at: null, interval_seconds: 1800 });
      const regen = await entries().find({ user_id: u.id, reason: "key_regen" }).sort({ created_at: 1 }).toArray();
      assert.deepEqual(regen.map((e) => e.amount), [1, 1]);
      assert.equal((await reconcile()).ok, true);
    });

    it("a spend applies regeneration first; a purchase overfills above the cap and stops the timer", async () => {
      const clock = manualClock(Date.UTC(2026, 3, 1, 12, 0, 0));
      const u = await createUser();
      await wallet(u);
      await transfer({ id: "u1", debit: { userId: u.id }, credit: { system: "revenue" }, currency: "keys", amount: 5, reason: "chapter_unlock" });
      clock.advance(60 * 60_000); // two keys earned, nobody looked
      await assert.rejects(
        transfer({ id: "u2", debit: { userId: u.id }, credit: { system: "revenue" }, currency: "keys", amount: 3, reason: "chapter_unlock" }),
        (e: any) => e.code === "insufficient_funds" && e.details.balance === 2,
      );
      const spent = await transfer({ id: "u3", debit: { userId: u.id }, credit: { system: "revenue" }, currency: "keys", amount: 2, reason: "chapter_unlock" });
      assert.equal(spent.balances[u.id], 0);
      await transfer({ id: "buy", debit: { system: "issuance" }, credit: { userId: u.id }, currency: "keys", amount: 12, reason: "purchase" });
      const w = await wallet(u);
      assert.deepEqual(w.keys, { balance: 12, cap: 5, next_at: null, interval_seconds: 1800 });
      clock.advance(5 * 86_400_000);
      assert.equal((await wallet(u)).keys.balance, 12);
    });
  });
});
