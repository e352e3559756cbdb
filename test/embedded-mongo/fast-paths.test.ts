// The store answers common filters ($in/$nin of scalars, $or of them, equality) and top-level
// inclusion projections without mingo; these pin the MongoDB semantics those shortcuts must keep:
// array fields match by element, missing and null fields, mixed with conditions mingo still runs.
import assert from "node:assert/strict";
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

  it("an inclusion projection keeps the listed fields in the document's order, _id unless excluded", async () => {
    const c = h.db.collection("p");
    await c.insertOne({ _id: 1, z: 1, a: 2, m: { k: 3 }, q: 4 } as never);
    const shown = await c.findOne({}, { projection: { q: 1, m: 1, absent: 1, a: true } });
    assert.deepEqual(Object.keys(shown!), ["_id", "a", "m", "q"]);
    assert.deepEqual(shown, { _id: 1, a: 2, m: { k: 3 }, q: 4 });
    assert.deepEqual(await c.findOne({}, { projection: { _id: 0, z: 1 } }), { z: 1 });
  });
});
