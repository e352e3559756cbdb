// Keys that name JS prototype machinery (`__proto__`, `constructor`, `prototype`) sent through the official
// driver: the store process's prototypes must never change, other clients keep working, and the documents
// hold what MongoDB 7 stores (those names are ordinary fields there) or the command gets MongoDB's error code.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BSON, Long, MongoClient, type Collection, type Document } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { useStore } from "./helpers";
import { prototypeSnapshot, rejectionCode, withOwn } from "./hostile-keys.support";

describe("embedded-mongo: hostile keys", () => {
  const h = useStore();
  let snapshot: string;

  beforeEach(() => {
    snapshot = prototypeSnapshot();
  });

  afterEach(async function () {
    // the invariants every test here must leave intact, checked after each one
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype.polluted appeared");
    assert.equal(prototypeSnapshot(), snapshot, `prototypes changed in ${this.currentTest?.title}`);
    const probe = h.db.collection<any>("probe");
    await probe.insertOne({ _id: 1, v: 0 } as Document);
    const r = await probe.updateOne({ _id: 1 }, { $set: { v: 1 } });
    assert.equal(r.modifiedCount, 1, "a plain $set on another collection must still work");
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents of any shape, ids of any type
  const coll = (): Collection<any> => h.db.collection<any>("c");

  describe("update operators store the names as ordinary fields", () => {
    it("the issue's reproduction: $set '__proto__.polluted' creates a real field and later updates work", async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: 1 } as Document);
      const r = await c.updateOne({ _id: 1 }, { $set: { "__proto__.polluted": "x" } });
      assert.equal(r.modifiedCount, 1);
      const r2 = await c.updateOne({ _id: 1 }, { $set: { b: 2 } });
      assert.equal(r2.modifiedCount, 1);
      const doc = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(Object.keys(doc), ["_id", "a", "__proto__", "b"]);
      assert.ok(Object.hasOwn(doc, "__proto__"));
      assert.deepEqual(Object.getOwnPropertyDescriptor(doc, "__proto__")!.value, { polluted: "x" });
      assert.equal(Object.getPrototypeOf(doc), Object.prototype, "the driver decodes __proto__ as an own field");
    });

    for (const path of ["a.__proto__.x", "constructor.prototype.x", "prototype.x", "a.constructor.x", "__proto__", "constructor", "prototype"]) {
      it(`$set, $inc, $min, $max, $mul, $unset on '${path}'`, async () => {
        const c = coll();
        await c.insertOne({ _id: 1, a: {} } as Document);
        await c.updateOne({ _id: 1 }, { $set: { [path]: 5 } });
        let doc = (await c.findOne({ _id: 1 } as Document))!;
        assert.equal(valueAt(doc, path), 5);
        await c.updateOne({ _id: 1 }, { $inc: { [path]: 2 } });
        await c.updateOne({ _id: 1 }, { $mul: { [path]: 2 } });
        await c.updateOne({ _id: 1 }, { $max: { [path]: 100 } });
        await c.updateOne({ _id: 1 }, { $min: { [path]: 50 } });
        doc = (await c.findOne({ _id: 1 } as Document))!;
        assert.equal(valueAt(doc, path), 50);
        await c.updateOne({ _id: 1 }, { $unset: { [path]: "" } });
        doc = (await c.findOne({ _id: 1 } as Document))!;
        assert.equal(valueAt(doc, path), undefined);
      });
    }

    it("$inc on '__proto__.n' and $set on 'constructor.prototype.x' build nested own fields", async () => {
      const c = coll();
      await c.insertOne({ _id: 1 } as Document);
      await c.updateOne({ _id: 1 }, { $inc: { "__proto__.n": 1 }, $set: { "constructor.prototype.x": "y" } });
      const doc = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(plain(doc), json('{"_id": 1, "__proto__": {"n": 1}, "constructor": {"prototype": {"x": "y"}}}'));
    });

    it("array operators ($push, $addToSet, $pull, $pop, $pullAll) and $rename on those names", async () => {
      const c = coll();
      await c.insertOne({ _id: 1 } as Document);
      await c.updateOne({ _id: 1 }, { $push: { "__proto__.list": { $each: [3, 1, 2], $sort: 1 } } as Document });
      await c.updateOne({ _id: 1 }, { $addToSet: { "constructor.tags": "a" } } as Document);
      await c.updateOne({ _id: 1 }, { $addToSet: { "constructor.tags": "a" } } as Document);
      await c.updateOne({ _id: 1 }, { $pull: { "__proto__.list": 2 } } as Document);
      await c.updateOne({ _id: 1 }, { $pop: { "__proto__.list": 1 } } as Document);
      await c.updateOne({ _id: 1 }, { $rename: { "constructor.tags": "prototype.tags" } });
      const doc = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(plain(doc), json('{"_id": 1, "__proto__": {"list": [1]}, "constructor": {}, "prototype": {"tags": ["a"]}}'));
      await c.updateOne({ _id: 1 }, { $pullAll: { "__proto__.list": [1] } } as Document);
      assert.deepEqual(valueAt((await c.findOne({ _id: 1 } as Document))!, "__proto__.list"), []);
    });

    it("positional $, $[] and $[id] updates through those names", async () => {
      const c = coll();
      await c.insertOne(withOwn({ _id: 1 }, "__proto__", [{ n: 1 }, { n: 2 }] as Document[]));
      await c.updateOne({ _id: 1, "constructor.x": { $exists: false } }, { $set: { "__proto__.$[].constructor": 0 } });
      await c.updateOne({ _id: 1 }, { $inc: { "__proto__.$[el].constructor": 5 } }, { arrayFilters: [{ "el.n": 2 }] });
      const doc = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(plain(valueAt(doc, "__proto__") as Document), json('[{"n": 1, "constructor": 0}, {"n": 2, "constructor": 5}]'));
      // the positional `$` needs a filter on the array: mingo refuses a `__proto__` query path (see the README)
      await c.insertOne({ _id: 2, prototype: [{ n: 1 }, { n: 2 }] } as Document);
      await c.updateOne({ _id: 2, "prototype.n": 2 }, { $set: { "prototype.$.constructor": "hit" } });
      assert.deepEqual(plain((await c.findOne({ _id: 2 } as Document))!.prototype), json('[{"n": 1}, {"n": 2, "constructor": "hit"}]'));
    });

    it("refuses arrayFilters identifiers that are not MongoDB identifiers (BadValue)", async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: [1, 2] } as Document);
      for (const id of ["__proto__", "constructor0x".replace("0x", "_"), "Prototype"]) {
        const code = await rejectionCode(c.updateOne({ _id: 1 }, { $set: { [`a.$[${id}]`]: 0 } }, { arrayFilters: [{ [id]: 1 }] }));
        assert.equal(code, 2, id);
      }
      const code = await rejectionCode(c.updateOne({ _id: 1 }, { $set: { "a.$[constructor]": 0 } }, { arrayFilters: [{ x: 1 }] }));
      assert.equal(code, 2, "a path identifier without a filter");
    });

    it("answers $-prefixed and empty field names with MongoDB's codes (52, 56)", async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: {} } as Document);
      assert.equal(await rejectionCode(c.updateOne({ _id: 1 }, { $set: { "a.$__proto__": 1 } })), 52);
      assert.equal(await rejectionCode(c.updateOne({ _id: 1 }, { $set: { "__proto__.$x": 1 } })), 52);
      assert.equal(await rejectionCode(c.updateOne({ _id: 1 }, { $set: { "a..b": 1 } })), 56);
      assert.equal(await rejectionCode(c.updateOne({ _id: 1 }, { $set: { "": 1 } })), 56);
      assert.equal(await rejectionCode(c.updateOne({ _id: 1 }, { $set: { "__proto__.": 1 } })), 56);
      // the driver refuses a $-prefixed replacement key itself, so this one goes as a raw command
      const raw = await h.db.command({ update: "c", updates: [{ q: { _id: 1 }, u: withOwn({ a: 1 }, "$__proto__", 1) }] });
      assert.equal(raw.writeErrors?.[0]?.code, 52);
    });

    it("upserts copy equality fields named so from the filter into the new document", async () => {
      const c = coll();
      await c.updateOne({ _id: 1, "__proto__.polluted": "x", "constructor.prototype.y": 2 } as Document, { $set: { z: 1 } }, { upsert: true });
      const doc = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(plain(doc), json('{"_id": 1, "__proto__": {"polluted": "x"}, "constructor": {"prototype": {"y": 2}}, "z": 1}'));
    });

    it("findAndModify returns and stores the fields", async () => {
      const c = coll();
      await c.insertOne({ _id: 1 } as Document);
      const after = await c.findOneAndUpdate({ _id: 1 }, { $set: { "__proto__.a": 1, "prototype.b": 2 } }, { returnDocument: "after" });
      assert.deepEqual(plain(after!), json('{"_id": 1, "__proto__": {"a": 1}, "prototype": {"b": 2}}'));
    });
  });

  describe("documents holding those names", () => {
    it("insert and replacement keep own __proto__/constructor/prototype fields, nested and in arrays", async () => {
      const c = coll();
      const nested = withOwn({ x: 1 }, "__proto__", { polluted: "x" });
      const doc = withOwn({ _id: 1, constructor: { prototype: { polluted: "y" } }, arr: [nested] }, "__proto__", { polluted: "z" });
      await c.insertOne(doc);
      const back = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(plain(back), plain(doc));
      await c.replaceOne({ _id: 1 }, withOwn({ prototype: 1 }, "__proto__", [1, 2]));
      const replaced = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(plain(replaced), json('{"_id": 1, "prototype": 1, "__proto__": [1, 2]}'));
    });

    it("filters and sorts on constructor/prototype fields read own fields only", async () => {
      const c = coll();
      await c.insertMany([{ _id: 1, constructor: 3 }, { _id: 2, constructor: 1 }, { _id: 3 }] as Document[]);
      const sorted = (sort: Document, filter: Document = {}) => c.find(filter, { sort: sort as never }).toArray().then((ds) => ds.map((d) => d._id));
      assert.deepEqual(await sorted({ constructor: 1 }, { constructor: { $exists: true } }), [2, 1]);
      assert.deepEqual(await sorted({ "constructor.name": -1, _id: 1 }, { "constructor.prototype": { $exists: false } }), [1, 2, 3]);
      assert.deepEqual(await c.distinct("constructor"), [1, 3]);
    });

    it("a filter on a __proto__ path is refused by mingo (BadValue) instead of reaching the prototype", async () => {
      const c = coll();
      await c.insertOne({ _id: 1 } as Document);
      assert.equal(await rejectionCode(c.find({ "__proto__.polluted": "x" }).toArray()), 2);
    });

    it("projections naming those keys are refused (BadValue); other projections of such documents work", async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: 1, constructor: { prototype: { 0: "x" } } } as Document);
      for (const projection of [{ "constructor.prototype": 1 }, { "constructor.prototype.0": 1 }, { constructor: 0 }, { x: "$constructor.prototype" }] as Document[]) {
        assert.equal(await rejectionCode(c.find({}, { projection }).toArray()), 2, JSON.stringify(projection));
      }
      assert.deepEqual(await c.find({}, { projection: { a: 1 } }).toArray(), [{ _id: 1, a: 1 }]);
      assert.equal(await rejectionCode(c.findOneAndUpdate({ _id: 1 }, { $set: { b: 1 } }, { projection: { "constructor.prototype.0": 1 } })), 2);
    });

    it("unique and multikey indexes on such keys index own fields (missing is null, not Object)", async () => {
      const c = coll();
      await c.createIndex({ "__proto__.x": 1 }, { unique: true, sparse: true, name: "__proto__" });
      await c.createIndex({ constructor: 1 }, { unique: true, sparse: true });
      await c.createIndex({ "prototype.0": 1 }, { name: "constructor" });
      await c.insertOne(withOwn({ _id: 1 }, "__proto__", { x: 1 }));
      await c.insertOne({ _id: 2, constructor: "a" } as Document);
      const dup = await rejectionCode(c.insertOne(withOwn({ _id: 3 }, "__proto__", { x: 1 })));
      assert.equal(dup, 11000);
      await c.insertOne({ _id: 4, prototype: [5] } as Document);
      const names = (await c.listIndexes().toArray()).map((i) => i.name).sort();
      assert.deepEqual(names, ["__proto__", "_id_", "constructor", "constructor_1"]);
      assert.equal((await c.find({ constructor: "a" }).toArray()).length, 1);
      await c.dropIndex("__proto__");
    });
  });

  describe("aggregation", () => {
    const refused: [string, Document[]][] = [
      ["$group _id", [{ $group: { _id: { __proto__x: 1, constructor: "$a" } } }]],
      ["$group accumulator", [{ $group: { _id: null, constructor: { $sum: 1 } } }]],
      ["$project", [{ $project: { "constructor.prototype.x": "$a" } }]],
      ["$addFields", [{ $addFields: { "constructor.prototype.0": 1 } }]],
      ["$set", [{ $set: { prototype: 1 } }]],
      ["$setField", [{ $replaceWith: { $setField: { field: "constructor", input: "$$ROOT", value: 1 } } }]],
      ["$replaceRoot", [{ $replaceRoot: { newRoot: "$constructor" } }]],
      ["$unwind", [{ $unwind: "$prototype" }]],
      ["$lookup as", [{ $lookup: { from: "c", localField: "a", foreignField: "a", as: "arr.constructor.prototype.0" } }]],
      ["$facet name", [{ $facet: { constructor: [{ $limit: 1 }] } }]],
      ["$bucket output", [{ $bucket: { groupBy: "$a", boundaries: [0, 10], output: { prototype: { $sum: 1 } } } }]],
      ["$graphLookup as", [{ $graphLookup: { from: "c", startWith: "$a", connectFromField: "a", connectToField: "a", as: "constructor.prototype.0" } }]],
    ];
    for (const [what, pipeline] of refused) {
      it(`refuses ${what} naming those keys with BadValue`, async () => {
        const c = coll();
        await c.insertOne({ _id: 1, a: 1, arr: [1] } as Document);
        assert.equal(await rejectionCode(c.aggregate(pipeline).toArray()), 2);
      });
    }

    it("refuses __proto__ keys sent as own fields of a stage", async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: 1 } as Document);
      assert.equal(await rejectionCode(c.aggregate([{ $group: withOwn({ _id: null }, "__proto__", { $sum: 1 }) }]).toArray()), 2);
      assert.equal(await rejectionCode(c.aggregate([{ $addFields: withOwn({}, "__proto__", { polluted: 1 }) }]).toArray()), 2);
      assert.equal(await rejectionCode(c.aggregate([{ $project: withOwn({}, "__proto__", 1) }]).toArray()), 2);
    });

    it("pipeline-style updates naming those keys are refused; other pipelines over such documents work", async () => {
      const c = coll();
      await c.insertOne(withOwn({ _id: 1, n: 2, constructor: { prototype: 1 } }, "__proto__", { p: 1 }));
      assert.equal(await rejectionCode(c.updateOne({ _id: 1 }, [{ $set: { "constructor.prototype.x": 1 } }])), 2);
      await c.updateOne({ _id: 1 }, [{ $set: { m: { $add: ["$n", 1] } } }]);
      const doc = (await c.findOne({ _id: 1 } as Document))!;
      assert.deepEqual(plain(doc), json('{"_id": 1, "n": 2, "constructor": {"prototype": 1}, "__proto__": {"p": 1}, "m": 3}'));
      const out = await c.aggregate([{ $match: { constructor: { $exists: true } } }, { $project: { n: 1 } }]).toArray();
      assert.deepEqual(out, [{ _id: 1, n: 2 }]);
    });

    it("projections and stages that copy documents keep an own __proto__ field (mingo would make it the prototype)", async () => {
      const c = coll();
      await c.insertOne(withOwn({ _id: 1, a: 1, b: { c: 1 } }, "__proto__", { p: 1 }));
      const full = json('{"_id": 1, "b": {"c": 1}, "__proto__": {"p": 1}}');
      assert.deepEqual(plain((await c.find({}, { projection: { a: 0 } }).toArray())[0]), full);
      assert.deepEqual(plain((await c.aggregate([{ $project: { a: 0 } }]).toArray())[0]), full);
      assert.deepEqual(plain((await c.aggregate([{ $unset: "a" }]).toArray())[0]), full);
      const merged = (await c.aggregate([{ $replaceRoot: { newRoot: { $mergeObjects: ["$$ROOT", { q: 1 }] } } }]).toArray())[0];
      assert.deepEqual(plain(merged), json('{"_id": 1, "a": 1, "b": {"c": 1}, "q": 1, "__proto__": {"p": 1}}'));
      assert.equal(Object.getPrototypeOf(merged), Object.prototype);
      // a stage after the copy sees the field too, also when the document needs a typed view (an int64)
      await c.updateOne({ _id: 1 }, { $set: { big: Long.fromNumber(2 ** 40) } });
      const later = await c.aggregate([{ $project: { a: 0 } }, { $addFields: { k: 1 } }, { $project: { big: 0 } }]).toArray();
      assert.deepEqual(plain(later[0]), json('{"_id": 1, "b": {"c": 1}, "__proto__": {"p": 1}, "k": 1}'));
      await c.updateOne({ _id: 1 }, { $unset: { big: "" } });
      const fam = await c.findOneAndUpdate({ _id: 1 }, { $set: { z: 1 } }, { projection: { a: 0, z: 0 }, returnDocument: "after" });
      assert.deepEqual(plain(fam!), full);
    });

    it("let: variables named constructor/prototype work, invalid names get MongoDB's codes", async () => {
      const c = coll();
      await c.insertOne({ _id: 1, a: 1 } as Document);
      const out = await c.aggregate([{ $project: { v: "$$constructor", w: "$$prototype" } }], { let: { constructor: 7, prototype: 8 } }).toArray();
      assert.deepEqual(out, [{ _id: 1, v: 7, w: 8 }]);
      assert.equal(await rejectionCode(c.aggregate([{ $project: { v: 1 } }], { let: withOwn({}, "__proto__", 1) }).toArray()), 16867);
      assert.equal(await rejectionCode(c.aggregate([{ $project: { v: 1 } }], { let: { Constructor: 1 } }).toArray()), 16867);
      assert.equal(await rejectionCode(c.aggregate([{ $project: { v: 1 } }], { let: { "a.b": 1 } }).toArray()), 16868);
      assert.equal(await rejectionCode(c.find({ $expr: { $eq: ["$a", "$$x"] } }, { let: { x: { y: "$$ROOT.constructor" } } }).toArray()), 2);
      assert.equal((await c.find({ $expr: { $eq: ["$a", "$$constructor"] } }, { let: { constructor: 1 } }).toArray()).length, 1);
    });
  });

  describe("commands and names", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]) {
      it(`a command named '${name}' is "no such command" (59)`, async () => {
        assert.equal(await rejectionCode(h.db.command(withOwn({}, name, 1))), 59);
      });
    }

    it("getParameter ignores inherited names", async () => {
      const r = await h.client.db("admin").command(withOwn({ getParameter: 1, constructor: 1, toString: 1 }, "__proto__", 1));
      assert.deepEqual(Object.keys(r).sort(), ["ok"]);
    });

    it("a collation with a hostile locale is BadValue, not an internal error", async () => {
      const c = coll();
      assert.equal(await rejectionCode(c.find({}, { collation: { locale: "__proto__" } }).toArray()), 2);
    });
  });
});

