// The failCommand fail point through the driver: error codes and labels, times/skip/alwaysOn/off, closing the
// connection, blocking, writeConcernError and appName targeting.
import assert from "node:assert/strict";
import { MongoClient, MongoNetworkError } from "mongodb";
import { expectReject, useStore } from "./helpers";

describe("embedded-mongo: failCommand fail point", () => {
  const h = useStore();
  const configure = (body: Record<string, unknown>) => h.client.db("admin").command({ configureFailPoint: "failCommand", ...body });
  afterEach(() => configure({ mode: "off" }));

  it("fails the named command {times} times with the given code, then lets it through", async () => {
    await configure({ mode: { times: 2 }, data: { failCommands: ["find"], errorCode: 8 } });
    const c = h.db.collection("c");
    for (let i = 0; i < 2; i++) {
      const err = await expectReject(c.findOne({}));
      assert.equal(err.code, 8);
      assert.equal(err.codeName, "UnknownError");
    }
    assert.equal(await c.findOne({}), null);
    // other commands were never affected
    await c.insertOne({ _id: 1 } as any);
  });

  it("skips the first {skip} matches, then fails every one until turned off", async () => {
    await configure({ mode: { skip: 1 }, data: { failCommands: ["count"], errorCode: 2 } });
    const c = h.db.collection("c");
    assert.equal(await c.estimatedDocumentCount(), 0);
    assert.equal((await expectReject(c.estimatedDocumentCount())).code, 2);
    assert.equal((await expectReject(c.estimatedDocumentCount())).code, 2);
    await configure({ mode: "off" });
    assert.equal(await c.estimatedDocumentCount(), 0);
  });

  it("uses explicit errorLabels, and labels retryable codes on retryable writes by itself", async () => {
    await configure({ mode: { times: 1 }, data: { failCommands: ["find"], errorCode: 8, errorLabels: ["Custom"] } });
    const err = await expectReject(h.db.collection("c").findOne({}));
    assert.deepEqual(err.errorLabels, ["Custom"]);
    // alwaysOn: the driver's single retry also fails, so the error (with its RetryableWriteError label) surfaces
    await configure({ mode: "alwaysOn", data: { failCommands: ["insert"], errorCode: 91 } });
    const w = await expectReject(h.db.collection("c").insertOne({ _id: 1 } as any));
    assert.equal(w.code, 91);
    assert.ok(w.errorLabels.includes("RetryableWriteError"));
    await configure({ mode: "off" });
    assert.equal(await h.db.collection("c").countDocuments(), 0);
  });

  it("closes the connection without executing the command", async () => {
    const client = await MongoClient.connect(h.store.uri, { retryWrites: false, retryReads: false });
    try {
      await configure({ mode: { times: 1 }, data: { failCommands: ["insert"], closeConnection: true } });
      const err = await expectReject(client.db(h.db.databaseName).collection("c").insertOne({ _id: 1 } as any));
      assert.ok(err instanceof MongoNetworkError);
      assert.equal(await h.db.collection("c").countDocuments(), 0);
      // the client reconnects and works again
      await client.db(h.db.databaseName).collection("c").insertOne({ _id: 2 } as any);
    } finally {
      await client.close();
    }
  });

  it("blocks the command for blockTimeMS, then runs it", async () => {
    // 150 ms is long enough to measure against scheduler noise and short enough to keep the test quick
    await configure({ mode: { times: 1 }, data: { failCommands: ["ping"], blockConnection: true, blockTimeMS: 150 } });
    const t0 = Date.now();
    await h.db.command({ ping: 1 });
    assert.ok(Date.now() - t0 >= 140, `ping returned after ${Date.now() - t0} ms`);
  });

  it("runs the command and attaches a writeConcernError", async () => {
    await configure({ mode: { times: 1 }, data: { failCommands: ["insert"], writeConcernError: { code: 100, errmsg: "UnsatisfiableWriteConcern" } } });
    const err = await expectReject(h.db.collection("c").insertOne({ _id: 1 } as any, { writeConcern: { w: 1 } }));
    assert.equal(err.code, 100);
    assert.equal(await h.db.collection("c").countDocuments(), 1, "the write itself happened");
  });

  it("targets only the client with the given appName", async () => {
    const other = await MongoClient.connect(h.store.uri, { appName: "victim" });
    try {
      await configure({ mode: "alwaysOn", data: { failCommands: ["find"], errorCode: 8, appName: "victim" } });
      assert.equal(await h.db.collection("c").findOne({}), null);
      assert.equal((await expectReject(other.db(h.db.databaseName).collection("c").findOne({}))).code, 8);
    } finally {
      await other.close();
    }
  });

  it("is an admin-only command and rejects unknown fail points", async () => {
    assert.equal((await expectReject(h.db.command({ configureFailPoint: "failCommand", mode: "off" }))).code, 13);
    assert.equal((await expectReject(configure({ configureFailPoint: "noSuchPoint", mode: "alwaysOn" }))).code, 2);
  });
});
