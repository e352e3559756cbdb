import assert from "node:assert/strict";
import mongoose from "mongoose";
import type { ClientSession } from "mongodb";
import { expectReject, useStore } from "./helpers";

describe("embedded-mongo: transactions", () => {
  const h = useStore();

  it("commits atomically and hides uncommitted writes from other readers", async () => {
    const c = h.db.collection<any>("t");
    await c.insertOne({ _id: 1, v: 0 });
    const s = h.client.startSession();
    try {
      s.startTransaction();
      await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session: s });
      await c.insertOne({ _id: 2, v: 2 }, { session: s });
      assert.equal((await c.findOne({ _id: 1 }, { session: s }))!.v, 1);
      assert.equal((await c.findOne({ _id: 1 }))!.v, 0);
      assert.equal(await c.countDocuments({}), 1);
      await s.commitTransaction();
    } finally {
      await s.endSession();
    }
    assert.deepEqual(await c.find().sort({ _id: 1 }).toArray(), [{ _id: 1, v: 1 }, { _id: 2, v: 2 }]);
  });

  it("checks unique keys among a transaction's own writes (3,000 of them), also after a write moved its key", async () => {
    const c = h.db.collection<any>("uq");
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertOne({ _id: "committed", k: "c" });
    /** Run `steps` in one transaction; the code it failed with (a failed write aborts it), or "committed". */
    const inTxn = async (steps: (session: ClientSession) => Promise<unknown>) => {
      const s = h.client.startSession();
      try {
        s.startTransaction();
        await steps(s);
        await s.commitTransaction();
        return "committed";
      } catch (err) {
        await s.abortTransaction().catch(() => undefined);
        return (err as { code?: number }).code;
      } finally {
        await s.endSession();
      }
    };
    const many = (session: ClientSession) =>
      c.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i, k: `k${i}` })), { session });
    assert.equal(await inTxn(async (session) => {
      await many(session);
      await c.insertOne({ _id: "dup", k: "k17" }, { session });
    }), 11000);
    const moved = async (session: ClientSession) => {
      await c.insertOne({ _id: "a", k: "t" }, { session });
      await c.updateOne({ _id: "a" }, { $set: { k: "t2" } }, { session });
      await c.insertOne({ _id: "b", k: "t" }, { session }); // "t" was freed by a's update
    };
    assert.equal(await inTxn(async (session) => {
      await moved(session);
      await c.updateOne({ _id: "a" }, { $set: { k: "t" } }, { session }); // b holds it now
    }), 11000);
    assert.equal(await inTxn((session) => c.insertOne({ _id: "x", k: "c" }, { session })), 11000, "against committed documents");
    assert.equal(await inTxn(async (session) => {
      await many(session);
      await moved(session);
      await c.deleteOne({ _id: "b" }, { session });
      await c.updateOne({ _id: "a" }, { $set: { k: "t" } }, { session }); // free again: b is deleted
    }), "committed");
    assert.deepEqual(await c.find({ _id: { $in: ["a", "b"] } }).toArray(), [{ _id: "a", k: "t" }]);
    assert.equal(await c.countDocuments({}), 3002);
  });

  it("aborts without a trace", async () => {
    const c = h.db.collection<any>("t");
    await c.insertOne({ _id: 1, v: 0 });
    const s = h.client.startSession();
    s.startTransaction();
    await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session: s });
    await c.deleteOne({ _id: 1 }, { session: s });
    await c.insertOne({ _id: 3 }, { session: s });
    await s.abortTransaction();
    await s.endSession();
    assert.deepEqual(await c.find().toArray(), [{ _id: 1, v: 0 }]);
  });

  it("reads from a snapshot taken at the transaction's first statement", async () => {
    const c = h.db.collection<any>("snap");
    await c.insertMany([{ _id: 1, v: 1 }, { _id: 2, v: 2 }]);
    const s = h.client.startSession();
    s.startTransaction({ readConcern: { level: "snapshot" } });
    assert.equal((await c.findOne({ _id: 1 }, { session: s }))!.v, 1);
    await c.updateOne({ _id: 1 }, { $set: { v: 100 } });
    await c.deleteOne({ _id: 2 });
    await c.insertOne({ _id: 3, v: 3 });
    assert.equal((await c.findOne({ _id: 1 }, { session: s }))!.v, 1);
    assert.deepEqual((await c.find({}, { session: s }).sort({ _id: 1 }).toArray()).map((d) => d._id), [1, 2]);
    await s.abortTransaction();
    await s.endSession();
  });

  it("answers a write conflict with WriteConflict (112) + TransientTransactionError, and withTransaction retries", async () => {
    const c = h.db.collection<any>("wc");
    await c.insertOne({ _id: 1, n: 0 });
    const s1 = h.client.startSession();
    const s2 = h.client.startSession();
    s1.startTransaction();
    s2.startTransaction();
    await c.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s1 });
    const e = await expectReject(c.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s2 }));
    assert.equal(e.code, 112);
    assert.equal(e.codeName, "WriteConflict");
    assert.ok(e.hasErrorLabel("TransientTransactionError"));
    const gone = await expectReject(c.findOne({ _id: 1 }, { session: s2 }));
    assert.equal(gone.code, 251);
    await s2.abortTransaction().catch(() => undefined);
    await s1.commitTransaction();

    let attempts = 0;
    const s3 = h.client.startSession();
    const s4 = h.client.startSession();
    s4.startTransaction();
    await c.updateOne({ _id: 1 }, { $inc: { n: 10 } }, { session: s4 });
    await s3.withTransaction(async () => {
      attempts++;
      if (attempts === 2) await s4.commitTransaction();
      await c.updateOne({ _id: 1 }, { $inc: { n: 100 } }, { session: s3 });
    });
    assert.ok(attempts >= 2);
    assert.equal((await c.findOne({ _id: 1 }))!.n, 111);
    await s3.endSession();
    await s4.endSession();
    await s1.endSession();
    await s2.endSession();
  });

  it("a non-transactional write after the snapshot makes the transaction's write conflict", async () => {
    const c = h.db.collection<any>("nt");
    await c.insertOne({ _id: 1, n: 0 });
    const s = h.client.startSession();
    s.startTransaction();
    await c.findOne({ _id: 1 }, { session: s });
    await c.updateOne({ _id: 1 }, { $inc: { n: 5 } });
    const e = await expectReject(c.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s }));
    assert.equal(e.code, 112);
    await s.abortTransaction().catch(() => undefined);
    await s.endSession();
    assert.equal((await c.findOne({ _id: 1 }))!.n, 5);
  });

  it("a non-transactional write to a document locked by a transaction waits for it", async () => {
    const c = h.db.collection<any>("wait");
    await c.insertOne({ _id: 1, n: 0 });
    const s = h.client.startSession();
    s.startTransaction();
    await c.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s });
    let done = false;
    const outside = c.updateOne({ _id: 1 }, { $inc: { n: 10 } }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(done, false);
    await s.commitTransaction();
    await outside;
    assert.equal((await c.findOne({ _id: 1 }))!.n, 11);
    await s.endSession();
  });

  it("a unique-index clash at commit aborts the whole commit", async () => {
    const c = h.db.collection<any>("uq");
    await c.createIndex({ k: 1 }, { unique: true });
    const s = h.client.startSession();
    s.startTransaction();
    await c.insertOne({ _id: 1, k: "a" }, { session: s });
    await c.insertOne({ _id: 2, k: "other" }, { session: s });
    await c.insertOne({ _id: 3, k: "a" });
    const e = await expectReject(s.commitTransaction());
    assert.equal(e.code, 11000);
    await s.endSession();
    assert.deepEqual(await c.find().toArray(), [{ _id: 3, k: "a" }]);
  });

  it("rejects statements for an unknown transaction with NoSuchTransaction (251)", async () => {
    const s = h.client.startSession();
    const lsid = s.id!;
    const e = await expectReject(
      h.db.command({ find: "x", filter: {}, lsid, txnNumber: 7, autocommit: false } as never),
    );
    assert.equal(e.code, 251);
    assert.ok(e.hasErrorLabel("TransientTransactionError"));
    const commit = await expectReject(h.client.db("admin").command({ commitTransaction: 1, lsid, txnNumber: 8, autocommit: false } as never));
    assert.equal(commit.code, 251);
    await s.endSession();
  });

  it("keeps balances conserved under 200 concurrent transfers mixed with non-transactional writers (mongoose)", async function () {
    this.timeout(120_000);
    const conn = await mongoose.createConnection(h.store.uri, { dbName: h.db.databaseName, maxPoolSize: 50 }).asPromise();
    try {
      const Account = conn.model("Account", new mongoose.Schema({ _id: Number, balance: Number, touches: { type: Number, default: 0 } }));
      const N = 10;
      const START = 100;
      await Account.insertMany(Array.from({ length: N }, (_, i) => ({ _id: i, balance: START })));
      let rejected = 0;
      const transfer = async (k: number) => {
        const from = k % N;
        const to = (k * 7 + 3) % N;
        if (from === to) return;
        const amount = 1 + (k % 40);
        await conn.transaction(async (session) => {
          const src = await Account.findOneAndUpdate(
            { _id: from, balance: { $gte: amount } },
            { $inc: { balance: -amount } },
            { session, returnDocument: "after" },
          );
          if (!src) {
            rejected++;
            return;
          }
          await Account.updateOne({ _id: to }, { $inc: { balance: amount } }, { session });
        });
      };
      const toucher = async (k: number) => {
        await Account.updateOne({ _id: k % N }, { $inc: { touches: 1 } });
      };
      const work: Promise<unknown>[] = [];
      for (let k = 0; k < 200; k++) {
        work.push(transfer(k));
        if (k % 2 === 0) work.push(toucher(k));
      }
      await Promise.all(work);
      const all = await Account.find().lean();
      const total = all.reduce((a, d) => a + d.balance!, 0);
      assert.equal(total, N * START);
      assert.ok(all.every((d) => d.balance! >= 0), "no negative balances");
      assert.equal(all.reduce((a, d) => a + d.touches!, 0), 100);
      assert.ok(rejected < 200);
    } finally {
      await conn.close();
    }
  });
});
