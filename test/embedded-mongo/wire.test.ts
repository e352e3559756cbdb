import assert from "node:assert/strict";
import net from "node:net";
import { BSON, type Document } from "bson";
import { useStore } from "./helpers";

function opMsg(doc: Document, flags = 0, requestId = 1, extra?: Buffer): Buffer {
  const body = BSON.serialize(doc);
  const tail = extra ?? Buffer.alloc(0);
  const len = 16 + 4 + 1 + body.length + tail.length;
  const b = Buffer.alloc(len);
  b.writeInt32LE(len, 0);
  b.writeInt32LE(requestId, 4);
  b.writeInt32LE(0, 8);
  b.writeInt32LE(2013, 12);
  b.writeUInt32LE(flags, 16);
  b[20] = 0;
  Buffer.from(body).copy(b, 21);
  tail.copy(b, 21 + body.length);
  return b;
}

function opQuery(ns: string, doc: Document): Buffer {
  const body = Buffer.from(BSON.serialize(doc));
  const nsBuf = Buffer.from(ns + "\0");
  const len = 16 + 4 + nsBuf.length + 8 + body.length;
  const b = Buffer.alloc(len);
  b.writeInt32LE(len, 0);
  b.writeInt32LE(9, 4);
  b.writeInt32LE(2004, 12);
  nsBuf.copy(b, 20);
  b.writeInt32LE(0, 20 + nsBuf.length);
  b.writeInt32LE(-1, 24 + nsBuf.length);
  body.copy(b, 28 + nsBuf.length);
  return b;
}

class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  constructor(readonly sock: net.Socket) {
    sock.on("data", (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
    sock.on("close", () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    sock.on("error", () => undefined);
  }
  static connect(port: number): Promise<RawClient> {
    return new Promise((res, rej) => {
      const s = net.connect(port, "127.0.0.1", () => res(new RawClient(s)));
      s.once("error", rej);
    });
  }
  /** next reply: opCode and its document */
  async reply(timeoutMs = 2000): Promise<{ opCode: number; responseTo: number; doc: Document } | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 16 && this.buf.length >= this.buf.readInt32LE(0)) {
        const len = this.buf.readInt32LE(0);
        const frame = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        const opCode = frame.readInt32LE(12);
        const start = opCode === 1 ? 36 : 21;
        return { opCode, responseTo: frame.readInt32LE(8), doc: BSON.deserialize(frame.subarray(start)) };
      }
      if (this.closed || Date.now() > deadline) return null;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }
}

describe("embedded-mongo: wire protocol and bad input", () => {
  const h = useStore();

  it("answers the legacy OP_QUERY handshake with OP_REPLY", async () => {
    const c = await RawClient.connect(h.store.port);
    c.sock.write(opQuery("admin.$cmd", { isMaster: 1 }));
    const r = await c.reply();
    assert.equal(r!.opCode, 1);
    assert.equal(r!.responseTo, 9);
    assert.equal(r!.doc.ismaster, true);
    assert.equal(r!.doc.maxWireVersion, 21);
    c.sock.destroy();
  });

  it("accepts document sequences, the checksum flag and moreToCome", async () => {
    const c = await RawClient.connect(h.store.port);
    const seqDocs = [{ a: 1 }, { a: 2 }].map((d) => Buffer.from(BSON.serialize(d)));
    const id = Buffer.from("documents\0");
    const size = 4 + id.length + seqDocs.reduce((n, d) => n + d.length, 0);
    const seq = Buffer.alloc(1 + size);
    seq[0] = 1;
    seq.writeInt32LE(size, 1);
    id.copy(seq, 5);
    let off = 5 + id.length;
    for (const d of seqDocs) {
      d.copy(seq, off);
      off += d.length;
    }
    c.sock.write(opMsg({ insert: "w", $db: h.db.databaseName }, 0, 2, seq));
    assert.equal((await c.reply())!.doc.n, 2);
    // checksum present: four trailing bytes the server tolerates
    c.sock.write(opMsg({ ping: 1, $db: "admin" }, 1, 3, Buffer.alloc(4)));
    assert.equal((await c.reply())!.doc.ok, 1);
    // moreToCome: fire-and-forget, no reply; the next request's reply comes first
    c.sock.write(opMsg({ insert: "w", documents: [{ a: 3 }], $db: h.db.databaseName }, 2, 4));
    c.sock.write(opMsg({ count: "w", $db: h.db.databaseName }, 0, 5));
    const r = await c.reply();
    assert.equal(r!.responseTo, 5);
    assert.equal(r!.doc.n, 3);
    c.sock.destroy();
  });

  it("closes only the offending socket on malformed frames and keeps serving others", async () => {
    const good = await RawClient.connect(h.store.port);
    const cases: Buffer[] = [];
    const short = Buffer.alloc(16);
    short.writeInt32LE(8, 0);
    cases.push(short);
    const huge = Buffer.alloc(16);
    huge.writeInt32LE(48_000_001, 0);
    cases.push(huge);
    const badOp = opMsg({ ping: 1, $db: "admin" });
    badOp.writeInt32LE(9999, 12);
    cases.push(badOp);
    for (const frame of cases) {
      const bad = await RawClient.connect(h.store.port);
      bad.sock.write(frame);
      assert.equal(await bad.closedWithin(2000), true);
    }
    const badBson = opMsg({ ping: 1, $db: "admin" });
    badBson.writeInt32LE(999, 21);
    const c = await RawClient.connect(h.store.port);
    c.sock.write(badBson);
    const r = await c.reply();
    assert.ok(r === null || r.doc.ok === 0);
    c.sock.destroy();
    const noDb = await RawClient.connect(h.store.port);
    noDb.sock.write(opMsg({ ping: 1 }));
    const nr = await noDb.reply();
    assert.equal(nr!.doc.ok, 0);
    assert.equal(typeof nr!.doc.code, "number");
    noDb.sock.destroy();
    good.sock.write(opMsg({ ping: 1, $db: "admin" }, 0, 77));
    assert.equal((await good.reply())!.doc.ok, 1);
    good.sock.destroy();
    await h.db.collection<any>("still").insertOne({ ok: true });
    assert.equal(await h.db.collection<any>("still").countDocuments(), 1);
  });

  it("returns MongoDB-shaped errors for bad command arguments", async () => {
    const c = await RawClient.connect(h.store.port);
    c.sock.write(opMsg({ find: 5, $db: "x" }, 0, 1));
    const r = await c.reply();
    assert.equal(r!.doc.ok, 0);
    assert.equal(r!.doc.code, 73);
    assert.equal(r!.doc.codeName, "InvalidNamespace");
    c.sock.write(opMsg({ find: "c", filter: { a: { $nope: 1 } }, $db: "x" }, 0, 2));
    const r2 = await c.reply();
    assert.equal(r2!.doc.code, 2);
    c.sock.destroy();
  });
});
