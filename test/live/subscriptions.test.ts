import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser, type TestUser } from "../support/factories";
import { manualClock } from "../support/server";
import { grantTokens, joinLive, liveStream, tokensOf, until, WELCOME_TOKENS, liveSuite } from "../support/live";
import { listSubscriptions, renewDueSubscriptions, SUBSCRIPTION_PERIOD_MS, SUBSCRIPTION_PRICE } from "../../src/live/subscription.service";

/** Creator subscriptions: paid in tokens, subscriber-only streams, the chat badge, renewal or lapse at renews_at. */
describe("creator subscriptions", () => {
  let creator: TestUser;
  const { track } = liveSuite(async () => {
    creator = await createUser({ roles: ["creator"] });
  });

  it("a subscriber enters a subscribers-only stream and chats with the badge; others are refused", async () => {
    const [fan, other] = [await createUser(), await createUser()];
    await grantTokens(fan, SUBSCRIPTION_PRICE);
    const id = await liveStream(creator, { access: "subscribers" });
    await assert.rejects(joinLive(fan, id), /subscribers_only/);
    const sub = await api("POST", "/api/v1/creator-subscriptions", { token: fan.token, body: { creator_id: creator.id } });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    assert.deepEqual([sub.body.active, sub.body.periods, sub.body.price], [true, 1, SUBSCRIPTION_PRICE]);
    assert.equal(await tokensOf(fan), WELCOME_TOKENS);
    assert.equal((await api("POST", "/api/v1/creator-subscriptions", { token: fan.token, body: { creator_id: creator.id } })).body.error.code, "already_subscribed");
    const room = await track(joinLive(fan, id));
    await room.request("chat", { text: "hi from a subscriber" });
    const s = await until(room, (s) => s.chat.length === 1, "the line");
    assert.equal(s.chat[0].subscriber, true);
    await assert.rejects(joinLive(other, id), /subscribers_only/);
    assert.equal((await api("POST", "/api/v1/creator-subscriptions", { token: other.token, body: { creator_id: creator.id } })).body.error.code, "insufficient_funds");
  });

  it("renews at renews_at (once, even when run twice); a cancelled or unfunded one lapses", async () => {
    const clock = manualClock();
    const [stays, cancels, broke] = [await createUser(), await createUser(), await createUser()];
    await grantTokens(stays, SUBSCRIPTION_PRICE * 2);
    await grantTokens(cancels, SUBSCRIPTION_PRICE * 2);
    await grantTokens(broke, SUBSCRIPTION_PRICE - WELCOME_TOKENS);
    for (const u of [stays, cancels, broke]) assert.equal((await api("POST", "/api/v1/creator-subscriptions", { token: u.token, body: { creator_id: creator.id } })).status, 201);
    await api("DELETE", `/api/v1/creator-subscriptions/${creator.id}`, { token: cancels.token });
    assert.deepEqual(await renewDueSubscriptions(), { renewed: 0, lapsed: 0 }, "nothing is due yet");
    clock.advance(SUBSCRIPTION_PERIOD_MS + 1000);
    const [first, second] = await Promise.all([renewDueSubscriptions(), renewDueSubscriptions()]);
    assert.equal(first.renewed + second.renewed, 1, "the one renewal happens once");
    assert.equal(first.lapsed + second.lapsed, 1, "the unfunded one lapses");
    // read through the service: the access tokens have expired on the advanced clock
    const mine = async (u: TestUser) => (await listSubscriptions(u.id))[0]!;
    assert.deepEqual([(await mine(stays)).active, (await mine(stays)).periods], [true, 2]);
    assert.equal((await mine(cancels)).active, false);
    assert.deepEqual([(await mine(broke)).active, (await mine(broke)).auto_renew], [false, false]);
    assert.equal(await tokensOf(stays), WELCOME_TOKENS + SUBSCRIPTION_PRICE * 2 - SUBSCRIPTION_PRICE * 2);
    assert.equal(await tokensOf(creator), WELCOME_TOKENS + SUBSCRIPTION_PRICE * 4);
  });
});
