/**
 * The journal on its own: framing, recovery, compaction, locking. The same guarantees through the
 * store and the official driver are in durability.test.ts.
 */
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Binary, Decimal128, Double, EJSON, Int32, Long, ObjectId, Timestamp, BSONRegExp, serialize, type Document } from "bson";
import { openJournal, JOURNAL_FILE, SNAPSHOT_FILE } from "../../src/embedded-mongo/journal";
import { DataDirLockedError, LOCK_FILE } from "../../src/embedded-mongo/journal-lock";
import { spawnTs } from "./fixtures/spawn-ts";
import type { JournalOptions, JournalRecord, RecoveryReport } from "../../src/embedded-mongo/journal.types";

/** A minimal stand-in for the engine: collections of documents keyed by _id, built only from records. */
class Model {
  readonly colls = new Map<string, Map<string, Document>>();
  readonly indexes = new Map<string, Document>();
  readonly applied: JournalRecord[] = [];

  apply = (rec: JournalRecord): void => {
    this.applied.push(rec);
    const ns = "coll" in rec ? `${rec.db}.${rec.coll}` : rec.db;
    switch (rec.op) {
      case "put":
        this.coll(ns).set(key(rec.doc._id), rec.doc);
        break;
      case "del":
        this.coll(ns).delete(key(rec.id));
        break;
      case "createCollection":
        this.coll(ns);
        break;
      case "dropCollection":
        this.colls.delete(ns);
        break;
      case "dropDatabase":
        for (const name of [...this.colls.keys()]) if (name.startsWith(`${rec.db}.`)) this.colls.delete(name);
        break;
      case "createIndex":
        this.indexes.set(`${ns}.${rec.spec.name}`, rec.spec);
        break;
      case "dropIndex":
        this.indexes.delete(`${ns}.${rec.name}`);
        break;
    }
  };

  coll(ns: string): Map<string, Document> {
    let c = this.colls.get(ns);
    if (!c) this.colls.set(ns, (c = new Map()));
    return c;
  }

  *dump(): Iterable<JournalRecord> {
    for (const [ns, docs] of this.colls) {
      const [db, coll] = splitNs(ns);
      yield { op: "createCollection", db, coll };
      for (const doc of docs.values()) yield { op: "put", db, coll, doc };
    }
    for (const [name, spec] of this.indexes) {
      const [db, coll] = splitNs(name.slice(0, name.length - String(spec.name).length - 1));
      yield { op: "createIndex", db, coll, spec };
    }
  }

  /** canonical, type-preserving picture of the whole state for deep comparison */
  state(): string {
    const out: Document = {};
    for (const [ns, docs] of [...this.colls].sort(([a], [b]) => a.localeCompare(b))) {
      out[ns] = [...docs.keys()].sort().map((k) => docs.get(k));
    }
    out.$indexes = Object.fromEntries([...this.indexes].sort(([a], [b]) => a.localeCompare(b)));
    return EJSON.stringify(out, { relaxed: false });
  }
}

function key(id: unknown): string {
  return EJSON.stringify({ id }, { relaxed: false });
}
function splitNs(ns: string): [string, string] {
  const dot = ns.indexOf(".");
  return [ns.slice(0, dot), ns.slice(dot + 1)];
}

const quiet = { log: () => undefined };
let dir: string;

async function open(model = new Model(), extra: Partial<JournalOptions> & Record<string, unknown> = {}) {
  const { journal, report } = await openJournal({ dir, ...quiet, ...extra } as JournalOptions, model.apply);
  // like the engine: change memory first, then journal the same batch
  const write = (batch: JournalRecord[]) => {
    for (const rec of batch) model.apply(rec);
    return journal.append(batch);
  };
  return { journal, report, model, write };
}

const put = (id: unknown, fields: Document = {}): JournalRecord => ({ op: "put", db: "app", coll: "users", doc: { _id: id, ...fields } });

