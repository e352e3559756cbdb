// Retryable writes through the driver: a write resent with the same lsid + txnNumber (its first reply lost)
// must return the original reply and must not execute again.
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Long, MongoClient, type ClientSession, type Db, type Document } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { Engine, retryableWriteRecord } from "../../src/embedded-mongo/engine/engine";
import { SESSION_TIMEOUT_MS } from "../../src/embedded-mongo/engine/transactions";
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
    await h.db.collection<any>("c").insertOne({ _id: 1, n: 0 } as never);
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

describe("embedded-mongo: retryable-write records survive a restart", function () {
  this.timeout(20_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-retry-"));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /**
   * One client and one session across a store restart on the same port, as a driver whose first reply was
   * lost in the crash would retry: `first` runs before the restart, `after` once the store is back.
   */
  async function acrossRestart(opts: { compactAfterBytes?: number }, first: (db: Db, session: ClientSession) => Promise<void>, after: (db: Db, session: ClientSession) => Promise<void>) {
    let store = await startEmbeddedMongo({ dataDir, port: 0, ...opts });
    const port = store.port;
    const client = await MongoClient.connect(store.uri, { retryWrites: false, serverSelectionTimeoutMS: 5000 });
    const session = client.startSession();
    try {
      await first(client.db("app"), session);
      await store.stop();
      store = await startEmbeddedMongo({ dataDir, port, ...opts });
      await after(client.db("app"), session);
    } finally {
      await client.close();
      await store.stop();
    }
  }

  it("a retryable insert replayed after a restart returns the original reply and inserts nothing", async () => {
    const insert = { insert: "c", documents: [{ _id: 1, v: "a" }], txnNumber: Long.fromNumber(4) };
    let original: Document = {};
    await acrossRestart(
      {},
      async (db, session) => {
        original = await db.command(insert, { session });
        assert.equal(original.n, 1);
        await db.collection<{ _id: number }>("c").deleteOne({ _id: 1 }); // not retryable here (retryWrites off): the record stays txnNumber 4's
      },
      async (db, session) => {
        const again = await db.command(insert, { session });
        assert.deepEqual(again, original);
        assert.equal(await db.collection("c").countDocuments(), 0, "the replayed insert wrote nothing");
        const older = await expectReject(db.command({ ...insert, txnNumber: Long.fromNumber(3) }, { session }));
        assert.equal(older.code, 225, "an older txnNumber is still TransactionTooOld");
      },
    );
  });

  it("keeps the record through a compaction into the snapshot, and a findAndModify's reply with it", async () => {
    const fam = { findAndModify: "c", query: { _id: 1 }, update: { $inc: { n: 1 } }, new: true, txnNumber: Long.fromNumber(9) };
    let original: Document = {};
    await acrossRestart(
      { compactAfterBytes: 2048 },
      async (db, session) => {
        await db.collection<{ _id: number; n: number }>("c").insertOne({ _id: 1, n: 0 });
        original = await db.command(fam, { session });
        assert.equal(original.value.n, 1);
        // push the journal past its threshold so the record only survives in the snapshot
        for (let i = 0; i < 40; i++) await db.collection<{ _id: number; pad: string }>("pad").insertOne({ _id: i, pad: "x".repeat(100) });
      },
      async (db, session) => {
        assert.deepEqual(await db.command(fam, { session }), original);
        assert.equal((await db.collection<{ _id: number; n: number }>("c").findOne({ _id: 1 }))!.n, 1);
        assert.ok((await fs.stat(path.join(dataDir, "snapshot.bson"))).size > 0, "a compaction ran");
      },
    );
  });
});

describe("embedded-mongo: retryable-write records expire with the session timeout", () => {
  it("drops an expired record on recovery and reaps idle sessions from memory and the snapshot", () => {
    const engine = new Engine();
    const now = Date.now();
    const stale = retryableWriteRecord("aa", 1n, { n: 1, ok: 1 }, now - SESSION_TIMEOUT_MS - 1000);
    const fresh = retryableWriteRecord("bb", 2n, { n: 1, ok: 1 }, now - 1000);
    engine.apply(stale);
    engine.apply(fresh);
    assert.deepEqual([...engine.sessions.keys()], ["bb"], "the expired record is not recovered");
    assert.equal([...engine.dump()].filter((r) => r.op === "retryableWrite").length, 1);
    engine.reapSessions(now + SESSION_TIMEOUT_MS);
    assert.equal(engine.sessions.size, 0);
    assert.equal([...engine.dump()].filter((r) => r.op === "retryableWrite").length, 0, "nor kept by the next compaction");
  });
});
