import assert from "node:assert/strict";
import { Types } from "mongoose";
import { appendLiveEvent, liveEventsAfter, subscribeLive, writeLiveEvent, type LiveSignal } from "../../src/live/live-events";
import { liveSuite } from "../support/live";

/** The stream event log under a burst: group-committed writes lose nothing and keep the seq order. */
describe("live event log (group commit)", () => {
  liveSuite();
  const stream = () => ({ id: new Types.ObjectId().toHexString(), started_at: new Date(Date.now() - 5000) });

  it("a burst of concurrent lines is all persisted, in seq order, each readable once its write resolved", async () => {
    const s = stream();
    const published: number[] = [];
    const stop = subscribeLive(s.id, (sig: LiveSignal) => void (sig.kind === "event" && published.push(sig.event.seq)));
    try {
      const events = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          appendLiveEvent(s, "chat", "u1", { text: `line ${i}` }).then(async (e) => {
            // acknowledged means durable: the row is in the log when the caller hears back
            const [row] = await liveEventsAfter(s.id, e.seq - 1, 1);
            assert.equal(row?.seq, e.seq);
            return e;
          }),
        ),
      );
      const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
      assert.deepEqual(seqs, Array.from({ length: 120 }, (_, i) => i + 1));
      const log = await liveEventsAfter(s.id, 0, 500);
      assert.deepEqual(log.map((e) => e.seq), seqs);
      assert.deepEqual(new Set(log.map((e) => e.data.text)).size, 120);
      assert.ok(log.every((e) => e.offset_ms >= 5000 && e.type === "chat" && e.user_id === "u1"));
      assert.deepEqual([...published].sort((a, b) => a - b), seqs, "every line published once, after its write");
    } finally {
      stop();
    }
  });

  it("writing the same seq again keeps the first row (a retried write changes nothing)", async () => {
    const s = stream();
    const first = await appendLiveEvent(s, "chat", "u1", { text: "first" });
    await writeLiveEvent(s, first.seq, "chat", "u2", { text: "second" });
    const log = await liveEventsAfter(s.id, 0, 10);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.data.text, "first");
    assert.equal(log[0]!.user_id, "u1");
  });
});
