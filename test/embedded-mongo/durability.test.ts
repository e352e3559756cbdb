/**
 * Durability through the store, as an application sees it: the official driver and mongoose talk to
 * the embedded store on a data directory, the store process is kill -9'd, and a restarted store
 * must hold every write that was acknowledged.
 */
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { Decimal128, Double, Int32, Long, MongoClient, ObjectId, Binary, MongoServerError, type Db } from "mongodb";
import mongoose from "mongoose";
import { startEmbeddedMongo } from "../../src/embedded-mongo/index";
import { JOURNAL_FILE, openJournal, SNAPSHOT_FILE } from "../../src/embedded-mongo/journal";
import { Engine } from "../../src/embedded-mongo/engine/engine";
import { spawnTs } from "./fixtures/spawn-ts";

let dataDir: string;

/** concurrent driver callers, so the kill lands with many writes in flight */
const CALLERS = 16;
/** acknowledged writes to wait for before the kill: enough for several group commits of every kind */
const WRITES_BEFORE_KILL = 1500;

describe("embedded store durability (driver → store → kill -9 → restart)", function () {
  this.timeout(60_000);

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-store-"));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("keeps every acknowledged insert, update and delete and the unique index after kill -9", async () => {
    const server = await startStoreProcess(dataDir);
    const client = new MongoClient(server.uri, { maxPoolSize: CALLERS, serverSelectionTimeoutMS: 5000, retryWrites: false });
    await client.connect();
    const users = client.db("app").collection<{ _id: number; email: string; n: Int32; v?: number }>("users");
    await users.createIndex({ email: 1 }, { unique: true });

    // per id, what the client knows: acknowledged operations, and the one that was in flight at the kill
    type Fate = { inserted: boolean; updated: boolean; deleted: boolean; inFlight?: "insert" | "update" | "delete" };
    const fates = new Map<number, Fate>();
    let acknowledged = 0;
    let killed = false;
    const caller = async (c: number) => {
      for (let k = 0; !killed; k++) {
        const id = c * 1_000_000 + k;
        const fate: Fate = { inserted: false, updated: false, deleted: false };
        fates.set(id, fate);
        try {
          fate.inFlight = "insert";
          await users.insertOne({ _id: id, email: `u${id}@example.com`, n: new Int32(k) });
          fate.inserted = true;
          if (k % 3 === 1) {
            fate.inFlight = "update";
            await users.updateOne({ _id: id }, { $set: { v: 2 } });
            fate.updated = true;
          }
          if (k % 5 === 2) {
            fate.inFlight = "delete";
            await users.deleteOne({ _id: id });
            fate.deleted = true;
          }
          fate.inFlight = undefined;
          if (++acknowledged >= WRITES_BEFORE_KILL && !killed) {
            killed = true;
            server.child.kill("SIGKILL");
          }
        } catch {
          return; // the store is gone: whatever was in flight has an unknown outcome
        }
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, (_, c) => caller(c)));
    await client.close(true);
    await exited(server.child);

    const store = await startEmbeddedMongo({ dataDir, port: 0 });
    const again = new MongoClient(store.uri);
    try {
      const recovered = new Map((await again.db("app").collection<{ _id: number; email: string; v?: number }>("users").find().toArray()).map((d) => [d._id, d]));
      let checked = 0;
      for (const [id, fate] of fates) {
        const doc = recovered.get(id);
        if (fate.deleted) {
          assert.equal(doc, undefined, `acknowledged delete of ${id} stayed deleted`);
        } else if (fate.inserted && fate.inFlight !== "delete") {
          assert.ok(doc, `acknowledged insert of ${id} survived`);
          if (fate.updated) assert.equal(doc.v, 2, `acknowledged update of ${id} survived`);
          checked++;
        }
      }
      assert.ok(checked > WRITES_BEFORE_KILL / 2, `checked ${checked} surviving documents`);

      const indexes = await again.db("app").collection("users").listIndexes().toArray();
      assert.ok(indexes.some((ix) => ix.name === "email_1" && ix.unique === true), "unique index recovered");
      const someone = [...recovered.values()][0]!;
      await assert.rejects(
        again.db("app").collection<{ _id: number; email: string }>("users").insertOne({ _id: -1, email: someone.email }),
        (err: unknown) => err instanceof MongoServerError && err.code === 11000,
        "the recovered unique index is still enforced",
      );
    } finally {
      await again.close();
      await store.stop();
    }
  });

  it("round-trips BSON types written through mongoose and the driver across a restart", async () => {
    const first = await startEmbeddedMongo({ dataDir, port: 0 });
    const id = new ObjectId();
    const when = new Date("2024-02-29T12:34:56.789Z");
    const conn = await mongoose.createConnection(first.uri).asPromise();
    const Thing = conn.model(
      "Thing",
      new mongoose.Schema({ price: mongoose.Schema.Types.Decimal128, at: Date, blob: Buffer, tags: [String] }),
    );
    const thing = await Thing.create({ price: "12.34", at: when, blob: Buffer.from("hi"), tags: ["a", "b"] });
    const client = new MongoClient(first.uri);
    await client.db("app").collection("raw").insertOne({
      _id: id,
      int: new Int32(7),
      whole: new Double(3),
      long: Long.fromString("9007199254740993"),
      dec: Decimal128.fromString("1E-30"),
      bin: new Binary(Buffer.from([0xde, 0xad]), 4),
    });
    await client.close();
    await conn.close();
    await first.stop();

    const second = await startEmbeddedMongo({ dataDir, port: 0 });
    const again = new MongoClient(second.uri);
    const conn2 = await mongoose.createConnection(second.uri).asPromise();
    try {
      const raw = await again.db("app").collection("raw").findOne({ _id: id }, { promoteValues: false, promoteLongs: false });
      assert.ok(raw);
      assert.ok(raw.int instanceof Int32, "Int32 stays Int32");
      assert.ok(raw.whole instanceof Double, "a whole double stays a double");
      assert.equal(raw.long.toString(), "9007199254740993");
      assert.equal(raw.dec.toString(), "1E-30");
      assert.equal(raw.bin.sub_type, 4);
      const Thing2 = conn2.model("Thing", Thing.schema);
      const back = await Thing2.findById(thing._id).lean();
      assert.ok(back);
      assert.equal(back.price?.toString(), "12.34");
      assert.equal(back.at?.toISOString(), when.toISOString());
      assert.deepEqual(back.tags, ["a", "b"]);
      assert.equal(Buffer.from((back.blob as unknown as Binary).buffer).toString(), "hi");
    } finally {
      await conn2.close();
      await again.close();
      await second.stop();
    }
  });

  it("recovers the data before a truncated journal tail and keeps the torn bytes aside", async () => {
    await writeNumbered(20);
    const file = path.join(dataDir, JOURNAL_FILE);
    await fs.truncate(file, (await fs.stat(file)).size - 5);
    const ids = await readIds();
    assert.deepEqual(ids, Array.from({ length: 19 }, (_, i) => i), "everything but the torn last insert");
    assert.equal((await fs.readdir(dataDir)).filter((f) => f.startsWith(`${JOURNAL_FILE}.corrupt-`)).length, 1);
  });

  it("recovers the valid prefix when a byte in the middle of the journal is corrupt", async () => {
    await writeNumbered(20);
    const file = path.join(dataDir, JOURNAL_FILE);
    const bytes = await fs.readFile(file);
    const at = Math.floor(bytes.length * 0.6);
    bytes[at] = bytes[at]! ^ 0x5a;
    await fs.writeFile(file, bytes);
    const ids = await readIds();
    assert.ok(ids.length > 0 && ids.length < 20, `a proper prefix survives (${ids.length})`);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => i), "what survives is a prefix, nothing skipped over");
  });

  it("serves the same data after a compaction of the store's journal into a snapshot", async () => {
    const first = await startEmbeddedMongo({ dataDir, port: 0 });
    const client = new MongoClient(first.uri);
    const coll = client.db("app").collection<{ _id: number; email: string; n?: Int32 }>("people");
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: i, email: `p${i}@x`, n: new Int32(i) })));
    await coll.deleteMany({ _id: { $gte: 150 } });
    await coll.updateMany({ _id: { $lt: 10 } }, { $set: { vip: true } });
    const before = await coll.find().sort({ _id: 1 }).toArray();
    await client.close();
    await first.stop();

    // compact exactly as the store does past its size threshold: the engine's dump into a snapshot
    const engine = new Engine();
    const { journal } = await openJournal({ dir: dataDir }, (r) => engine.apply(r));
    await journal.compact(() => engine.dump());
    await journal.close();

    const second = await startEmbeddedMongo({ dataDir, port: 0 });
    const again = new MongoClient(second.uri);
    try {
      const people = again.db("app").collection<{ _id: number; email: string }>("people");
      assert.deepEqual(await people.find().sort({ _id: 1 }).toArray(), before);
      await assert.rejects(people.insertOne({ _id: 999, email: "p1@x" }), /E11000/, "unique index survived the snapshot");
    } finally {
      await again.close();
      await second.stop();
    }
  });

  it("compacts on its own past compactAfterBytes and recovers from the snapshot", async () => {
    // 4 KiB: a few dozen small inserts cross it, so the automatic compaction certainly runs
    const first = await startEmbeddedMongo({ dataDir, port: 0, compactAfterBytes: 4096 });
    const client = new MongoClient(first.uri);
    const coll = client.db("app").collection<{ _id: number; pad: string }>("compacted");
    for (let i = 0; i < 200; i++) await coll.insertOne({ _id: i, pad: "x".repeat(100) });
    await client.close();
    await first.stop();
    const snapshot = await fs.stat(path.join(dataDir, SNAPSHOT_FILE));
    assert.ok(snapshot.size > 0, "a snapshot was written");
    const journalSize = (await fs.stat(path.join(dataDir, JOURNAL_FILE))).size;
    assert.ok(journalSize < 200 * 100, `the journal restarted after compaction (${journalSize} bytes)`);

    await onStore(async (db) => assert.equal(await db.collection("compacted").countDocuments(), 200));
    await assert.rejects(startEmbeddedMongo({ dataDir, compactAfterBytes: 0 }), /compactAfterBytes/);
  });

  it("refuses a second store on a data directory that a live store holds", async () => {
    const first = await startEmbeddedMongo({ dataDir, port: 0 });
    try {
      await assert.rejects(startEmbeddedMongo({ dataDir, port: 0 }), new RegExp(`in use by live process ${process.pid}\\b`));
    } finally {
      await first.stop();
    }
    const other = await startStoreProcess(dataDir);
    try {
      await assert.rejects(startEmbeddedMongo({ dataDir, port: 0 }), new RegExp(`in use by live process ${other.child.pid}\\b`));
    } finally {
      other.child.kill("SIGKILL");
      await exited(other.child);
    }
  });

  it("starts right after kill -9 of the store process (no wait for its exit) with every acknowledged write", async () => {
    const server = await startStoreProcess(dataDir);
    const client = new MongoClient(server.uri, { retryWrites: false });
    const coll = client.db("app").collection<{ _id: number }>("acked");
    const acked: number[] = [];
    for (let i = 0; i < 50; i++) {
      await coll.insertOne({ _id: i });
      acked.push(i);
    }
    server.child.kill("SIGKILL");
    // no wait for the exit: the dying process may still hold its descriptors for a moment
    await onStore(async (db) => {
      await client.close(true);
      const ids = (await db.collection<{ _id: number }>("acked").find().sort({ _id: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(ids, acked);
    });
  });

  it("starts while the kill -9'd store is still a zombie its parent has not reaped", async () => {
    const reaper = spawnTs(path.join(__dirname, "fixtures", "slow-reaper.ts"), [dataDir]);
    const lines = lineReader(reaper);
    try {
      const uri = /^uri (\S+)$/.exec(await lines(/^uri /))![1]!;
      const storePid = Number(/^store-pid (\d+)$/.exec(await lines(/^store-pid /))![1]);
      const client = new MongoClient(uri, { retryWrites: false });
      await client.db("app").collection("acked").insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
      await client.close(true);
      reaper.kill("SIGUSR2");
      await lines(/^blocking$/);
      process.kill(storePid, "SIGKILL");
      await onStore(async (db) => assert.equal(await db.collection("acked").countDocuments(), 2));
    } finally {
      reaper.kill("SIGKILL");
      await exited(reaper);
    }
  });

  it("is not blocked by a stale lock file naming a live unrelated pid or the starting process's own pid", async () => {
    const bystander = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      for (const pid of [bystander.pid!, process.pid]) {
        await fs.writeFile(path.join(dataDir, "mongod.lock"), `${pid}\n`);
        await onStore(async (db) => {
          await db.collection("c").insertOne({ pid });
          assert.equal(await db.collection("c").countDocuments({ pid }), 1);
        });
      }
    } finally {
      bystander.kill("SIGKILL");
    }
  });
});

