// The store answers common filters ($in/$nin of scalars, comparisons with a date, $or of them, equality) and top-level
// inclusion projections without mingo; these pin the MongoDB semantics those shortcuts must keep:
// array fields match by element, missing and null fields, mixed with conditions mingo still runs.
import assert from "node:assert/strict";
import { Double, Int32, Long, Timestamp } from "bson";
import { useStore } from "./helpers";

describe("embedded-mongo: hashed $in/$nin/$or filters and plain inclusion projections", () => {
  const h = useStore();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- numeric ids
  const ids = async (filter: Record<string, unknown>) => (await h.db.collection<any>("f").find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id as number);

  beforeEach(async () => {
    await h.db.collection("f").insertMany([
      { _id: 1, a: 1, b: "x", n: 5 },
      { _id: 2, a: [3, 2], b: "y", n: 7 },
      { _id: 3, b: "x", n: 9 },
      { _id: 4, a: null, b: ["x", "z"] },
      { _id: 5, a: { v: 1 }, b: "w", n: 5 },
    ] as never[]);
  });

  it("$in matches a scalar field or an element of an array field, never a missing, null or sub-document field", async () => {
    assert.deepEqual(await ids({ a: { $in: [1, 2] } }), [1, 2]);
    assert.deepEqual(await ids({ a: { $in: [] } }), []);
    assert.deepEqual(await ids({ b: { $in: ["x"] } }), [1, 3, 4]);
  });

  it("$nin keeps missing and null fields and drops an array holding a listed element", async () => {
    assert.deepEqual(await ids({ a: { $nin: [1, 3] } }), [3, 4, 5]);
    assert.deepEqual(await ids({ b: { $nin: ["x"] } }), [2, 5]);
  });

  it("$or of hashed branches, beside equality and a condition mingo evaluates", async () => {
    assert.deepEqual(await ids({ $or: [{ a: { $in: [2] } }, { b: "x" }] }), [1, 2, 3, 4]);
    assert.deepEqual(await ids({ n: 5, $or: [{ a: 1 }, { b: { $in: ["w"] } }] }), [1, 5]);
    assert.deepEqual(await ids({ n: { $gt: 5 }, $or: [{ a: { $in: [3] } }, { b: "x" }] }), [2, 3]);
    assert.deepEqual(await ids({ b: { $nin: ["w"] }, $or: [{ a: { $exists: false } }, { a: 1 }] }), [1, 3]);
  });

  it("a comparison with a date matches dates only, an array by any element, never a missing or null field", async () => {
    const c = h.db.collection("d");
    const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
    await c.insertMany([
      { _id: 1, t: at(10) },
      { _id: 2, t: at(20) },
      { _id: 3, t: [at(5), at(30)] },
      { _id: 4, t: null },
      { _id: 5 },
      { _id: 6, t: at(20).getTime() },
      { _id: 7, t: at(20).toISOString() },
      { _id: 8, t: new Timestamp({ t: Math.floor(at(20).getTime() / 1000), i: 1 }) },
    ] as never[]);
    const dates = async (filter: Record<string, unknown>) => (await c.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id as unknown as number);
    assert.deepEqual(await dates({ t: { $gt: at(10) } }), [2, 3]);
    assert.deepEqual(await dates({ t: { $gte: at(10) } }), [1, 2, 3]);
    assert.deepEqual(await dates({ t: { $lt: at(10) } }), [3]);
    assert.deepEqual(await dates({ t: { $lte: at(20) } }), [1, 2, 3]);
    // both bounds on one element or on different elements of an array: MongoDB matches each bound separately
    assert.deepEqual(await dates({ t: { $gt: at(10), $lt: at(25) } }), [2, 3]);
    assert.deepEqual(await dates({ t: { $gt: at(40) } }), []);
    // beside equality, a hashed $nin and an $or, as a story's live filter is
    assert.deepEqual(await dates({ _id: { $nin: [2] }, t: { $gte: at(10) }, $or: [{ _id: 1 }, { _id: { $in: [3, 6] } }] }), [1, 3]);
  });

  it("$group of a literal _id pushing fields: input order, a missing field not pushed, $ifNull's literal for null and missing, exact number types", async () => {
    const c = h.db.collection("g");
    await c.insertMany([
      { _id: 1, k: 3, v: new Long(7) },
      { _id: 2, k: 1, v: null },
      { _id: 3, k: 2 },
      { _id: 4, k: 4, v: new Double(2) },
    ] as never[]);
    const [g, ...more] = await c
      .aggregate([{ $sort: { k: 1 } }, { $group: { _id: "all", ids: { $push: "$_id" }, vs: { $push: "$v" }, filled: { $push: { $ifNull: ["$v", 0] } } } }], { promoteValues: false })
      .toArray();
    assert.equal(more.length, 0);
    assert.deepEqual(
      g!.ids.map((x: Int32) => x.valueOf()),
      [2, 3, 1, 4],
    );
    // MongoDB leaves a missing field out of $push (document 3) and keeps a null one (document 2)
    assert.deepEqual(
      g!.vs.map((x: unknown) => (x === null ? null : [(x as { _bsontype: string })._bsontype, Number(x)])),
      [null, ["Long", 7], ["Double", 2]],
    );
    assert.deepEqual(
      g!.filled.map((x: unknown) => [(x as { _bsontype: string })._bsontype, Number(x)]),
      [["Int32", 0], ["Int32", 0], ["Long", 7], ["Double", 2]],
    );
    // no input, no group; and a $group this shortcut does not take (an expression _id) still runs
    assert.deepEqual(await c.aggregate([{ $match: { k: 99 } }, { $group: { _id: null, ids: { $push: "$_id" } } }]).toArray(), []);
    assert.deepEqual(await c.aggregate([{ $sort: { k: 1 } }, { $group: { _id: { $gt: ["$k", 2] }, ids: { $push: "$_id" } } }, { $sort: { _id: 1 } }]).toArray(), [
      { _id: false, ids: [2, 3] },
      { _id: true, ids: [1, 4] },
    ]);
  });

  it("an inclusion projection keeps the listed fields in the document's order, _id unless excluded", async () => {
    const c = h.db.collection("p");
    await c.insertOne({ _id: 1, z: 1, a: 2, m: { k: 3 }, q: 4 } as never);
    const shown = await c.findOne({}, { projection: { q: 1, m: 1, absent: 1, a: true } });
    assert.deepEqual(Object.keys(shown!), ["_id", "a", "m", "q"]);
    assert.deepEqual(shown, { _id: 1, a: 2, m: { k: 3 }, q: 4 });
    assert.deepEqual(await c.findOne({}, { projection: { _id: 0, z: 1 } }), { z: 1 });
  });
});
