import assert from "node:assert/strict";
import mongoose from "mongoose";
import { getWallet, reconcile, transfer, type TransferResult, type TransferSpec } from "../../src/economy";
import { LedgerEngine } from "../../src/economy/ledger.engine";
import { transferOn } from "../../src/economy/ledger.service";
import { resetState, testServer } from "../support/server";
import { createUsers } from "../support/factories";

/**
 * Through the real store, concurrently. Half of the requests go through a second engine so two
 * independent writers (as two processes would be) race on the same account documents.
 */
describe("economy ledger under concurrency", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  const second = new LedgerEngine();
  // diamonds: no welcome grant, so every balance here is what the test moved
  const fund = (userId: string, amount: number) =>
    transfer({ id: `fund:${userId}`, debit: { system: "issuance" }, credit: { userId }, currency: "diamonds", amount, reason: "purchase" });

  it("1,000 concurrent debits and transfers touching one account: never negative, exact final balance, books balance", async () => {
    const [a, b, c] = await createUsers(3);
    await Promise.all([fund(a!.id, 600), fund(b!.id, 200), fund(c!.id, 200)]);
    const A = { userId: a!.id };
    const specs: TransferSpec[] = Array.from({ length: 1000 }, (_, i) => {
      const kind = i % 4;
      const base = { id: `op${i}`, currency: "diamonds" as const, reason: "gift" };
      if (kind === 0) return { ...base, debit: A, credit: { system: "revenue" }, amount: 3 };
      if (kind === 1) return { ...base, debit: A, credit: { userId: b!.id }, amount: 3 };
      if (kind === 2) return { ...base, debit: { userId: b!.id }, credit: A, amount: 1 };
      return { ...base, debit: { userId: c!.id }, credit: A, amount: 1 };
    });
    const settled = await Promise.allSettled(specs.map((s, i) => (i % 2 === 0 ? transfer(s) : transferOn(second, s))));

    let expected = 600;
    let refused = 0;
    settled.forEach((r, i) => {
      const s = specs[i]!;
      if (r.status === "rejected") {
        assert.equal((r.reason as { code?: string }).code, "insufficient_funds", String(r.reason));
        refused++;
        return;
      }
      if ("userId" in s.debit && s.debit.userId === a!.id) expected -= s.amount;
      if ("userId" in s.credit && s.credit.userId === a!.id) expected += s.amount;
    });
    assert.ok(refused > 0, "A asked to spend more than it ever had, so some debits were refused");
    assert.equal((await getWallet(a!.id)).balances.diamonds, expected);
    const entries = mongoose.connection.collection("economy_entries");
    assert.equal(await entries.countDocuments({ user_id: { $exists: true }, balance_after: { $lt: 0 } }), 0, "no user balance was ever below zero");
    assert.equal(await entries.countDocuments({ reason: "gift" }), 2 * (1000 - refused), "two entries per applied transfer, none for refused ones");
    const report = await reconcile();
    assert.deepEqual(report.mismatches, []);
    assert.equal(report.ok, true);
  });

  it("the same transfer id sent 50 times concurrently: one effect and 50 identical answers", async () => {
    const [a, b] = await createUsers(2);
    await fund(a!.id, 100);
    const spec: TransferSpec = { id: "gift:stream1:k42", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 7, reason: "gift", ref: "stream:1" };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? transfer(spec) : transferOn(second, spec))));
    const strip = ({ replayed: _r, ...rest }: TransferResult) => rest;
    for (const r of results) assert.deepEqual(strip(r), strip(results[0]!));
    assert.equal(results.filter((r) => !r.replayed).length, 1, "exactly one of them applied it");
    assert.deepEqual(results[0]!.balances, { [a!.id]: 93, [b!.id]: 7 });
    assert.equal(await mongoose.connection.collection("economy_transfers").countDocuments({ _id: spec.id as never }), 1);
    assert.equal((await getWallet(a!.id)).balances.diamonds, 93);
    assert.equal((await reconcile()).ok, true);
  });

  it("1,000 senders into one creator account land exactly", async () => {
    const senders = await createUsers(200);
    const [creator] = await createUsers(1);
    await Promise.all(senders.map((s) => fund(s.id, 10)));
    const gifts = senders.flatMap((s, i) =>
      Array.from({ length: 5 }, (_, k) => ({ id: `g:${i}:${k}`, debit: { userId: s.id }, credit: { userId: creator!.id }, currency: "diamonds" as const, amount: 2, reason: "gift" })),
    );
    await Promise.all(gifts.map((g, i) => (i % 2 === 0 ? transfer(g) : transferOn(second, g))));
    assert.equal((await getWallet(creator!.id)).balances.diamonds, 1000 * 2);
    for (const s of senders.slice(0, 5)) assert.equal((await getWallet(s.id)).balances.diamonds, 0);
    assert.equal((await reconcile()).ok, true);
  });

  describe("the engine's account cache is only a guess", () => {
    const spend = (id: string, userId: string, amount: number) =>
      transfer({ id, debit: { userId }, credit: { system: "revenue" }, currency: "diamonds", amount, reason: "gift" });

    it("a refusal decided on a cached balance is re-checked: value credited by another writer can be spent", async () => {
      const [u] = await createUsers(1);
      await fund(u!.id, 10);
      await spend("s1", u!.id, 10); // this engine now remembers a balance of 0
      await transferOn(second, { id: "b1", debit: { system: "issuance" }, credit: { userId: u!.id }, currency: "diamonds", amount: 50, reason: "purchase" });
      const r = await spend("s2", u!.id, 30);
      assert.equal(r.balances[u!.id], 20);
      // and a write based on a stale cached version is refused and redone on fresh state
      await transferOn(second, { id: "b2", debit: { system: "issuance" }, credit: { userId: u!.id }, currency: "diamonds", amount: 5, reason: "purchase" });
      assert.equal((await spend("s3", u!.id, 1)).balances[u!.id], 24);
      assert.equal((await reconcile()).ok, true);
    });

    it("an account wiped and re-created by another writer is never mistaken for the one remembered", async () => {
      const [u] = await createUsers(1);
      await fund(u!.id, 100);
      await spend("s1", u!.id, 1);
      await spend("s2", u!.id, 1); // revenue written twice by this engine
      const db = mongoose.connection.db!;
      for (const c of ["economy_accounts", "economy_transfers", "economy_entries"]) await db.collection(c).deleteMany({});
      await transferOn(second, { id: "f2", debit: { system: "issuance" }, credit: { userId: u!.id }, currency: "diamonds", amount: 100, reason: "purchase" });
      await transferOn(second, { id: "x1", debit: { userId: u!.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 7, reason: "gift" });
      await transferOn(second, { id: "x2", debit: { userId: u!.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 7, reason: "gift" });
      await spend("s3", u!.id, 1);
      const report = await reconcile();
      assert.deepEqual(report.mismatches, []);
      assert.equal((await getWallet(u!.id)).balances.diamonds, 85);
    });
  });
});
