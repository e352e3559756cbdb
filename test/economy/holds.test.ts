import assert from "node:assert/strict";
import { captureHold, getHold, getWallet, hold, reconcile, releaseHold, transfer } from "../../src/economy";
import { runHoldSweepOnce } from "../../src/economy/hold-sweeper.job";
import { manualClock, resetState, testServer } from "../support/server";
import { createUsers } from "../support/factories";

describe("economy holds (two-phase transfers)", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  const fund = (userId: string, amount: number) =>
    transfer({ id: `fund:${userId}`, debit: { system: "issuance" }, credit: { userId }, currency: "inr", amount, reason: "purchase" });

  it("a hold moves value from available into held; a partial capture pays the target and the fee and releases the rest", async () => {
    const [brand, influencer] = await createUsers(2);
    await fund(brand!.id, 10_000);
    const h = await hold({ id: "deal:1", userId: brand!.id, currency: "inr", amount: 6_000, reason: "escrow", ref: "deal:1" });
    assert.equal(h.status, "pending");
    let w = await getWallet(brand!.id);
    assert.equal(w.balances.inr, 4_000);
    assert.equal(w.held.inr, 6_000);

    const captured = await captureHold("deal:1", { id: "deal:1:capture", credit: { userId: influencer!.id }, amount: 4_500, fee: { credit: { system: "revenue" }, amount: 500 } });
    assert.equal(captured.status, "captured");
    assert.equal(captured.captured, 5_000);
    w = await getWallet(brand!.id);
    assert.equal(w.balances.inr, 5_000, "the 1,000 not captured came back");
    assert.equal(w.held.inr, 0);
    assert.equal((await getWallet(influencer!.id)).balances.inr, 4_500);
    assert.deepEqual(await reconcile(), { ok: true, accounts_checked: (await reconcile()).accounts_checked, mismatches: [] });
  });

  it("capture and release are idempotent by their id; a second, different settlement is refused", async () => {
    const [brand, influencer] = await createUsers(2);
    await fund(brand!.id, 1_000);
    await hold({ id: "h1", userId: brand!.id, currency: "inr", amount: 700, reason: "escrow" });
    const first = await captureHold("h1", { id: "c1", credit: { userId: influencer!.id } });
    const again = await captureHold("h1", { id: "c1", credit: { userId: influencer!.id } });
    assert.deepEqual(again, first);
    await assert.rejects(releaseHold("h1", { id: "r1" }), (e: any) => e.code === "hold_not_pending");
    assert.equal((await getWallet(influencer!.id)).balances.inr, 700);

    await hold({ id: "h2", userId: brand!.id, currency: "inr", amount: 300, reason: "escrow" });
    const released = await releaseHold("h2", { id: "r2" });
    assert.equal(released.status, "released");
    assert.deepEqual(await releaseHold("h2", { id: "r2" }), released);
    await assert.rejects(captureHold("h2", { id: "c2", credit: { userId: influencer!.id } }), (e: any) => e.code === "hold_not_pending");
    assert.equal((await getWallet(brand!.id)).balances.inr, 300);
    assert.equal((await reconcile()).ok, true);
  });

  it("a hold needs available funds, is idempotent by id, and a reused id with another body is refused", async () => {
    const [brand] = await createUsers(1);
    await fund(brand!.id, 100);
    await assert.rejects(hold({ id: "big", userId: brand!.id, currency: "inr", amount: 101, reason: "escrow" }), (e: any) => e.code === "insufficient_funds");
    const h = await hold({ id: "h", userId: brand!.id, currency: "inr", amount: 60, reason: "escrow" });
    assert.deepEqual(await hold({ id: "h", userId: brand!.id, currency: "inr", amount: 60, reason: "escrow" }), h);
    await assert.rejects(hold({ id: "h", userId: brand!.id, currency: "inr", amount: 61, reason: "escrow" }), (e: any) => e.code === "hold_id_reused");
    // held value cannot be spent twice
    await assert.rejects(
      transfer({ id: "spend", debit: { userId: brand!.id }, credit: { system: "revenue" }, currency: "inr", amount: 41, reason: "x" }),
      (e: any) => e.code === "insufficient_funds" && e.details.balance === 40,
    );
    assert.equal((await getWallet(brand!.id)).balances.inr, 40);
  });

  it("a capture larger than the hold is refused and changes nothing", async () => {
    const [brand, influencer] = await createUsers(2);
    await fund(brand!.id, 100);
    await hold({ id: "h", userId: brand!.id, currency: "inr", amount: 50, reason: "escrow" });
    await assert.rejects(
      captureHold("h", { id: "c", credit: { userId: influencer!.id }, amount: 45, fee: { credit: { system: "revenue" }, amount: 6 } }),
      (e: any) => e.code === "capture_exceeds_hold",
    );
    assert.equal((await getHold("h"))!.status, "pending");
    assert.equal((await getWallet(brand!.id)).held.inr, 50);
  });

  it("an expired hold cannot be captured; the sweeper releases it and the money is available again", async () => {
    const clock = manualClock(Date.UTC(2026, 5, 1));
    const [brand, influencer] = await createUsers(2);
    await fund(brand!.id, 500);
    await hold({ id: "h", userId: brand!.id, currency: "inr", amount: 200, reason: "escrow", expiresAt: new Date(clock.now().getTime() + 60_000) });
    clock.advance(59_999);
    assert.equal((await runHoldSweepOnce()).expired, 0, "not yet expired");
    clock.advance(1);
    await assert.rejects(captureHold("h", { id: "late", credit: { userId: influencer!.id } }), (e: any) => e.code === "hold_expired");
    assert.equal((await runHoldSweepOnce()).expired, 1);
    assert.equal((await getHold("h"))!.status, "expired");
    const w = await getWallet(brand!.id);
    assert.equal(w.balances.inr, 500);
    assert.equal(w.held.inr, 0);
    await assert.rejects(captureHold("h", { id: "late", credit: { userId: influencer!.id } }), (e: any) => e.code === "hold_expired");
    assert.equal((await runHoldSweepOnce()).expired, 0, "released once");
    assert.equal((await reconcile()).ok, true);
  });

  it("an unknown hold is hold_not_found", async () => {
    await assert.rejects(releaseHold("nope", { id: "r" }), (e: any) => e.code === "hold_not_found");
    assert.equal(await getHold("nope"), null);
  });

  it("holds captured and released concurrently with transfers on the same account keep every balance exact", async () => {
    const [brand, influencer, other] = await createUsers(3);
    await fund(brand!.id, 100_000);
    const N = 60;
    await Promise.all(Array.from({ length: N }, (_, i) => hold({ id: `h${i}`, userId: brand!.id, currency: "inr", amount: 1_000, reason: "escrow" })));
    // even holds are captured (700 to the influencer, 100 fee), odd ones released, while the brand keeps paying another user
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      ops.push(
        i % 2 === 0
          ? captureHold(`h${i}`, { id: `c${i}`, credit: { userId: influencer!.id }, amount: 700, fee: { credit: { system: "revenue" }, amount: 100 } })
          : releaseHold(`h${i}`, { id: `r${i}` }),
      );
      ops.push(transfer({ id: `pay${i}`, debit: { userId: brand!.id }, credit: { userId: other!.id }, currency: "inr", amount: 10, reason: "payment" }));
    }
    await Promise.all(ops);
    const captures = N / 2;
    const w = await getWallet(brand!.id);
    assert.equal(w.held.inr, 0);
    assert.equal(w.balances.inr, 100_000 - captures * 800 - N * 10);
    assert.equal((await getWallet(influencer!.id)).balances.inr, captures * 700);
    assert.equal((await getWallet(other!.id)).balances.inr, N * 10);
    assert.equal((await reconcile()).ok, true);
  });
});
