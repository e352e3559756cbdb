import assert from "node:assert/strict";
import mongoose from "mongoose";
import {
  clawback,
  getWallet,
  reconcile,
  transfer,
  transferBatch,
  unflagWallet,
  withTransfer,
  type TransferSpec,
} from "../../src/economy";
import { resetState, testServer } from "../support/server";
import { createUsers } from "../support/factories";

/** Through the real store: transfers, linked batches, idempotency, clawback and flags. */
describe("economy ledger", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  const fund = (userId: string, amount: number, currency: TransferSpec["currency"] = "diamonds", id = `fund:${userId}:${currency}`) =>
    transfer({ id, debit: { system: "issuance" }, credit: { userId }, currency, amount, reason: "purchase" });

  it("moves value between users and records one entry per side with the balance after", async () => {
    const [a, b] = await createUsers(2);
    await fund(a!.id, 100);
    const r = await transfer({ id: "t1", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 30, reason: "gift", ref: "stream:x" });
    assert.equal(r.replayed, false);
    assert.deepEqual(r.balances, { [a!.id]: 70, [b!.id]: 30 });
    const entries = await mongoose.connection.collection("economy_entries").find({ transfer_id: "t1" }).sort({ amount: 1 }).toArray();
    assert.deepEqual(
      entries.map((e) => [e.user_id, e.amount, e.balance_after]),
      [
        [a!.id, -30, 70],
        [b!.id, 30, 30],
      ],
    );
    assert.equal((await reconcile()).ok, true);
  });

  it("refuses to take a user balance below zero and changes nothing", async () => {
    const [a, b] = await createUsers(2);
    await fund(a!.id, 10);
    await assert.rejects(
      transfer({ id: "t2", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 11, reason: "gift" }),
      (err: any) => err.code === "insufficient_funds" && err.details.balance === 10 && err.details.required === 11,
    );
    assert.equal((await getWallet(a!.id)).balances.diamonds, 10);
    assert.equal(await mongoose.connection.collection("economy_transfers").countDocuments({ _id: "t2" as never }), 0);
  });

  it("the same id and body answers the first result; a different body with the same id is transfer_id_reused", async () => {
    const [a, b] = await createUsers(2);
    await fund(a!.id, 100);
    const spec: TransferSpec = { id: "t3", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 5, reason: "gift" };
    const first = await transfer(spec);
    const again = await transfer(spec);
    assert.equal(again.replayed, true);
    assert.deepEqual({ ...again, replayed: false }, first);
    await assert.rejects(transfer({ ...spec, amount: 6 }), (err: any) => err.code === "transfer_id_reused");
    assert.equal((await getWallet(a!.id)).balances.diamonds, 95);
  });

  it("a linked batch is all or nothing", async () => {
    const [a, b] = await createUsers(2);
    await fund(a!.id, 50);
    await assert.rejects(
      transferBatch([
        { id: "g1", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 40, reason: "gift" },
        { id: "g1:fee", debit: { userId: a!.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 20, reason: "gift_fee" },
      ]),
      (err: any) => err.code === "insufficient_funds",
    );
    assert.equal((await getWallet(a!.id)).balances.diamonds, 50);
    assert.equal((await getWallet(b!.id)).balances.diamonds, 0);
    const ok = await transferBatch([
      { id: "g2", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 40, reason: "gift" },
      { id: "g2:fee", debit: { userId: a!.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 10, reason: "gift_fee" },
    ]);
    assert.equal(ok[1]!.balances[a!.id], 0);
    assert.equal((await reconcile()).ok, true);
  });

  it("withTransfer commits the caller's writes with the transfer, and neither when the write fails", async () => {
    const [a] = await createUsers(1);
    await fund(a!.id, 20, "diamonds");
    const progress = mongoose.connection.collection<{ _id: string; at: number }>("probe_progress");
    const spec: TransferSpec = { id: "unlock:1", debit: { userId: a!.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 5, reason: "premium_choice" };
    const done = await withTransfer(spec, async (session) => {
      await progress.insertOne({ _id: "p1", at: 1 }, { session });
      return "written";
    });
    assert.equal(done.result, "written");
    assert.equal(done.replayed, false);
    let ran = false;
    const replay = await withTransfer(spec, async () => {
      ran = true;
      return "again";
    });
    assert.equal(replay.replayed, true);
    assert.equal(ran, false);
    await assert.rejects(
      withTransfer({ ...spec, id: "unlock:2" }, async (session) => {
        await progress.insertOne({ _id: "p2", at: 2 }, { session });
        throw new Error("caller failed");
      }),
      /caller failed/,
    );
    assert.equal(await progress.countDocuments(), 1);
    assert.equal((await getWallet(a!.id)).balances.diamonds, 15);
    assert.equal((await reconcile()).ok, true);
  });

  it("a clawback may go below zero and flags the wallet until an admin clears it", async () => {
    const [a, b] = await createUsers(2);
    await fund(a!.id, 100);
    await transfer({ id: "spend", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 80, reason: "gift" });
    const r = await clawback({ id: "refund:1", debit: { userId: a!.id }, credit: { system: "issuance" }, currency: "diamonds", amount: 100, reason: "refund_clawback" });
    assert.equal(r.balances[a!.id], -80);
    const w = await getWallet(a!.id);
    assert.equal(w.flagged, true);
    await fund(a!.id, 200, "diamonds", "fund2");
    await assert.rejects(
      transfer({ id: "spend2", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 1, reason: "gift" }),
      (err: any) => err.code === "wallet_flagged",
    );
    const cleared = await unflagWallet(a!.id);
    assert.equal(cleared.flagged, false);
    await transfer({ id: "spend3", debit: { userId: a!.id }, credit: { userId: b!.id }, currency: "diamonds", amount: 1, reason: "gift" });
    assert.equal((await reconcile()).ok, true);
  });

  it("a ledger call from inside a withTransfer write is refused instead of waiting for its own batch forever", async () => {
    const [a] = await createUsers(1);
    await fund(a!.id, 20);
    const spec: TransferSpec = { id: "outer", debit: { userId: a!.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 5, reason: "gift" };
    await assert.rejects(
      withTransfer(spec, async () => transfer({ ...spec, id: "inner" })),
      /inside a withTransfer write/,
    );
    assert.equal((await getWallet(a!.id)).balances.diamonds, 20, "neither transfer happened");
  });

  it("in one batch, a withTransfer whose write fails rolls back alone; the others commit with their writes", async () => {
    const [a] = await createUsers(1);
    await fund(a!.id, 1000);
    const progress = mongoose.connection.collection<{ _id: string }>("probe_progress");
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        withTransfer({ id: `unlock:${i}`, debit: { userId: a!.id }, credit: { system: "revenue" }, currency: "diamonds", amount: 10, reason: "chapter_unlock" }, async (session) => {
          await progress.insertOne({ _id: `p${i}` }, { session });
          if (i % 3 === 0) throw new Error(`write ${i} failed`);
          return i;
        }),
      ),
    );
    const ok = settled.filter((r) => r.status === "fulfilled").length;
    assert.equal(ok, 20);
    settled.forEach((r, i) => assert.equal(r.status === "rejected", i % 3 === 0));
    assert.equal(await progress.countDocuments(), 20);
    assert.equal((await getWallet(a!.id)).balances.diamonds, 1000 - 20 * 10);
    assert.equal((await reconcile()).ok, true);
  });
});
