// Projection operators beyond plain inclusion/exclusion, as mongod answers them: positional "a.$" and
// $elemMatch with operator-only conditions on scalar arrays.
import assert from "node:assert/strict";
import { useStore } from "./helpers";

describe("embedded-mongo: positional and $elemMatch projections", () => {
  const h = useStore();

  it("'tags.$' returns the first element the query matched, and only the projected fields", async () => {
    const c = h.db.collection<any>("posts");
    await c.insertOne({ _id: 1, title: "t", tags: [{ tag: "bacon", count: 2 }, { tag: "eggs", count: 3 }, { tag: "eggs", count: 4 }] });
    assert.deepEqual(await c.findOne({ "tags.tag": "eggs" }, { projection: { "tags.$": 1 } }), { _id: 1, tags: [{ tag: "eggs", count: 3 }] });
    assert.deepEqual(await c.findOne({ "tags.count": { $gt: 3 } }, { projection: { title: 1, "tags.$": 1 } }), { _id: 1, title: "t", tags: [{ tag: "eggs", count: 4 }] });
  });

  it("$elemMatch with an operator-only condition picks the first matching scalar, or leaves the field out", async () => {
    const c = h.db.collection<any>("nums");
    await c.insertOne({ _id: 1, name: "n", xs: [1, 5, 9], ys: ["a", "b"] });
    assert.deepEqual(await c.findOne({ _id: 1 }, { projection: { xs: { $elemMatch: { $gte: 4 } } } }), { _id: 1, xs: [5] });
    assert.deepEqual(await c.findOne({ _id: 1 }, { projection: { ys: { $elemMatch: { $in: ["b", "z"] } }, name: 1 } }), { _id: 1, name: "n", ys: ["b"] });
    assert.deepEqual(await c.findOne({ _id: 1 }, { projection: { xs: { $elemMatch: { $gt: 100 } } } }), { _id: 1 });
    // documents in arrays keep working
    await c.insertOne({ _id: 2, items: [{ k: 1 }, { k: 2 }] });
    assert.deepEqual(await c.findOne({ _id: 2 }, { projection: { items: { $elemMatch: { k: 2 } } } }), { _id: 2, items: [{ k: 2 }] });
  });
});
