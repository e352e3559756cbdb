import assert from "node:assert/strict";
import { api } from "../support/http";
import { baseUrl, resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { postStory } from "../support/stories";
import { sdkClient } from "../support/sdk";
import { metrics } from "../../src/metrics/metrics";
import { seedSampleBook } from "../../src/fiction/seed";
import { createReader, play } from "../fiction/fiction.fixtures";
import { grantTokens, joinLive, liveStream, seedGiftCatalog, tokensOf } from "../support/live";

/** `GET /metrics`: who may read it, and what an operator sees after real traffic. */
const SCRAPER = { authorization: "Bearer test-metrics-token-0123456789" };

async function scrape(headers: Record<string, string> = SCRAPER): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
  return res.text();
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{")) continue;
    const inner = line.slice(name.length + 1, line.lastIndexOf("}"));
    const got = Object.fromEntries([...inner.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 30));
  }
}

describe("metrics", () => {
  before(testServer);
  beforeEach(resetState);

  it("refuses anonymous callers, wrong tokens and non-admin users; accepts the scraper token and an admin", async () => {
    const viewer = await createUser();
    const admin = await createUser({ roles: ["admin"] });
    assert.equal((await fetch(`${baseUrl}/metrics`)).status, 401);
    assert.equal((await fetch(`${baseUrl}/metrics`, { headers: { authorization: "Bearer not-the-metrics-token-xx" } })).status, 401);
    const asViewer = await api("GET", "/metrics", { token: viewer.token });
    assert.equal(asViewer.status, 403);
    assert.equal(asViewer.body.error.code, "forbidden_role");
    assert.match(await scrape({ authorization: `Bearer ${admin.token}` }), /process_cpu_user_seconds_total/);
    assert.match(await scrape(), /nodejs_heap_size_used_bytes/);
  });

  it("counts REST requests under their route template, never the raw URL", async () => {
    const author = await createUser({ roles: ["creator"] });
    const storyId = await postStory(author);
    for (let i = 0; i < 3; i++) assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: author.token })).status, 200);
    const missing = "0123456789abcdef01234567";
    assert.equal((await api("GET", `/api/v1/stories/${missing}`, { token: author.token })).status, 404);
    const text = await scrape();
    const ok = sample(text, "limelight_http_request_duration_seconds_count", { method: "GET", route: "/api/v1/stories/:id", status: "200" });
    assert.ok(ok !== undefined && ok >= 3, `GET /api/v1/stories/:id 200 count: ${ok}`);
    // an error answered by the API's error handler is still counted under the route that threw
    assert.ok((sample(text, "limelight_http_request_duration_seconds_count", { method: "GET", route: "/api/v1/stories/:id", status: "404" }) ?? 0) >= 1);
    assert.ok(!text.includes(storyId), "no raw id in any label");
    assert.ok((sample(text, "limelight_stories_posted_total", {}) ?? Number(/^limelight_stories_posted_total (\d+)$/m.exec(text)?.[1])) >= 1, "the stories feature's own counter");
    assert.ok((sample(text, "limelight_db_command_duration_seconds_count", { command: "insert", outcome: "ok" }) ?? 0) >= 1, "store commands are timed");
  });

  it("room gauges follow a client joining and leaving, and room messages are counted by outcome", async () => {
    const author = await createUser({ roles: ["creator"] });
    const storyId = await postStory(author);
    const before = await scrape();
    assert.equal(sample(before, "limelight_rooms", { room: "story" }), 0, "every registered room type is reported, 0 when none is open");
    assert.equal(sample(before, "limelight_room_clients", { room: "story" }), 0);

    const room = await sdkClient(author.token).joinOrCreate("story", { authorId: author.id });
    await eventually(async () => sample(await scrape(), "limelight_room_clients", { room: "story" }) === 1);
    const joined = await scrape();
    assert.equal(sample(joined, "limelight_rooms", { room: "story" }), 1);

    const okBefore = sample(joined, "limelight_room_messages_in_total", { type: "view", outcome: "ok" }) ?? 0;
    const badBefore = sample(joined, "limelight_room_messages_in_total", { type: "view", outcome: "invalid" }) ?? 0;
    await room.request("view", { storyId });
    await room.request("view", { storyId: "nope" }).catch(() => undefined);
    const afterMessages = await scrape();
    assert.equal(sample(afterMessages, "limelight_room_messages_in_total", { type: "view", outcome: "ok" }), okBefore + 1);
    assert.equal(sample(afterMessages, "limelight_room_messages_in_total", { type: "view", outcome: "invalid" }), badBefore + 1);
    assert.ok((sample(afterMessages, "limelight_room_patches_total", { room: "story" }) ?? 0) >= 1);
    assert.match(afterMessages, /limelight_realtime_bytes_sent_total [1-9]/);

    await room.leave();
    await eventually(async () => {
      const text = await scrape();
      return sample(text, "limelight_room_clients", { room: "story" }) === 0 && sample(text, "limelight_rooms", { room: "story" }) === 0;
    });
  });

  it("the economy, live and fiction count their domain events: transfers and refusals, gifts, chapters started", async () => {
    const counted = async () => {
      const text = await scrape();
      return {
        tokens: sample(text, "limelight_economy_transfers_total", { currency: "tokens" }) ?? 0,
        keys: sample(text, "limelight_economy_transfers_total", { currency: "keys" }) ?? 0,
        refused: sample(text, "limelight_economy_transfers_refused_total", { code: "insufficient_funds" }) ?? 0,
        roses: sample(text, "limelight_live_gifts_total", { gift: "rose" }) ?? 0,
        giftTokens: Number(/^limelight_live_gift_tokens_total (\d+)$/m.exec(text)?.[1] ?? 0),
        chapters: sample(text, "limelight_fiction_chapters_started_total", { kind: "first" }) ?? 0,
      };
    };
    await seedGiftCatalog();
    const creator = await createUser({ roles: ["creator"] });
    const fan = await createUser();
    const before = await counted();
    await grantTokens(fan, 10);
    const streamId = await liveStream(creator);
    const room = await joinLive(fan, streamId);
    try {
      const ok = await room.request("gift", { giftCode: "rose", quantity: 2, idempotencyKey: "metrics-gift-1" });
      assert.equal(ok.seq !== undefined, true, JSON.stringify(ok));
      await room.request("gift", { giftCode: "rose", quantity: 2, idempotencyKey: "metrics-gift-1" }); // a retry: not counted again
      const unaffordable = Math.floor((await tokensOf(fan)) / 5) + 1; // one rose more than the balance buys
      const broke = await room.request("gift", { giftCode: "rose", quantity: unaffordable, idempotencyKey: "metrics-gift-2" }).then(
        () => undefined,
        (err: { code?: string }) => err,
      );
      assert.equal(broke?.code, "insufficient_funds", "the unaffordable gift is refused by the ledger");
    } finally {
      await room.leave();
    }
    const reader = await createReader();
    const bookId = (await seedSampleBook()).book_id;
    assert.equal((await play(reader.token, "start", { book_id: bookId, chapter: 1 })).status, 200);
    assert.equal((await play(reader.token, "start", { book_id: bookId, chapter: 1 })).status, 200, "resuming is not a start");
    const after = await counted();
    assert.ok(after.tokens - before.tokens >= 2, `the grant and the gift's transfers are counted (${after.tokens - before.tokens})`);
    assert.equal(after.roses - before.roses, 1, "one rose gift, its retry not counted");
    assert.equal(after.giftTokens - before.giftTokens, 10);
    assert.equal(after.refused - before.refused, 1, "the refused gift's transfer");
    assert.equal(after.chapters - before.chapters, 1, "one chapter started, the resume not counted");
    assert.ok(after.keys - before.keys >= 1, "the chapter's key was spent through the ledger");
  });

  it("features register domain counters once and they are scraped", async () => {
    const a = metrics.counter("test_widgets_total", "Widgets made in a test.");
    assert.equal(metrics.counter("test_widgets_total", "Widgets made in a test."), a, "the same name gives the same counter");
    a.inc(2);
    assert.match(await scrape(), /^limelight_test_widgets_total 2$/m);
  });
});