describe("embedded store journal", () => {
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-journal-"));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("recovers every appended batch, in order, after a reopen", async () => {
    const first = await open();
    for (let i = 0; i < 50; i++) await first.write([put(i, { n: i })]);
    await first.write([{ op: "del", db: "app", coll: "users", id: 7 }]);
    await first.journal.close();

    const again = await open();
    assert.equal(again.report.batchesReplayed, 51);
    assert.equal(again.report.recordsReplayed, 51);
    assert.equal(again.report.corruptTail, undefined);
    assert.equal(again.model.coll("app.users").size, 49);
    assert.equal(again.model.coll("app.users").has(key(7)), false);
    await again.journal.close();
  });

  it("keeps exact BSON types across a restart (Int32, Double, Long, Decimal128, Date, ObjectId, Binary, regex)", async () => {
    const doc = {
      _id: new ObjectId(),
      int: new Int32(42),
      wholeDouble: new Double(1),
      long: Long.fromString("9007199254740993"),
      dec: Decimal128.fromString("0.1"),
      at: new Date("2024-05-06T07:08:09.010Z"),
      bin: new Binary(Buffer.from([1, 2, 3]), 4),
      ts: new Timestamp({ t: 1, i: 2 }),
      re: new BSONRegExp("^a.b$", "im"),
      nested: { arr: [new Int32(1), new Double(2.5), null, "s", true] },
    };
    const first = await open();
    await first.write([{ op: "put", db: "app", coll: "types", doc }]);
    await first.journal.close();

    const again = await open();
    const back = again.model.coll("app.types").values().next().value as Document;
    // the engine answers clients by re-serializing what it holds: identical bytes = identical types
    assert.deepEqual(Buffer.from(serialize(back)), Buffer.from(serialize(doc)));
    assert.ok(back.wholeDouble instanceof Double, "a whole-number double keeps its double wrapper");
    assert.ok(back.long instanceof Long);
    await again.journal.close();
  });

  it("resolves appends in call order and persists a burst of concurrent appends (group commit)", async () => {
    for (const fsync of ["batch", "always", "never"] as const) {
      await fs.rm(dir, { recursive: true, force: true });
      const first = await open(new Model(), { fsync });
      const order: number[] = [];
      await Promise.all(Array.from({ length: 200 }, (_, i) => first.write([put(i)]).then(() => order.push(i))));
      assert.deepEqual(order, Array.from({ length: 200 }, (_, i) => i), `${fsync}: resolution order`);
      await first.journal.close();
      const again = await open();
      assert.equal(again.model.coll("app.users").size, 200, `${fsync}: all recovered`);
      await again.journal.close();
    }
  });

  it("treats a batch as all-or-nothing and reports a torn tail, then keeps appending cleanly", async () => {
    const first = await open();
    await first.write([put(1), put(2)]);
    await first.write([put(3), put(4), put(5)]);
    await first.journal.close();

    const file = path.join(dir, JOURNAL_FILE);
    const size = (await fs.stat(file)).size;
    await fs.truncate(file, size - 7); // cut into the middle of the last batch

    const torn = await open();
    assert.deepEqual([...torn.model.coll("app.users").keys()], [key(1), key(2)]);
    assertTail(torn.report, /torn tail/);
    assert.equal(torn.report.batchesReplayed, 1);
    await torn.write([put(6)]);
    await torn.journal.close();

    const healed = await open();
    assert.equal(healed.report.corruptTail, undefined, "the file was truncated to its valid prefix");
    assert.deepEqual([...healed.model.coll("app.users").keys()], [key(1), key(2), key(6)]);
    const saved = (await fs.readdir(dir)).filter((f) => f.startsWith(`${JOURNAL_FILE}.corrupt-`));
    assert.equal(saved.length, 1, "the ignored bytes were kept aside");
    await healed.journal.close();
  });

  it("reports corruption in the middle (valid frames after a bad one) instead of skipping it", async () => {
    const first = await open();
    for (let i = 0; i < 10; i++) await first.write([put(i, { pad: "x".repeat(100) })]);
    await first.journal.close();

    const file = path.join(dir, JOURNAL_FILE);
    const bytes = await fs.readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    await fs.writeFile(file, bytes);

    const logged: string[] = [];
    const model = new Model();
    const { journal, report } = await openJournal({ dir, log: (m: string) => logged.push(m) } as JournalOptions, model.apply);
    assertTail(report, /CORRUPTION IN THE MIDDLE.*valid batch\(es\) after it were NOT replayed/);
    const n = model.coll("app.users").size;
    assert.ok(n >= 3 && n <= 6, `the valid prefix (${n} batches) is recovered`);
    assert.equal(report.batchesReplayed, n);
    assert.ok(logged.some((m) => /CORRUPTION IN THE MIDDLE/.test(m)), "logged loudly");
    await journal.close();
  });

  it("compacts into a snapshot and recovers the same state after reopen", async () => {
    const first = await open();
    await first.write([{ op: "createIndex", db: "app", coll: "users", spec: { key: { email: 1 }, name: "email_1", unique: true } }]);
    for (let i = 0; i < 100; i++) await first.write([put(i, { email: `u${i}@x` })]);
    for (let i = 0; i < 100; i += 3) await first.write([{ op: "del", db: "app", coll: "users", id: i }]);
    const bytesBefore = first.journal.journalBytes;
    await first.journal.compact(() => first.model.dump());
    assert.ok(first.journal.journalBytes < bytesBefore / 10, "journal reset after compaction");
    await first.write([put(1000, { email: "late@x" })]);
    const expected = first.model.state();
    await first.journal.close();

    const again = await open();
    assert.equal(again.report.snapshotLoaded, true);
    assert.equal(again.report.batchesReplayed, 1, "only the post-snapshot batch is replayed");
    assert.equal(again.model.state(), expected);
    await again.journal.close();
  });

  it("survives a crash between the snapshot rename and the journal reset (no double apply, nothing lost)", async () => {
    const first = await open();
    for (let i = 0; i < 20; i++) await first.write([put(i, { v: 1 })]);
    await first.write([{ op: "del", db: "app", coll: "users", id: 3 }]);
    const journalBeforeCompaction = await fs.readFile(path.join(dir, JOURNAL_FILE));
    await first.journal.compact(() => first.model.dump());
    const expected = first.model.state();
    await first.journal.close();
    // put the previous-generation journal back: exactly what a crash after the snapshot rename leaves
    await fs.writeFile(path.join(dir, JOURNAL_FILE), journalBeforeCompaction);

    const again = await open();
    assert.equal(again.report.batchesReplayed, 0, "the older journal is recognised as already in the snapshot");
    assert.equal(again.model.state(), expected);
    await again.write([put(99)]);
    await again.journal.close();
    const third = await open();
    assert.equal(third.model.coll("app.users").size, 20);
    await third.journal.close();
  });

  it("ignores a half-written snapshot temp file and refuses a damaged snapshot loudly", async () => {
    const first = await open();
    await first.write([put(1)]);
    await first.journal.compact(() => first.model.dump());
    await first.journal.close();
    await fs.writeFile(path.join(dir, SNAPSHOT_FILE + ".tmp"), "half a snapshot");
    const again = await open();
    assert.equal(again.model.coll("app.users").size, 1);
    await again.journal.close();

    const snap = await fs.readFile(path.join(dir, SNAPSHOT_FILE));
    await fs.writeFile(path.join(dir, SNAPSHOT_FILE), snap.subarray(0, snap.length - 3));
    await assert.rejects(open(), /snapshot .* is damaged/);
    await assert.rejects(fs.access(path.join(dir, LOCK_FILE)), "a failed open releases the lock");
  });

  it("refuses to open when the journal is newer than the snapshot (snapshot lost)", async () => {
    const first = await open();
    await first.write([put(1)]);
    await first.journal.compact(() => first.model.dump());
    await first.journal.close();
    await fs.rm(path.join(dir, SNAPSHOT_FILE));
    await assert.rejects(open(), /generation 1 but the snapshot is generation 0/);
  });

  it("compacts automatically past compactAfterBytes when given a snapshot source", async () => {
    const model = new Model();
    const { journal } = await openJournal(
      { dir, compactAfterBytes: 4096, snapshotSource: () => model.dump(), ...quiet } as JournalOptions,
      model.apply,
    );
    for (let i = 0; i < 200; i++) {
      const rec = put(i, { pad: "y".repeat(100) });
      model.apply(rec);
      await journal.append([rec]);
    }
    await journal.close();
    assert.ok((await fs.stat(path.join(dir, SNAPSHOT_FILE))).size > 0);
    assert.ok((await fs.stat(path.join(dir, JOURNAL_FILE))).size < 8192, "journal stays near the threshold");
    const again = await open();
    assert.equal(again.model.coll("app.users").size, 200);
    await again.journal.close();
  });

  it("locks the data directory against a second opener and takes over a stale lock", async () => {
    const first = await open();
    await assert.rejects(open(), (err: unknown) => err instanceof DataDirLockedError && err.pid === process.pid);
    await first.journal.close();

    // a plain file left where the lock socket lives (an old pid file naming a dead process) is stale
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    await fs.writeFile(path.join(dir, LOCK_FILE), `${dead}\n`);
    const again = await open();
    assert.ok((await fs.lstat(path.join(dir, LOCK_FILE))).isSocket(), "the lock is now our socket");
    await assert.rejects(open(), (err: unknown) => err instanceof DataDirLockedError && err.pid === process.pid);
    await again.journal.close();
    await assert.rejects(fs.access(path.join(dir, LOCK_FILE)), "close releases the lock");
  });

  it("locks a data directory whose path is too long for a socket address", async () => {
    const deep = path.join(dir, "d".repeat(60), "e".repeat(60));
    const first = await openJournal({ dir: deep, ...quiet } as JournalOptions, () => {});
    await assert.rejects(openJournal({ dir: deep, ...quiet } as JournalOptions, () => {}), (err: unknown) => err instanceof DataDirLockedError && err.pid === process.pid);
    await first.journal.close();
    const again = await openJournal({ dir: deep, ...quiet } as JournalOptions, () => {});
    await again.journal.close();
  });

  it("loses no acknowledged append when the writing process is kill -9'd mid-stream", async function () {
    this.timeout(30_000);
    const acked = await runAndKill(path.join(__dirname, "fixtures", "journal-writer.ts"), dir, 400);
    const again = await open();
    const users = again.model.coll("app.users");
    for (let i = 0; i < acked; i++) assert.ok(users.has(key(i)), `acknowledged append ${i} recovered`);
    // appends are durable in call order, so what survives is a gap-free prefix of the ids
    for (let i = 0; i < users.size; i++) assert.ok(users.has(key(i)), `recovered ids form a prefix (missing ${i})`);
    await again.journal.close();
  });
});

function assertTail(report: RecoveryReport, pattern: RegExp): void {
  assert.ok(report.corruptTail, "corruptTail is reported");
  assert.ok(report.corruptTail.bytesIgnored > 0);
  assert.match(report.corruptTail.reason, pattern);
}

/** Run a fixture that prints "ack <n>" per durable append; kill -9 it once `after` acks were seen. */
async function runAndKill(script: string, dataDir: string, after: number): Promise<number> {
  const child = spawnTs(script, [dataDir]);
  let last = -1;
  let buffered = "";
  await new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => resolve());
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) last = Math.max(last, Number(m[1]));
      }
      if (last + 1 >= after && child.exitCode === null) child.kill("SIGKILL");
    });
  });
  assert.ok(last + 1 >= after, `the writer acknowledged ${last + 1} appends before it was killed`);
  return last + 1;
}
