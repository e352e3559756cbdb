import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { getWallet, transfer } from "../../src/economy";
import { config, setConfig, type Config } from "../../src/config";
import { seedGiftCatalog } from "../../src/live/gift.service";
import { api } from "./http";
import { sdkClient } from "./sdk";
import { resetState, testServer } from "./server";
import type { TestUser } from "./factories";

/** Live-stream test helpers: a stream through REST, tokens from promo, SDK clients in the live room. */
export async function createStream(creator: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api("POST", "/api/v1/streams", { token: creator.token, body: { title: "Live!", category: "music", ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

export async function goLive(creator: TestUser, streamId: string): Promise<void> {
  const res = await api("POST", `/api/v1/streams/${streamId}/go-live`, { token: creator.token, body: {} });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

export async function liveStream(creator: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const id = await createStream(creator, body);
  await goLive(creator, id);
  return id;
}

let grants = 0;
/** Top a user up to exactly `amount` tokens over the welcome grant (which getWallet settles first). */
export async function grantTokens(user: TestUser, amount: number): Promise<void> {
  await getWallet(user.id);
  await transfer({ id: `test-grant:${user.id}:${++grants}`, debit: { system: "promo" }, credit: { userId: user.id }, currency: "tokens", amount, reason: "test_grant" });
}

export { seedGiftCatalog };

/** Welcome grant every user has (100 tokens, src/economy/currencies.ts). */
export const WELCOME_TOKENS = 100;

export async function tokensOf(user: TestUser): Promise<number> {
  return (await getWallet(user.id)).balances.tokens;
}

export function joinLive(user: TestUser, streamId: string): Promise<Room<any>> {
  return sdkClient(user.token).joinOrCreate("live", { streamId });
}

export function stateOf(room: Room<any>): any {
  return room.state.toJSON();
}

/** Wait until the client's decoded state satisfies `check`. */
export async function until(room: Room<any>, check: (state: any) => boolean, what: string, ms = 4000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const state = stateOf(room);
    if (check(state)) return state;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; state: ${JSON.stringify(state).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collect every message of `type` a room receives. */
export function collect<T = any>(room: Room<any>, type: string): T[] {
  const out: T[] = [];
  room.onMessage(type, (m: T) => out.push(m));
  return out;
}

/** A rejected room.request, as `{ code, message }`. */
export async function requestError(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  return assert.fail("the request succeeded");
}

export const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

/** Run `fn` with some configuration changed (the live room reads config() per message). */
export async function withConfig<T>(patch: Partial<Config>, fn: () => Promise<T>): Promise<T> {
  const saved = config();
  setConfig({ ...saved, ...patch });
  try {
    return await fn();
  } finally {
    setConfig(saved);
  }
}

/**
 * Mocha hooks for a live-room suite: the booted server, a clean slate per test, and every room
 * joined through `track` left after the test. Call inside `describe`.
 */
export function liveSuite(beforeEachTest?: () => Promise<void>): { track: (p: Promise<Room<any>>) => Promise<Room<any>> } {
  const open: Room<any>[] = [];
  before(testServer);
  beforeEach(async () => {
    await resetState();
    await beforeEachTest?.();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
    await settle(50);
  });
  return {
    track: async (p) => {
      const room = await p;
      open.push(room);
      return room;
    },
  };
}
