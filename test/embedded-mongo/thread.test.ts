/**
 * The store on its own thread (src/embedded-mongo/thread.ts), as the app starts it: the handle a
 * caller gets behaves as the in-process store's did — it serves the driver, keeps what it
 * acknowledged across a stop and a restart on the same data directory, refuses a second opener of
 * that directory with the same error code, and stops once however often it is asked.
 */
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MongoClient } from "mongodb";
import { startEmbeddedMongoThread } from "../../src/embedded-mongo/thread";

describe("embedded store on its own thread", function () {
  this.timeout(30_000);
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-store-thread-"));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("serves the driver, and what it acknowledged is there after a stop and a restart", async () => {
    const store = await startEmbeddedMongoThread({ dataDir, fsync: "batch" });
    const client = new MongoClient(store.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    const docs = client.db("app").collection<{ _id: number; n: number }>("docs");
    await docs.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, n: i })));
    await docs.updateOne({ _id: 7 }, { $inc: { n: 100 } });
    await client.close();
    await store.stop();

    const again = await startEmbeddedMongoThread({ dataDir, fsync: "batch" });
    const reader = new MongoClient(again.uri, { serverSelectionTimeoutMS: 5000 });
    await reader.connect();
    const back = reader.db("app").collection<{ _id: number; n: number }>("docs");
    assert.equal(await back.countDocuments(), 50);
    assert.equal((await back.findOne({ _id: 7 }))?.n, 107);
    await reader.close();
    await again.stop();
  });

  it("refuses a second opener of the same data directory with DATA_DIR_LOCKED, as the in-process store does", async () => {
    const first = await startEmbeddedMongoThread({ dataDir });
    await assert.rejects(startEmbeddedMongoThread({ dataDir }), (err: Error & { code?: string }) => err.code === "DATA_DIR_LOCKED");
    await first.stop();
  });

  it("stops once: a second stop waits for the same shutdown, and the port is closed after it", async () => {
    const store = await startEmbeddedMongoThread({});
    await Promise.all([store.stop(), store.stop()]);
    const client = new MongoClient(store.uri, { serverSelectionTimeoutMS: 500 });
    await assert.rejects(client.connect());
    await client.close();
  });
});
