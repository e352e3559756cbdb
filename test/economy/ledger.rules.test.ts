import assert from "node:assert/strict";
import { codeOf } from "../support/errors";
import {
  accountKey,
  creditAccount,
  debitAccount,
  newAccountState,
  sameTransferBody,
  validateTransferSpec,
  type TransferRecord,
} from "../../src/economy/ledger.rules";
import type { TransferSpec } from "../../src/economy/economy.types";

const NOW = new Date(Date.UTC(2026, 0, 1));
const spec: TransferSpec = { id: "gift:s1:k1", debit: { userId: "a1" }, credit: { userId: "b2" }, currency: "tokens", amount: 10, reason: "gift", ref: "stream:s1" };


describe("ledger rules", () => {
  describe("validateTransferSpec", () => {
    it("accepts a well-formed transfer", () => {
      assert.deepEqual(validateTransferSpec(spec), spec);
    });
    const bad: Array<[string, unknown]> = [
      ["a zero amount", { ...spec, amount: 0 }],
      ["a negative amount", { ...spec, amount: -5 }],
      ["a fractional amount", { ...spec, amount: 1.5 }],
      ["an amount past 2^53", { ...spec, amount: 2 ** 53 }],
      ["an amount as a string", { ...spec, amount: "10" }],
      ["an unknown currency", { ...spec, currency: "gold" }],
      ["an unknown system account", { ...spec, credit: { system: "bank" } }],
      ["an account naming both a user and a system", { ...spec, credit: { userId: "b2", system: "promo" } }],
      ["a user id with a colon (account-key injection)", { ...spec, credit: { userId: "b2:tokens" } }],
      ["the same account on both sides", { ...spec, credit: { userId: "a1" } }],
      ["an empty id", { ...spec, id: "" }],
      ["an id with spaces", { ...spec, id: "a b" }],
      ["an id past 200 characters", { ...spec, id: "x".repeat(201) }],
      ["an empty reason", { ...spec, reason: "" }],
      ["an unknown field", { ...spec, extra: 1 }],
    ];
    for (const [what, input] of bad) {
      it(`refuses ${what} with invalid_transfer`, () => {
        assert.equal(codeOf(() => validateTransferSpec(input as TransferSpec)), "invalid_transfer");
      });
    }
  });

  it("account keys separate users, systems and currencies", () => {
    assert.equal(accountKey({ userId: "a1" }, "tokens"), "u:a1:tokens");
    assert.equal(accountKey({ system: "promo" }, "keys"), "s:promo:keys");
    assert.notEqual(accountKey({ userId: "a1" }, "tokens"), accountKey({ userId: "a1" }, "diamonds"));
  });

  it("same body means same accounts, currency, amount, reason and ref", () => {
    const rec: TransferRecord = {
      _id: spec.id,
      debit: spec.debit,
      credit: spec.credit,
      debit_account: "u:a1:tokens",
      credit_account: "u:b2:tokens",
      currency: "tokens",
      amount: 10,
      reason: "gift",
      ref: "stream:s1",
      created_at: NOW,
      balances: {},
    };
    assert.equal(sameTransferBody(rec, spec), true);
    assert.equal(sameTransferBody(rec, { ...spec, amount: 11 }), false);
    assert.equal(sameTransferBody(rec, { ...spec, ref: undefined }), false);
    assert.equal(sameTransferBody(rec, { ...spec, credit: { system: "revenue" } }), false);
    assert.equal(sameTransferBody(rec, { ...spec, reason: "tip" }), false);
  });

  describe("posting", () => {
    const user = (balance: number, extra = {}) => ({ ...newAccountState("u:a1:tokens", "tokens", NOW), balance, ...extra });

    it("a user account may reach zero but not go below it, and says what it has", () => {
      assert.equal(debitAccount(user(10), 10, NOW).balance, 0);
      assert.throws(
        () => debitAccount(user(10), 11, NOW),
        (e: any) => e.code === "insufficient_funds" && e.details.balance === 10 && e.details.required === 11 && e.details.currency === "tokens",
      );
    });

    it("a system account may go negative (issuance is where value comes from)", () => {
      const issuance = newAccountState("s:issuance:tokens", "tokens", NOW);
      assert.equal(debitAccount(issuance, 500, NOW).balance, -500);
    });

    it("a flagged user account cannot spend, even with funds, but can receive", () => {
      assert.equal(codeOf(() => debitAccount(user(100, { flagged: true }), 1, NOW)), "wallet_flagged");
      assert.equal(creditAccount(user(100, { flagged: true }), 5, NOW).balance, 105);
    });

    it("a clawback may take a user below zero and flags the account; one that stays at or above zero does not flag", () => {
      const after = debitAccount(user(30), 100, NOW, { clawback: true });
      assert.equal(after.balance, -70);
      assert.equal(after.flagged, true);
      assert.equal(debitAccount(user(100), 100, NOW, { clawback: true }).flagged, false);
    });

    it("a hold account never goes negative", () => {
      const h = { ...newAccountState("h:x", "tokens", NOW), balance: 5 };
      assert.equal(codeOf(() => debitAccount(h, 6, NOW)), "insufficient_funds");
    });

    it("a credit that would pass 2^53 is refused", () => {
      assert.equal(codeOf(() => creditAccount(user(Number.MAX_SAFE_INTEGER), 1, NOW)), "amount_overflow");
    });
  });
});
