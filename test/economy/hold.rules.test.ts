import assert from "node:assert/strict";
import { codeOf } from "../support/errors";
import { checkSettle, isExpired, planCapture, type HoldFacts } from "../../src/economy/hold.rules";

const NOW = new Date(Date.UTC(2026, 0, 1, 12));
const pending: HoldFacts = { amount: 1000, user_id: "brand", status: "pending", expires_at: null, settled_by: null };

describe("hold rules", () => {
  it("a pending hold may be settled; the settlement that closed it replays; any other is refused by state", () => {
    assert.equal(checkSettle(pending, "c1", NOW), "settle");
    assert.equal(checkSettle({ ...pending, status: "captured", settled_by: "c1" }, "c1", NOW), "replay");
    assert.equal(codeOf(() => checkSettle({ ...pending, status: "captured", settled_by: "c1" }, "r1", NOW)), "hold_not_pending");
    assert.equal(codeOf(() => checkSettle({ ...pending, status: "released", settled_by: "r1" }, "c2", NOW)), "hold_not_pending");
    assert.equal(codeOf(() => checkSettle({ ...pending, status: "expired", settled_by: "expire:h" }, "c1", NOW)), "hold_expired");
  });

  it("expires exactly at expires_at, not a millisecond before", () => {
    assert.equal(isExpired({ ...pending, expires_at: new Date(NOW.getTime() + 1) }, NOW), false);
    assert.equal(isExpired({ ...pending, expires_at: NOW }, NOW), true);
    assert.equal(codeOf(() => checkSettle({ ...pending, expires_at: NOW }, "c1", NOW)), "hold_expired");
    assert.equal(isExpired({ ...pending, status: "captured", expires_at: NOW }, NOW), false, "a settled hold is not expired after the fact");
  });

  it("a full capture takes the whole hold, less the fee", () => {
    assert.deepEqual(planCapture(pending, { credit: { userId: "inf" } }), { amount: 1000, fee: 0, rest: 0 });
    assert.deepEqual(planCapture(pending, { credit: { userId: "inf" }, fee: { credit: { system: "revenue" }, amount: 100 } }), { amount: 900, fee: 100, rest: 0 });
  });

  it("a partial capture releases the rest", () => {
    assert.deepEqual(planCapture(pending, { credit: { userId: "inf" }, amount: 600, fee: { credit: { system: "revenue" }, amount: 50 } }), { amount: 600, fee: 50, rest: 350 });
  });

  it("a capture and fee must fit in the hold, leave the target something, and not pay the owner", () => {
    assert.equal(codeOf(() => planCapture(pending, { credit: { userId: "inf" }, amount: 1001 })), "capture_exceeds_hold");
    assert.equal(codeOf(() => planCapture(pending, { credit: { userId: "inf" }, amount: 950, fee: { credit: { system: "revenue" }, amount: 51 } })), "capture_exceeds_hold");
    assert.equal(codeOf(() => planCapture(pending, { credit: { userId: "inf" }, fee: { credit: { system: "revenue" }, amount: 1000 } })), "capture_exceeds_hold");
    assert.equal(codeOf(() => planCapture(pending, { credit: { userId: "brand" } })), "invalid_capture");
    assert.equal(codeOf(() => planCapture(pending, { credit: { userId: "inf" }, fee: { credit: { userId: "brand" }, amount: 1 } })), "invalid_capture");
  });
});