/** Starts a store on the test's data directory, runs `fn` on its "app" database through the driver, stops it. */
async function onStore<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const store = await startEmbeddedMongo({ dataDir, port: 0 });
  const client = new MongoClient(store.uri);
  try {
    return await fn(client.db("app"));
  } finally {
    await client.close();
    await store.stop();
  }
}

/** Insert documents 0..n-1 one by one (one journal batch each), then stop the store cleanly. */
async function writeNumbered(n: number): Promise<void> {
  const store = await startEmbeddedMongo({ dataDir, port: 0 });
  const client = new MongoClient(store.uri);
  try {
    const coll = client.db("app").collection<{ _id: number }>("numbers");
    for (let i = 0; i < n; i++) await coll.insertOne({ _id: i });
  } finally {
    await client.close();
    await store.stop();
  }
}

async function readIds(): Promise<number[]> {
  const store = await startEmbeddedMongo({ dataDir, port: 0 });
  const client = new MongoClient(store.uri);
  try {
    const docs = await client.db("app").collection<{ _id: number }>("numbers").find().sort({ _id: 1 }).toArray();
    return docs.map((d) => d._id);
  } finally {
    await client.close();
    await store.stop();
  }
}

async function startStoreProcess(dir: string): Promise<{ uri: string; child: ChildProcess }> {
  const child = spawnTs(path.join(__dirname, "fixtures", "store-server.ts"), [dir]);
  const uri = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.on("exit", (code) => reject(new Error(`store process exited with ${code} before printing its uri`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^uri (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  return { uri, child };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", () => r()));
}

/** Resolves, per call, with the first not-yet-consumed stdout line of `child` matching `re`. */
function lineReader(child: ChildProcess): (re: RegExp) => Promise<string> {
  const seen: string[] = [];
  let buffered = "";
  const waiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  const offer = () => {
    for (let w = 0; w < waiters.length; w++) {
      const at = seen.findIndex((l) => waiters[w]!.re.test(l));
      if (at >= 0) {
        const [line] = seen.splice(at, 1);
        waiters.splice(w--, 1)[0]!.resolve(line!);
      }
    }
  };
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    seen.push(...parts);
    offer();
  });
  return (re) =>
    new Promise((resolve) => {
      waiters.push({ re, resolve });
      offer();
    });
}
