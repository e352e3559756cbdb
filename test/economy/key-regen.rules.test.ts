import assert from "node:assert/strict";
import { anchorAfterChange, nextRegenAt, regenerate, type RegenPolicy } from "../../src/economy/key-regen.rules";

const MIN = 60_000;
const policy: RegenPolicy = { cap: 5, intervalMs: 30 * MIN };
const T0 = Date.UTC(2026, 0, 1);

describe("key regeneration rules", () => {
  it("nothing arrives one millisecond before the interval; one arrives exactly at it", () => {
    const s = { balance: 2, anchor: T0 };
    assert.deepEqual(regenerate(s, T0 + 30 * MIN - 1, policy), { balance: 2, anchor: T0, gained: 0 });
    assert.deepEqual(regenerate(s, T0 + 30 * MIN, policy), { balance: 3, anchor: T0 + 30 * MIN, gained: 1 });
  });

  it("keeps the partial interval: the next key is due one interval after the last whole one", () => {
    const r = regenerate({ balance: 0, anchor: T0 }, T0 + 75 * MIN, policy);
    assert.deepEqual(r, { balance: 2, anchor: T0 + 60 * MIN, gained: 2 });
    assert.equal(nextRegenAt(r, policy), T0 + 90 * MIN);
  });

  it("a long absence fills up to the cap, not past it, and stops the timer", () => {
    const r = regenerate({ balance: 1, anchor: T0 }, T0 + 365 * 24 * 60 * MIN, policy);
    assert.deepEqual(r, { balance: 5, anchor: null, gained: 4 });
    assert.equal(nextRegenAt(r, policy), null);
  });

  it("reaching the cap exactly on an interval boundary stops the timer", () => {
    assert.deepEqual(regenerate({ balance: 4, anchor: T0 }, T0 + 30 * MIN, policy), { balance: 5, anchor: null, gained: 1 });
  });

  it("at or above the cap nothing regenerates (an overfilled purchase stays as bought)", () => {
    assert.deepEqual(regenerate({ balance: 5, anchor: null }, T0 + 999 * MIN, policy), { balance: 5, anchor: null, gained: 0 });
    assert.deepEqual(regenerate({ balance: 12, anchor: null }, T0 + 999 * MIN, policy), { balance: 12, anchor: null, gained: 0 });
  });

  it("spending from the cap starts the timer at the spend; spending below it keeps the running timer", () => {
    assert.equal(anchorAfterChange(null, 4, T0 + 7 * MIN, policy), T0 + 7 * MIN);
    assert.equal(anchorAfterChange(T0, 3, T0 + 7 * MIN, policy), T0);
  });

  it("a credit that reaches or passes the cap stops the timer; one that stays below keeps it", () => {
    assert.equal(anchorAfterChange(T0, 5, T0 + MIN, policy), null);
    assert.equal(anchorAfterChange(T0, 25, T0 + MIN, policy), null);
    assert.equal(anchorAfterChange(T0, 4, T0 + MIN, policy), T0);
  });

  it("spending everything from an overfilled balance below the cap starts the timer then", () => {
    const spentAt = T0 + 3 * MIN;
    const anchor = anchorAfterChange(null, 0, spentAt, policy);
    assert.equal(anchor, spentAt);
    assert.deepEqual(regenerate({ balance: 0, anchor }, spentAt + 30 * MIN, policy), { balance: 1, anchor: spentAt + 30 * MIN, gained: 1 });
  });

  it("below the cap without an anchor the timer starts now, nothing is back-dated", () => {
    assert.deepEqual(regenerate({ balance: 0, anchor: null }, T0, policy), { balance: 0, anchor: T0, gained: 0 });
  });

  it("a clock that went backwards gives nothing and keeps the anchor", () => {
    assert.deepEqual(regenerate({ balance: 1, anchor: T0 }, T0 - 10 * MIN, policy), { balance: 1, anchor: T0, gained: 0 });
  });
});