/**
 * JSON round trip: own fields only, with own `__proto__` fields kept (JSON.parse defines them as own).
 * Elements that arrive as raw BSON are decoded first: the driver's bson decodes the array under a key named
 * like an Object.prototype member (`__proto__`, `constructor`, …) as raw element buffers, because its
 * `fieldsAsRaw[name]` lookup finds the inherited member. The store sends ordinary BSON arrays.
 */
describe("embedded-mongo: hostile keys across a restart", () => {
  it("journals and recovers own __proto__/constructor fields unchanged, without touching prototypes", async () => {
    const before = prototypeSnapshot();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-hostile-"));
    try {
      const first = await startEmbeddedMongo({ dataDir, port: 0 });
      const c1 = await MongoClient.connect(first.uri);
      await c1.db("h").collection<Document>("c").insertOne(withOwn({ _id: 1 as never, constructor: { prototype: { x: 1 } } }, "__proto__", { polluted: "x" }));
      await c1.db("h").collection<Document>("c").updateOne({ _id: 1 as never }, { $set: { "__proto__.more": 2 } });
      await c1.close();
      await first.stop();
      const second = await startEmbeddedMongo({ dataDir, port: 0 });
      const c2 = await MongoClient.connect(second.uri);
      const doc = await c2.db("h").collection<Document>("c").findOne({});
      await c2.close();
      await second.stop();
      assert.deepEqual(plain(doc!), json('{"_id": 1, "constructor": {"prototype": {"x": 1}}, "__proto__": {"polluted": "x", "more": 2}}'));
      assert.equal(prototypeSnapshot(), before);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

function plain(doc: Document): unknown {
  return JSON.parse(JSON.stringify(doc, (_k, v: unknown) => (Array.isArray(v) ? v.map((x) => (x instanceof Uint8Array ? BSON.deserialize(x) : x)) : v)));
}

/** Expected documents are written as JSON: an object literal `{__proto__: …}` would set the prototype. */
function json(text: string): unknown {
  return JSON.parse(text);
}

function valueAt(doc: Document, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Document)[seg];
  }
  return cur;
}
