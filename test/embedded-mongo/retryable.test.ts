// Retryable writes through the driver: a write resent with the same lsid + txnNumber (its first reply lost)
// must return the original reply and must not execute again.
import assert from "node:assert/strict";
import { Long, type Document } from "mongodb";
import { expectReject, useStore } from "./helpers";

describe("embedded-mongo: retryable writes execute once per txnNumber", () => {
  const h = useStore();

  /**
   * A session for hand-numbered writes. It is never ended: an ended session's lsid goes back to the driver's
   * pool, and the driver's own lower txnNumbers on it would then be refused as TransactionTooOld.
   */
  const newSession = () => h.client.startSession();

  /** Sends `cmd` twice on one session with a fixed txnNumber, as the driver does when it retries. */
  async function sendTwice(cmd: Document, txnNumber: number): Promise<[Document, Document]> {
    const session = newSession();
    const first = await h.db.command({ ...cmd, txnNumber: Long.fromNumber(txnNumber) }, { session });
    const second = await h.db.command({ ...cmd, txnNumber: Long.fromNumber(txnNumber) }, { session });
    return [first, second];
  }

  it("a resent insert returns the first reply and inserts once", async () => {
    const [first, second] = await sendTwice({ insert: "c", documents: [{ _id: 1, v: "a" }] }, 1);
    assert.equal(first.n, 1);
    assert.deepEqual(second, first);
    assert.deepEqual(await h.db.collection("c").find().toArray(), [{ _id: 1, v: "a" }]);
  });

  it("a resent $inc update does not increment twice", async () => {
    await h.db.collection<any>("c").insertOne({ _id: 1, n: 0 });
    const [first, second] = await sendTwice({ update: "c", updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }] }, 5);
    assert.equal(first.nModified, 1);
    assert.deepEqual(second, first);
    assert.equal((await h.db.collection<any>("c").findOne({ _id: 1 }))!.n, 1);
  });

  it("a resent findAndModify returns the same pre-image, and a resent delete the same count", async () => {
    await h.db.collection<any>("c").insertMany([{ _id: 1, n: 0 }, { _id: 2 }]);
    const [f1, f2] = await sendTwice({ findAndModify: "c", query: { _id: 1 }, update: { $inc: { n: 1 } } }, 2);
    assert.deepEqual(f1.value, { _id: 1, n: 0 });
    assert.deepEqual(f2.value, f1.value);
    assert.equal((await h.db.collection<any>("c").findOne({ _id: 1 }))!.n, 1);
    const [d1, d2] = await sendTwice({ delete: "c", deletes: [{ q: {}, limit: 0 }] }, 3);
    assert.equal(d1.n, 2);
    assert.deepEqual(d2, d1);
  });

  it("a new txnNumber executes again; an older one is refused as TransactionTooOld", async () => {
    const session = newSession();
    const send = (txn: number, id: number) => h.db.command({ insert: "c", documents: [{ _id: id }], txnNumber: Long.fromNumber(txn) }, { session });
    await send(7, 1);
    await send(8, 2);
    const err = await expectReject(send(6, 3));
    assert.equal(err.code, 225);
    assert.equal(await h.db.collection("c").countDocuments(), 2);
  });

  it("a write that failed as a command runs again when retried", async () => {
    const admin = h.client.db("admin");
    await admin.command({ configureFailPoint: "failCommand", mode: { times: 1 }, data: { failCommands: ["insert"], errorCode: 8 } });
    const session = newSession();
    const cmd = { insert: "c", documents: [{ _id: 1 }], txnNumber: Long.fromNumber(1) };
    const err = await expectReject(h.db.command(cmd, { session }));
    assert.equal(err.code, 8);
    const ok = await h.db.command(cmd, { session });
    assert.equal(ok.n, 1);
    assert.equal(await h.db.collection("c").countDocuments(), 1);
  });

  it("the driver's own retryable insertOne survives a retryable error and writes once", async () => {
    const admin = h.client.db("admin");
    // 91 ShutdownInProgress is a retryable error: the server labels it RetryableWriteError and the driver retries
    await admin.command({ configureFailPoint: "failCommand", mode: { times: 1 }, data: { failCommands: ["insert"], errorCode: 91 } });
    await h.db.collection<any>("c").insertOne({ _id: 1 });
    assert.equal(await h.db.collection("c").countDocuments(), 1);
  });
});
