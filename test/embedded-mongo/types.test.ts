import assert from "node:assert/strict";
import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from "mongodb";
import { useStore } from "./helpers";

describe("embedded-mongo: BSON type fidelity and ordering", () => {
  const h = useStore();

  it("round-trips every BSON type unchanged", async () => {
    const c = h.db.collection<any>("types");
    const doc = {
      _id: new ObjectId(),
      i32: new Int32(7),
      i64: Long.fromString("9007199254740993"),
      smallLong: Long.fromNumber(5),
      dbl: new Double(1.0),
      frac: 2.5,
      negZero: -0,
      dec: Decimal128.fromString("1.10"),
      date: new Date(1700000000123),
      bin: new Binary(Buffer.from([1, 2, 3]), 0),
      uuid: new UUID(),
      re: /ab+c/i,
      nil: null,
      ts: new Timestamp({ t: 10, i: 2 }),
      nested: { arr: [new Int32(1), new Double(2), "s", [true, false]], o: { deep: new Long(1, 0) } },
    };
    await c.insertOne(doc);
    const raw = await c.findOne({ _id: doc._id }, { promoteValues: false, promoteLongs: false, bsonRegExp: true });
    assert.ok(raw!.i32 instanceof Int32 && raw!.i32.value === 7);
    assert.ok(raw!.i64 instanceof Long && raw!.i64.toString() === "9007199254740993");
    assert.ok(raw!.smallLong instanceof Long);
    assert.ok(raw!.dbl instanceof Double && raw!.dbl.value === 1);
    assert.ok(raw!.frac instanceof Double);
    assert.ok(raw!.negZero instanceof Double && Object.is(raw!.negZero.value, -0));
    assert.equal(raw!.dec.toString(), "1.10");
    assert.equal(raw!.date.getTime(), 1700000000123);
    assert.equal(raw!.bin.sub_type, 0);
    assert.ok(raw!.re instanceof BSONRegExp && raw!.re.pattern === "ab+c" && raw!.re.options === "i");
    assert.equal(raw!.nil, null);
    assert.ok(raw!.ts instanceof Timestamp && raw!.ts.t === 10 && raw!.ts.i === 2);
    assert.ok(raw!.nested.arr[0] instanceof Int32);
    assert.ok(raw!.nested.arr[1] instanceof Double);
    assert.ok(raw!.nested.o.deep instanceof Long);
    const plain = await c.findOne({ _id: doc._id });
    assert.equal(plain!.uuid.toHexString(), doc.uuid.toHexString());
  });

  it("keeps numeric types through updates with MongoDB's promotion rules", async () => {
    const c = h.db.collection<any>("num");
    await c.insertOne({ _id: 1, i: new Int32(2147483647), d: new Double(1.5), l: Long.fromNumber(1), small: new Int32(1) });
    await c.updateOne({ _id: 1 }, { $inc: { i: 1, d: 0.5, l: 1, small: new Double(1) } });
    const r = await c.findOne({ _id: 1 }, { promoteValues: false });
    assert.ok(r!.i instanceof Long && r!.i.toNumber() === 2147483648);
    assert.ok(r!.d instanceof Double && r!.d.value === 2);
    assert.ok(r!.l instanceof Long && r!.l.toNumber() === 2);
    assert.ok(r!.small instanceof Double && r!.small.value === 2);
  });

  it("compares numbers across types and sorts by BSON type order", async () => {
    const c = h.db.collection<any>("order");
    await c.insertMany([
      { _id: 1, v: "str" },
      { _id: 2, v: Long.fromNumber(3) },
      { _id: 3, v: new Double(2.5) },
      { _id: 4, v: null },
      { _id: 5, v: { a: 1 } },
      { _id: 6, v: new Date(0) },
      { _id: 7, v: true },
      { _id: 8, v: new ObjectId("000000000000000000000001") },
      { _id: 9, v: new MinKey() },
      { _id: 10, v: new MaxKey() },
      { _id: 11, v: Decimal128.fromString("1") },
      { _id: 12, v: /x/ },
      { _id: 13, v: new Binary(Buffer.from([0])) },
      { _id: 14, v: new Timestamp({ t: 1, i: 1 }) },
      { _id: 15, v: [0.5] },
    ]);
    const asc = (await c.find({}).sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    assert.deepEqual(asc, [9, 4, 15, 11, 3, 2, 1, 5, 13, 8, 7, 6, 14, 12, 10]);
    const nums = (await c.find({ v: { $gte: 1, $lte: 3 } }).sort({ v: 1 }).toArray()).map((d) => d._id);
    assert.deepEqual(nums, [11, 3, 2]);
    assert.equal((await c.findOne({ v: 3 }))!._id, 2);
    assert.equal((await c.findOne({ v: new Double(3) }))!._id, 2);
  });
  it("matches $type by every alias and number, on exact BSON types, in find and aggregate", async () => {
    const c = h.db.collection<any>("typed");
    await c.insertMany([
      { _id: 1, v: new ObjectId() },
      { _id: 2, v: "s" },
      { _id: 3, v: new Int32(1) },
      { _id: 4, v: new Double(3) },
      { _id: 5, v: Long.fromNumber(5) },
      { _id: 6, v: Decimal128.fromString("1") },
      { _id: 7, v: new Date() },
      { _id: 8, v: null },
      { _id: 9, v: [new Int32(1)] },
      { _id: 10, v: { a: 1 } },
      { _id: 11, v: true },
      { _id: 12, v: /x/ },
      { _id: 13, v: new Binary(Buffer.from("x")) },
      { _id: 14, v: new Timestamp({ t: 1, i: 1 }) },
      { _id: 15, v: new MinKey() },
      { _id: 16, v: new MaxKey() },
      { _id: 17 },
      { _id: 18, v: 2.5 },
    ]);
    const ids = async (type: unknown) => (await c.find({ v: { $type: type } }).sort({ _id: 1 }).toArray()).map((d) => d._id);
    const expected: Array<[string, number, number[]]> = [
      ["objectId", 7, [1]], ["string", 2, [2]], ["int", 16, [3, 9]], ["double", 1, [4, 18]], ["long", 18, [5]],
      ["decimal", 19, [6]], ["date", 9, [7]], ["null", 10, [8]], ["array", 4, [9]], ["object", 3, [10]], ["bool", 8, [11]],
      ["regex", 11, [12]], ["binData", 5, [13]], ["timestamp", 17, [14]], ["minKey", -1, [15]], ["maxKey", 127, [16]],
    ];
    for (const [alias, code, want] of expected) {
      assert.deepEqual(await ids(alias), want, `$type: "${alias}"`);
      assert.deepEqual(await ids(code), want, `$type: ${code}`);
    }
    assert.deepEqual(await ids("number"), [3, 4, 5, 6, 9, 18]);
    assert.deepEqual(await ids(["string", "objectId"]), [1, 2]);
    assert.deepEqual((await c.find({ v: { $not: { $type: "objectId" } } }).toArray()).length, 17);
    const matched = await c.aggregate([{ $match: { v: { $type: "long" } } }, { $project: { t: { $type: "$v" } } }]).toArray();
    assert.deepEqual(matched, [{ _id: 5, t: "long" }]);
    await assert.rejects(c.find({ v: { $type: "objectid" } }).toArray(), (e: any) => e.code === 2 && /Unknown type name alias: objectid/.test(e.message));
    await assert.rejects(c.find({ v: { $type: 42 } }).toArray(), (e: any) => e.code === 2 && /Invalid numerical type code: 42/.test(e.message));
  });
});
