import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { transfer, getWallet, grantWelcome } from "../../src/economy";
import { api } from "../support/http";
import { createUser, type TestUser } from "../support/factories";

/** Helpers for playthrough tests: balances through the real ledger, chapters through REST. */

/** A user as registration makes one: with the welcome grants (5 keys, 100 tokens). */
export async function createReader(): Promise<TestUser> {
  const user = await createUser();
  await grantWelcome(user.id);
  return user;
}

export async function grantDiamonds(userId: string, amount: number): Promise<void> {
  await transfer({ id: `test_grant:${randomUUID()}`, debit: { system: "issuance" }, credit: { userId }, currency: "diamonds", amount, reason: "test_grant" });
}

/** Take every key (the welcome grant is applied first by getWallet), so regeneration starts now. */
export async function drainKeys(userId: string): Promise<void> {
  const w = await getWallet(userId);
  if (w.keys.balance > 0) {
    await transfer({ id: `test_drain:${randomUUID()}`, debit: { userId }, credit: { system: "issuance" }, currency: "keys", amount: w.keys.balance, reason: "test_drain" });
  }
}

export async function play(token: string, path: string, body: Record<string, unknown>) {
  return api("POST", `/api/v1/play/${path}`, { token, body });
}

/** Start chapter `n`, make `choices` ([scene, option] as read from the content), advance to the end. */
export async function playChapterRest(token: string, bookId: string, n: number, choices: Array<[string, string]>) {
  const start = await play(token, "start", { book_id: bookId, chapter: n });
  assert.equal(start.status, 200, JSON.stringify(start.body));
  let view = start.body;
  for (const [scene, option] of choices) {
    const res = await play(token, "choice", { book_id: bookId, scene_id: scene, choice_id: option });
    assert.equal(res.status, 200, `${scene}/${option}: ${JSON.stringify(res.body)}`);
    view = res.body.view;
  }
  for (let i = 0; i < 50 && !view.ended; i++) view = (await play(token, "advance", { book_id: bookId })).body;
  assert.ok(view.ended, "the chapter ended");
  return view;
}
