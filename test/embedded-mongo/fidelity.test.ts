// MongoDB 7.0 behaviours the CRUD spec checks, through the driver: let variables, collations, update sort
// refused, $listLocalSessions, and numeric result types of aggregation arithmetic.
import assert from "node:assert/strict";
import { Decimal128, Double, Int32, Long } from "mongodb";
import { expectReject, useStore } from "./helpers";

describe("embedded-mongo: MongoDB 7.0 fidelity", () => {
  const h = useStore();

  it("passes evaluated let variables to find, update (pipeline), delete, findAndModify and aggregate", async () => {
    const c = h.db.collection<any>("c");
    await c.insertMany([{ _id: 1 }, { _id: 2, name: "n" }, { _id: 3, name: "n" }]);
    const byId = { $expr: { $eq: ["$_id", "$$id"] } };
    assert.deepEqual(await c.find(byId, { let: { id: 1 } }).toArray(), [{ _id: 1 }]);
    const u = await c.updateMany({ $expr: { $eq: ["$name", "$$name"] } }, [{ $set: { x: "$$x" } }], { let: { name: "n", x: { $literal: "$notAPath" } } });
    assert.equal(u.modifiedCount, 2);
    assert.equal((await c.findOne({ _id: 2 }))!.x, "$notAPath");
    assert.deepEqual(await c.findOneAndDelete(byId, { let: { id: 3 } }), { _id: 3, name: "n", x: "$notAPath" });
    assert.equal((await c.deleteOne(byId, { let: { id: { $add: [0, 1] } } })).deletedCount, 1);
    const agg = await c.aggregate([{ $project: { _id: 0, v: "$$v" } }], { let: { v: { $literal: "$x" } } }).toArray();
    assert.deepEqual(agg, [{ v: "$x" }]);
  });

  it("applies a collation's strength to matching, counting, distinct, sort, updates and deletes", async () => {
    const c = h.db.collection<any>("c");
    await c.insertMany([{ _id: 1, s: "ping" }, { _id: 2, s: "PING" }, { _id: 3, s: "pïng" }, { _id: 4, s: "b" }]);
    await c.createIndex({ s: 1 });
    const ci = { locale: "en_US", strength: 2 };
    const base = { locale: "fr", strength: 1 };
    assert.deepEqual((await c.find({ s: "Ping" }, { collation: ci }).toArray()).map((d) => d._id), [1, 2]);
    assert.equal(await c.countDocuments({ s: "PING" }, { collation: base }), 3);
    assert.equal(await c.countDocuments({ s: "PING" }), 1, "without collation comparison stays binary");
    assert.deepEqual((await c.distinct("s", {}, { collation: ci })).length, 3);
    assert.deepEqual((await c.find({}, { collation: ci, sort: { s: 1, _id: 1 } }).toArray()).map((d) => d._id), [4, 1, 2, 3]);
    assert.equal((await c.updateMany({ s: "ping" }, { $set: { hit: true } }, { collation: ci })).modifiedCount, 2);
    assert.equal((await c.deleteMany({ s: "PÏNG" }, { collation: ci })).deletedCount, 1);
    assert.equal((await c.findOneAndUpdate({ s: "B" }, { $set: { big: 1 } }, { collation: ci }))!._id, 4);
  });

  it("uses the collection's default collation", async () => {
    await h.db.createCollection("ci", { collation: { locale: "en", strength: 2 } });
    const c = h.db.collection<any>("ci");
    await c.insertOne({ _id: 1, s: "Hello" });
    assert.equal(await c.countDocuments({ s: "HELLO" }), 1);
  });

  it("refuses a sort on update statements, as 7.0 does", async () => {
    const c = h.db.collection<any>("c");
    await c.insertOne({ _id: 1 });
    const err = await expectReject(h.db.command({ update: "c", updates: [{ q: {}, u: { $set: { a: 1 } }, sort: { _id: -1 } }] }));
    assert.equal(err.code, 40415);
    assert.deepEqual(await c.findOne({}), { _id: 1 });
  });

  it("lists local sessions", async () => {
    const session = h.client.startSession();
    await h.db.collection("c").findOne({}, { session });
    const rows = await h.client.db("admin").aggregate([{ $listLocalSessions: {} }]).toArray();
    assert.ok(rows.some((r) => r._id.id.toHexString(false) === session.id!.id.toString("hex")));
    await session.endSession();
  });

  it("keeps int, long and decimal result types in $sum, $add, $subtract, $multiply and reports them in $type", async () => {
    const c = h.db.collection<any>("n");
    await c.insertMany([
      { _id: 1, i: new Int32(2_000_000_000), l: Long.fromString("9007199254740993"), d: Decimal128.fromString("1.5"), f: new Double(2) },
      { _id: 2, i: new Int32(2_000_000_000), l: Long.fromNumber(1), d: Decimal128.fromString("2.5"), f: new Double(3) },
    ]);
    const raw = { promoteValues: false, promoteLongs: false } as const;
    const [g] = await c
      .aggregate(
        [{ $group: { _id: null, ints: { $sum: "$i" }, longs: { $sum: "$l" }, decs: { $sum: "$d" }, count: { $sum: 1 }, dbls: { $sum: "$f" } } }, { $sort: { longs: 1 } }],
        raw,
      )
      .toArray();
    assert.ok(g.ints instanceof Long && g.ints.toString() === "4000000000", "int32 overflow becomes long");
    assert.ok(g.longs instanceof Long && g.longs.toString() === "9007199254740994", "long sum is exact");
    assert.ok(g.decs instanceof Decimal128 && Number(g.decs.toString()) === 4);
    assert.ok(g.count instanceof Int32 && g.count.value === 2);
    assert.ok(g.dbls instanceof Double);
    const rows = await c
      .aggregate(
        [
          { $match: { _id: 2 } },
          { $project: { add: { $add: ["$l", 1] }, sub: { $subtract: ["$l", "$i"] }, mul: { $multiply: ["$d", 2] }, small: { $add: [1, 2] }, t: { $type: "$l" }, td: { $type: "$d" }, ti: { $type: "$i" } } },
          { $match: { add: { $gt: 1 } } },
        ],
        raw,
      )
      .toArray();
    assert.equal(rows.length, 1, "a later stage compares the long result as a number");
    const r = rows[0];
    assert.ok(r.add instanceof Long && r.add.toString() === "2");
    assert.ok(r.sub instanceof Long && r.sub.toString() === "-1999999999");
    assert.ok(r.mul instanceof Decimal128 && Number(r.mul.toString()) === 5);
    assert.ok(r.small instanceof Int32 && r.small.value === 3);
    assert.deepEqual([r.t, r.td, r.ti], ["long", "decimal", "int"]);
  });

  it("reports $merge whenMatched:fail clashes with keyPattern/keyValue and refuses $out under linearizable", async () => {
    await h.db.collection<any>("m").insertOne({ _id: 2 });
    const err = await expectReject(h.db.aggregate([{ $documents: [{ _id: 2 }] }, { $merge: { into: "m", whenMatched: "fail" } }]).toArray());
    assert.equal(err.code, 11000);
    assert.deepEqual([err.keyPattern, err.keyValue], [{ _id: 1 }, { _id: 2 }]);
    const lin = await expectReject(h.db.collection("m").aggregate([{ $out: "o" }], { readConcern: { level: "linearizable" } }).toArray());
    assert.equal(lin.code, 72);
  });

  it("keeps long types in pipeline updates", async () => {
    const c = h.db.collection<any>("n");
    await c.insertOne({ _id: 1, l: Long.fromNumber(5) });
    await c.updateOne({ _id: 1 }, [{ $set: { l: { $add: ["$l", 1] } } }]);
    const d = await c.findOne({ _id: 1 }, { promoteLongs: false });
    assert.ok(d!.l instanceof Long && d!.l.toString() === "6");
  });
});
