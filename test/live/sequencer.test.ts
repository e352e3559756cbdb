import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { GiftEventModel } from "../../src/live/gift.model";
import { LiveEventModel } from "../../src/live/live-event.model";
import { LocalSequencer, RedisSequencer, type LiveSequencer } from "../../src/live/sequencer";
import { resetState, testServer } from "../support/server";
import { testRedisUrl } from "../support/redis";

/** The stream sequencer: unique, increasing seqs; monotonic across a restart (from what was persisted). */
describe("live sequencer", () => {
  before(testServer);
  beforeEach(resetState);
  const streamId = () => randomBytes(12).toString("hex");

  async function persistEvent(stream: string, seq: number): Promise<void> {
    await LiveEventModel.create({ stream_id: stream, seq, type: "chat", at: new Date(), offset_ms: 0, user_id: null, data: {} });
  }

  async function concurrentlyUnique(a: LiveSequencer, b: LiveSequencer, stream: string, n: number): Promise<number[]> {
    const seqs = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? a : b).next(stream)));
    return seqs.sort((x, y) => x - y);
  }

  describe("in-process", () => {
    it("hands out 1..n once each under concurrent calls, and continues after the highest persisted seq on a restart", async () => {
      const stream = streamId();
      const seq = new LocalSequencer();
      assert.equal(await seq.current(stream), 0);
      const got = await concurrentlyUnique(seq, seq, stream, 50);
      assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => i + 1));
      assert.equal(await seq.current(stream), 50);
      // a restart: a fresh sequencer on the same database continues after the log and any gift's claimed seq
      await persistEvent(stream, 41);
      await GiftEventModel.create({ stream_id: stream, sender_id: "s", creator_id: "c", idempotency_key: "k-000001", gift_code: "rose", quantity: 1, tokens: 5, creator_tokens: 4, platform_tokens: 1, transfer_ids: [], seq: 44, created_at: new Date() });
      const restarted = new LocalSequencer();
      assert.equal(await restarted.current(stream), 44);
      assert.equal(await restarted.next(stream), 45);
      assert.equal(await restarted.next(streamId()), 1, "each stream has its own sequence");
    });
  });

  describe("Redis", () => {
    let url: string | undefined;
    before(async function () {
      url = await testRedisUrl();
      if (!url) this.skip();
    });

    it("two processes' sequencers share one sequence: concurrent seqs are unique and gap-free", async () => {
      const [a, b] = [new RedisSequencer(url!), new RedisSequencer(url!)];
      try {
        const stream = streamId();
        await persistEvent(stream, 7);
        const got = await concurrentlyUnique(a, b, stream, 60);
        assert.deepEqual(got, Array.from({ length: 60 }, (_, i) => i + 8), "continues after the persisted 7, no seq twice");
        assert.equal(await b.current(stream), 67);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("a lost Redis key (flush, expiry) is rebuilt from the highest persisted seq, never restarting at 1", async () => {
      const seq = new RedisSequencer(url!);
      const redis = new Redis(url!);
      try {
        const stream = streamId();
        for (let i = 0; i < 3; i++) await persistEvent(stream, await seq.next(stream));
        await redis.del(`live:seq:${stream}`);
        assert.equal(await seq.next(stream), 4);
      } finally {
        redis.disconnect();
        await seq.close();
      }
    });
  });
});
