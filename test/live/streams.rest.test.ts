import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser } from "../support/factories";
import { manualClock, resetState, testServer } from "../support/server";
import { createStream, goLive, grantTokens, liveStream, tokensOf, WELCOME_TOKENS } from "../support/live";
import { liveFanoutsSettled } from "../../src/live/stream.service";
import { TokenVerifier } from "livekit-server-sdk";
import { MEDIA_TOKEN_TTL_S } from "../../src/live/media.service";
import { withConfig } from "../support/live";

/** `/api/v1/streams` through HTTP: create/schedule, life cycle, one live per creator, listing, notifications, tickets. */
describe("streams REST", () => {
  before(testServer);
  beforeEach(resetState);

  it("a creator creates or schedules a stream; viewers may not; bad bodies are 400 and change nothing", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const viewer = await createUser();
    const at = new Date(Date.now() + 3600_000).toISOString();
    const res = await api("POST", "/api/v1/streams", { token: creator.token, body: { title: "Late show", category: "talk", scheduled_at: at, access: "followers" } });
    assert.equal(res.status, 201);
    assert.equal(res.body.status, "scheduled");
    assert.equal(res.body.scheduled_at, at);
    assert.equal(res.body.creator_id, creator.id);
    assert.deepEqual(res.body.settings.blocked_words, []);
    assert.equal((await api("POST", "/api/v1/streams", { token: viewer.token, body: { title: "x", category: "y" } })).body.error.code, "creator_only");
    for (const body of [{}, { title: "x", category: "y", access: "vip" }, { title: "x", category: "y", access: "ticketed" }, { title: "x", category: "y", ticket_price: 5 }, { title: "x", category: "y", extra: 1 }, { title: "x", category: "y", scheduled_at: "2001-01-01T00:00:00Z" }]) {
      const bad = await api("POST", "/api/v1/streams", { token: creator.token, body });
      assert.equal(bad.status, 400, JSON.stringify(body));
    }
    const list = await api("GET", `/api/v1/streams?creator_id=${creator.id}`, { token: viewer.token });
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].settings, undefined, "settings are the creator's");
  });

  it("life cycle scheduled → live → ended → archived; every other step is 409 invalid_stream_transition; only the creator", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const other = await createUser({ roles: ["creator"] });
    const id = await createStream(creator);
    const step = (path: string, token = creator.token) => api("POST", `/api/v1/streams/${id}/${path}`, { token, body: {} });
    assert.equal((await step("end")).body.error.code, "invalid_stream_transition");
    assert.equal((await step("archive")).body.error.code, "invalid_stream_transition");
    assert.equal((await step("go-live", other.token)).body.error.code, "not_stream_creator");
    const live = await step("go-live");
    assert.equal(live.body.status, "live");
    assert.ok(live.body.started_at);
    assert.equal((await step("go-live")).status, 409);
    assert.equal((await step("archive")).status, 409);
    assert.equal((await step("end")).body.status, "ended");
    assert.equal((await step("go-live")).body.error.code, "invalid_stream_transition");
    assert.equal((await step("archive")).body.status, "archived");
    assert.equal((await step("end")).status, 409);
    const got = await api("GET", `/api/v1/streams/${id}`, { token: other.token });
    assert.deepEqual([got.body.status, !!got.body.ended_at, !!got.body.archived_at], ["archived", true, true]);
    assert.equal((await api("GET", "/api/v1/streams/0123456789abcdef01234567", { token: other.token })).status, 404);
    assert.equal((await api("GET", "/api/v1/streams/nope", { token: other.token })).status, 400);
  });

  it("one live stream per creator at a time, also when two go-live race", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const [a, b] = [await createStream(creator), await createStream(creator)];
    const results = await Promise.all([a, b].map((id) => api("POST", `/api/v1/streams/${id}/go-live`, { token: creator.token, body: {} })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    assert.equal(results.find((r) => r.status === 409)!.body.error.code, "already_live");
    const live = await api("GET", `/api/v1/streams?status=live&creator_id=${creator.id}`, { token: creator.token });
    assert.equal(live.body.items.length, 1);
  });

  it("lists by status and category, paged with a cursor", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const c2 = await createUser({ roles: ["creator"] });
    await createStream(creator, { category: "music" });
    await createStream(creator, { category: "games" });
    await liveStream(c2, { category: "music" });
    const viewer = await createUser();
    const music = await api("GET", "/api/v1/streams?category=music", { token: viewer.token });
    assert.equal(music.body.items.length, 2);
    const live = await api("GET", "/api/v1/streams?status=live", { token: viewer.token });
    assert.deepEqual(live.body.items.map((s: any) => s.creator_id), [c2.id]);
    const p1 = await api("GET", "/api/v1/streams?limit=2", { token: viewer.token });
    assert.equal(p1.body.items.length, 2);
    const p2 = await api("GET", `/api/v1/streams?limit=2&cursor=${p1.body.next_cursor}`, { token: viewer.token });
    assert.equal(p2.body.items.length, 1);
    assert.equal(p2.body.next_cursor, null);
    assert.equal((await api("GET", "/api/v1/streams?status=paused", { token: viewer.token })).status, 400);
    assert.equal((await api("GET", "/api/v1/streams?cursor=xx", { token: viewer.token })).body.error.code, "invalid_cursor");
  });

  it("followers get a stream_live notification when the creator goes live; others do not", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const [fan1, fan2, stranger] = [await createUser(), await createUser(), await createUser()];
    for (const fan of [fan1, fan2]) assert.equal((await api("POST", `/api/v1/users/${creator.id}/follow`, { token: fan.token })).status < 300, true);
    const id = await liveStream(creator, { title: "Now!" });
    await liveFanoutsSettled();
    for (const fan of [fan1, fan2]) {
      const n = await api("GET", "/api/v1/notifications", { token: fan.token });
      const live = n.body.items.filter((i: any) => i.type === "stream_live");
      assert.equal(live.length, 1);
      assert.deepEqual([live[0].actor_id, live[0].data.stream_id, live[0].data.title], [creator.id, id, "Now!"]);
    }
    const none = await api("GET", "/api/v1/notifications", { token: stranger.token });
    assert.equal(none.body.items.filter((i: any) => i.type === "stream_live").length, 0);
  });

  it("tickets: bought once with tokens to the creator (a retry is the same ticket), refused without the balance", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const buyer = await createUser();
    const poor = await createUser();
    const id = await createStream(creator, { access: "ticketed", ticket_price: 40 });
    await grantTokens(buyer, 100);
    const first = await api("POST", `/api/v1/streams/${id}/tickets`, { token: buyer.token, body: {} });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.balance, WELCOME_TOKENS + 60);
    const again = await api("POST", `/api/v1/streams/${id}/tickets`, { token: buyer.token, body: {} });
    assert.deepEqual([again.status, again.body.balance, again.body.replayed], [200, WELCOME_TOKENS + 60, true]);
    assert.equal(await tokensOf(buyer), WELCOME_TOKENS + 60);
    assert.equal(await tokensOf(creator), WELCOME_TOKENS + 40);
    const dear = await createStream(creator, { access: "ticketed", ticket_price: 500 });
    const refused = await api("POST", `/api/v1/streams/${dear}/tickets`, { token: poor.token, body: {} });
    assert.equal(refused.body.error.code, "insufficient_funds");
    assert.equal(await tokensOf(poor), WELCOME_TOKENS);
    const free = await createStream(creator);
    assert.equal((await api("POST", `/api/v1/streams/${free}/tickets`, { token: buyer.token, body: {} })).body.error.code, "not_ticketed");
  });

  it("media tokens are refused with media_not_configured without LiveKit keys", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const id = await liveStream(creator);
    const res = await api("POST", `/api/v1/streams/${id}/media-token`, { token: creator.token, body: {} });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "media_not_configured");
  });
  it("media tokens verify with LiveKit's TokenVerifier: publisher for the creator, subscriber-only for a viewer, room = stream id, short TTL", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const viewer = await createUser();
    const outsider = await createUser();
    const keys = { LIVEKIT_API_KEY: "APItestkey", LIVEKIT_API_SECRET: "test-livekit-secret-0123456789abcdefghij", LIVEKIT_URL: "wss://sfu.example.test" };
    await withConfig(keys, async () => {
      const id = await liveStream(creator);
      const verifier = new TokenVerifier(keys.LIVEKIT_API_KEY, keys.LIVEKIT_API_SECRET);
      const issue = async (token: string) => {
        const before = Math.floor(Date.now() / 1000);
        const res = await api("POST", `/api/v1/streams/${id}/media-token`, { token, body: {} });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.url, keys.LIVEKIT_URL);
        const claims = await verifier.verify(res.body.token);
        assert.ok(claims.exp! - before >= MEDIA_TOKEN_TTL_S - 2 && claims.exp! - before <= MEDIA_TOKEN_TTL_S + 2, `ttl ${claims.exp! - before}`);
        return claims;
      };
      const host = await issue(creator.token);
      assert.equal(host.sub, creator.id);
      assert.deepEqual([host.video?.room, host.video?.roomJoin, host.video?.canPublish, host.video?.canSubscribe], [id, true, true, true]);
      const fan = await issue(viewer.token);
      assert.equal(fan.sub, viewer.id);
      assert.deepEqual([fan.video?.room, fan.video?.roomJoin, fan.video?.canPublish, fan.video?.canSubscribe, fan.video?.canPublishData], [id, true, false, true, false]);
      // a token signed with another secret does not verify
      await assert.rejects(new TokenVerifier(keys.LIVEKIT_API_KEY, "another-secret-0123456789abcdefghijklmn").verify((await api("POST", `/api/v1/streams/${id}/media-token`, { token: outsider.token, body: {} })).body.token));
      // a followers-only stream gives no token to a non-follower
      const other = await createUser({ roles: ["creator"] });
      const closed = await liveStream(other, { access: "followers" });
      const refused = await api("POST", `/api/v1/streams/${closed}/media-token`, { token: viewer.token, body: {} });
      assert.equal(refused.status, 403);
    });
  });
  void goLive;
  void manualClock;
});
