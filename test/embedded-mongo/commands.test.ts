import assert from "node:assert/strict";
import { Long } from "mongodb";
import { expectReject, useStore } from "./helpers";

describe("embedded-mongo: commands", () => {
  const h = useStore();

  it("answers the handshake as a 7.0 replica-set primary with sessions", async () => {
    const r = await h.client.db("admin").command({ hello: 1 });
    assert.equal(r.isWritablePrimary, true);
    assert.equal(r.maxWireVersion, 21);
    assert.equal(r.maxBsonObjectSize, 16 * 1024 * 1024);
    assert.equal(r.maxMessageSizeBytes, 48000000);
    assert.equal(r.maxWriteBatchSize, 100000);
    assert.equal(r.logicalSessionTimeoutMinutes, 30);
    assert.ok(r.localTime instanceof Date);
    assert.equal(typeof r.connectionId, "number");
    assert.equal(r.compression, undefined);
    const legacy = await h.client.db("admin").command({ isMaster: 1 });
    assert.equal(legacy.ismaster, true);
    assert.equal((await h.db.command({ ping: 1 })).ok, 1);
    const bi = await h.db.command({ buildInfo: 1 });
    assert.equal(bi.version, "7.0.0");
  });

  it("rejects unknown commands with CommandNotFound (59)", async () => {
    const e = await expectReject(h.db.command({ frobnicate: 1 }));
    assert.equal(e.code, 59);
    assert.equal(e.codeName, "CommandNotFound");
    assert.equal(e.errmsg ?? e.message, "no such command: 'frobnicate'");
  });

  it("creates, lists and drops collections and databases", async () => {
    await h.db.createCollection("a");
    await h.db.collection<any>("b").insertOne({ x: 1 });
    const names = (await h.db.listCollections().toArray()).map((c) => c.name).sort();
    assert.deepEqual(names, ["a", "b"]);
    const filtered = await h.db.listCollections({ name: "b" }, { nameOnly: true }).toArray();
    assert.deepEqual(filtered, [{ name: "b", type: "collection" }]);
    const e = await expectReject(h.db.createCollection("a", { capped: true, size: 1000 }));
    assert.equal(e.code, 48);
    assert.equal(await h.db.collection<any>("a").drop(), true);
    const dbs = await h.client.db("admin").admin().listDatabases();
    assert.ok(dbs.databases.some((d) => d.name === h.db.databaseName));
    await h.db.dropDatabase();
    assert.equal((await h.db.listCollections().toArray()).length, 0);
  });

  it("inserts, finds with filter/sort/projection/skip/limit and batches through getMore", async () => {
    const c = h.db.collection<any>("items");
    const docs = Array.from({ length: 250 }, (_, i) => ({ i, even: i % 2 === 0, tag: `t${i % 5}` }));
    const r = await c.insertMany(docs);
    assert.equal(r.insertedCount, 250);
    const evens = await c.find({ even: true }, { sort: { i: -1 }, projection: { _id: 0, i: 1 }, skip: 2, limit: 3 }).toArray();
    assert.deepEqual(evens, [{ i: 244 }, { i: 242 }, { i: 240 }]);
    const all = await c.find({}, { batchSize: 7 }).toArray();
    assert.equal(all.length, 250);
    const single = await h.db.command({ find: "items", filter: {}, batchSize: 10, singleBatch: true });
    assert.equal(single.cursor.firstBatch.length, 10);
    assert.ok(Long.fromValue(single.cursor.id).isZero());
    const many = await h.db.command({ find: "items", filter: {}, batchSize: 10 });
    assert.ok(many.cursor.id instanceof Long && !many.cursor.id.isZero());
    const more = await h.db.command({ getMore: many.cursor.id, collection: "items", batchSize: 5 });
    assert.equal(more.cursor.nextBatch.length, 5);
    const killed = await h.db.command({ killCursors: "items", cursors: [many.cursor.id] });
    assert.equal(killed.cursorsKilled.length, 1);
    const gone = await expectReject(h.db.command({ getMore: many.cursor.id, collection: "items" }));
    assert.equal(gone.code, 43);
    const hinted = await c.find({ i: 3 }).hint({ _id: 1 }).toArray();
    assert.equal(hinted.length, 1);
  });

  it("counts and computes distinct values", async () => {
    const c = h.db.collection<any>("c");
    await c.insertMany([{ k: 1, t: ["a", "b"] }, { k: 2, t: ["b"] }, { k: 3, t: "c" }]);
    assert.equal(await c.countDocuments({ k: { $gte: 2 } }), 2);
    assert.equal(await c.estimatedDocumentCount(), 3);
    const r = await h.db.command({ count: "c", query: { k: { $gt: 0 } }, limit: 2 });
    assert.equal(r.n, 2);
    assert.deepEqual(await c.distinct("t"), ["a", "b", "c"]);
    assert.deepEqual(await c.distinct("k", { k: { $lt: 3 } }), [1, 2]);
  });

  it("updates: multi, upsert, $setOnInsert, positional, arrayFilters, pipeline, replacement", async () => {
    const c = h.db.collection<any>("u");
    await c.insertMany([
      { _id: 1, n: 1, arr: [{ q: 1 }, { q: 5 }], grades: [80, 95, 70] },
      { _id: 2, n: 2, arr: [], grades: [100] },
    ]);
    const many = await c.updateMany({}, { $inc: { n: 10 } });
    assert.equal(many.matchedCount, 2);
    assert.equal(many.modifiedCount, 2);
    const ups = await c.updateOne({ _id: 3 }, { $set: { a: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    assert.equal(ups.upsertedId, 3);
    assert.deepEqual(await c.findOne({ _id: 3 }), { _id: 3, a: 1, created: true });
    await c.updateOne({ _id: 3 }, { $set: { a: 2 }, $setOnInsert: { created: false } }, { upsert: true });
    assert.equal((await c.findOne({ _id: 3 }))!.created, true);
    await c.updateOne({ _id: 1, "arr.q": 5 }, { $set: { "arr.$.hit": true } });
    assert.deepEqual((await c.findOne({ _id: 1 }))!.arr, [{ q: 1 }, { q: 5, hit: true }]);
    await c.updateOne({ _id: 1 }, { $set: { "grades.$[g]": 0 } }, { arrayFilters: [{ g: { $lt: 90 } }] });
    assert.deepEqual((await c.findOne({ _id: 1 }))!.grades, [0, 95, 0]);
    await c.updateOne({ _id: 2 }, [{ $set: { double: { $multiply: ["$n", 2] } } }]);
    assert.equal((await c.findOne({ _id: 2 }))!.double, 24);
    await c.replaceOne({ _id: 2 }, { replaced: true });
    assert.deepEqual(await c.findOne({ _id: 2 }), { _id: 2, replaced: true });
    const noop = await c.updateOne({ _id: 2 }, { $set: { replaced: true } });
    assert.equal(noop.matchedCount, 1);
    assert.equal(noop.modifiedCount, 0);
    await c.updateOne({ _id: 1 }, { $push: { grades: { $each: [1, 2], $slice: -3 } } as never, $unset: { arr: "" } });
    assert.deepEqual(await c.findOne({ _id: 1 }, { projection: { grades: 1, arr: 1 } }), { _id: 1, grades: [0, 1, 2] });
    await c.updateOne({ _id: 1 }, { $addToSet: { grades: { $each: [2, 3] } }, $pull: { missing: 1 } as never });
    assert.deepEqual((await c.findOne({ _id: 1 }))!.grades, [0, 1, 2, 3]);
    await c.updateOne({ _id: 1 }, { $pull: { grades: { $gte: 2 } } as never, $rename: { n: "count" }, $max: { top: 9 } });
    assert.deepEqual(await c.findOne({ _id: 1 }), { _id: 1, grades: [0, 1], count: 11, top: 9 });
  });

  it("raises MongoDB's errors for invalid updates", async () => {
    const c = h.db.collection<any>("e");
    await c.insertOne({ _id: 1, s: "x", a: [1] });
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $inc: { s: 1 } }))).code, 14);
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $inc: { a: "x" } as never }))).code, 14);
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $push: { s: 1 } as never }))).code, 2);
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $set: { _id: 2 } }))).code, 66);
    assert.equal((await expectReject(c.replaceOne({ _id: 1 }, { _id: 2 }))).code, 66);
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $set: { a: 1, "a.b": 2 } }))).code, 40);
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $foo: { a: 1 } } as never))).code, 9);
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $set: { "s.x": 1 } }))).code, 28);
    assert.equal((await expectReject(c.find({ a: { $bogus: 1 } }).toArray())).code, 2);
    assert.equal((await expectReject(c.aggregate([{ $bogus: {} }]).toArray())).code, 40324);
  });

  it("deletes with limit 1 and 0", async () => {
    const c = h.db.collection<any>("d");
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    assert.equal((await c.deleteOne({ k: 1 })).deletedCount, 1);
    assert.equal((await c.deleteMany({ k: 1 })).deletedCount, 2);
    assert.equal(await c.countDocuments(), 1);
  });

  it("findAndModify: sort, new, upsert, remove, fields, arrayFilters", async () => {
    const c = h.db.collection<any>("f");
    await c.insertMany([{ k: 1, v: 1, xs: [1, 5] }, { k: 2, v: 1, xs: [2] }]);
    const before = await c.findOneAndUpdate({ v: 1 }, { $inc: { v: 1 } }, { sort: { k: -1 }, returnDocument: "before", projection: { _id: 0 } });
    assert.deepEqual(before, { k: 2, v: 1, xs: [2] });
    const after = await c.findOneAndUpdate({ k: 1 }, { $set: { "xs.$[x]": 0 } }, { arrayFilters: [{ x: { $gt: 2 } }], returnDocument: "after" });
    assert.deepEqual(after!.xs, [1, 0]);
    const up = await c.findOneAndUpdate({ k: 9 }, { $set: { v: 9 } }, { upsert: true, returnDocument: "after", includeResultMetadata: true });
    assert.equal(up.value!.k, 9);
    assert.equal(up.lastErrorObject!.updatedExisting, false);
    assert.ok(up.lastErrorObject!.upserted);
    const removed = await c.findOneAndDelete({ k: 9 });
    assert.equal(removed!.v, 9);
    assert.equal(await c.findOneAndDelete({ k: 99 }), null);
    const repl = await c.findOneAndReplace({ k: 1 }, { k: 1, replaced: 1 }, { returnDocument: "after" });
    assert.equal(repl!.replaced, 1);
  });

  it("aggregates with $group, $lookup across collections, $unwind, $out and cursor batching", async () => {
    await h.db.collection<any>("users").insertMany([{ _id: 1, name: "ann" }, { _id: 2, name: "bob" }]);
    const orders = h.db.collection<any>("orders");
    await orders.insertMany([{ u: 1, amt: 5 }, { u: 1, amt: 7 }, { u: 2, amt: 1 }]);
    const res = await orders
      .aggregate([
        { $match: { amt: { $gte: 1 } } },
        { $group: { _id: "$u", total: { $sum: "$amt" } } },
        { $lookup: { from: "users", localField: "_id", foreignField: "_id", as: "user" } },
        { $unwind: "$user" },
        { $project: { _id: 0, name: "$user.name", total: 1 } },
        { $sort: { total: -1 } },
      ])
      .toArray();
    assert.deepEqual(res, [{ total: 12, name: "ann" }, { total: 1, name: "bob" }]);
    await orders.aggregate([{ $match: { u: 1 } }, { $out: "big" }]).toArray();
    assert.equal(await h.db.collection<any>("big").countDocuments(), 2);
    const cur = await h.db.command({ aggregate: "orders", pipeline: [], cursor: { batchSize: 1 } });
    assert.equal(cur.cursor.firstBatch.length, 1);
    assert.ok(!Long.fromValue(cur.cursor.id).isZero());
    const rest = await orders.aggregate([], { batchSize: 1 }).toArray();
    assert.equal(rest.length, 3);
  });

  it("answers $match → $sort → $limit through the planner in find's order, ties, mixed types and arrays included, and leaves later stages to the pipeline", async () => {
    const c = h.db.collection<any>("ordered");
    await c.createIndex({ at: -1, _id: -1 });
    await c.insertMany([
      { _id: 1, k: 1, at: 5, v: "b" },
      { _id: 2, k: 1, at: 5, v: [3, "a"] },
      { _id: 3, k: 1, at: null, v: 2 },
      { _id: 4, k: 1, at: "x", v: { z: 1 } },
      { _id: 5, k: 1, at: 7, v: [1] },
      { _id: 6, k: 2, at: 9, v: 0 },
    ]);
    const ids = (rows: { _id?: unknown }[]) => rows.map((r) => r._id);
    for (const sort of [{ at: -1, _id: -1 }, { v: 1, _id: 1 }, { v: -1 }] as Record<string, 1 | -1>[]) {
      const found = ids(await c.find({ k: 1 }).sort(sort).limit(4).toArray());
      const aggregated = ids(await c.aggregate([{ $match: { k: 1 } }, { $sort: sort }, { $limit: 4 }]).toArray());
      assert.deepEqual(aggregated, found, JSON.stringify(sort));
    }
    // what follows the folded sort and limit still runs, on the sorted, limited documents
    const grouped = await c.aggregate([{ $match: { k: 1 } }, { $sort: { at: -1, _id: -1 } }, { $limit: 3 }, { $group: { _id: null, ids: { $push: "$_id" } } }]).toArray();
    assert.deepEqual(grouped, [{ _id: null, ids: ids(await c.find({ k: 1 }).sort({ at: -1, _id: -1 }).limit(3).toArray()) }]);
  });

  it("answers $unionWith and an uncorrelated $lookup whose pipeline opens with $match (read through the planner) like mongod", async () => {
    const follows = h.db.collection<any>("follows");
    const blocks = h.db.collection<any>("blocks");
    await blocks.createIndex({ blocked_id: 1 });
    await follows.insertMany([{ _id: 1, by: "v", to: "a" }, { _id: 2, by: "w", to: "b" }]);
    await blocks.insertMany([{ _id: 1, blocker_id: "c", blocked_id: "v" }, { _id: 2, blocker_id: "v", blocked_id: "d" }, { _id: 3, blocker_id: "x", blocked_id: "y" }]);
    const union = (match: Record<string, unknown>) =>
      follows
        .aggregate([
          { $match: { by: "v" } },
          { $project: { _id: 0, id: "$to" } },
          { $unionWith: { coll: "blocks", pipeline: [{ $match: match }, { $project: { _id: 0, id: { $cond: [{ $eq: ["$blocker_id", "v"] }, "$blocked_id", "$blocker_id"] } } }] } },
          { $sort: { id: 1 } },
        ])
        .toArray();
    assert.deepEqual(await union({ $or: [{ blocker_id: "v" }, { blocked_id: "v" }] }), [{ id: "a" }, { id: "c" }, { id: "d" }]);
    // a $match with $expr is not pre-filtered: mingo reads the whole collection, same answer
    assert.deepEqual(await union({ $expr: { $or: [{ $eq: ["$blocker_id", "v"] }, { $eq: ["$blocked_id", "v"] }] } }), [{ id: "a" }, { id: "c" }, { id: "d" }]);
    // an uncorrelated $lookup: the same pre-filtered documents for every input document
    const looked = await follows
      .aggregate([{ $sort: { _id: 1 } }, { $lookup: { from: "blocks", pipeline: [{ $match: { blocked_id: "v" } }, { $project: { _id: 1 } }], as: "b" } }, { $project: { _id: 1, b: 1 } }])
      .toArray();
    assert.deepEqual(looked, [{ _id: 1, b: [{ _id: 1 }] }, { _id: 2, b: [{ _id: 1 }] }]);
    // with `let` the sub-pipeline depends on the input document and is left as it is
    const correlated = await follows
      .aggregate([{ $sort: { _id: 1 } }, { $lookup: { from: "blocks", let: { by: "$by" }, pipeline: [{ $match: { $expr: { $eq: ["$blocked_id", "$$by"] } } }, { $project: { _id: 1 } }], as: "b" } }, { $project: { _id: 1, b: 1 } }])
      .toArray();
    assert.deepEqual(correlated, [{ _id: 1, b: [{ _id: 1 }] }, { _id: 2, b: [] }]);
    // inside a transaction the pre-filtered branch sees the transaction's own writes, others do not
    const s = h.client.startSession();
    try {
      s.startTransaction();
      await blocks.insertOne({ _id: 4, blocker_id: "e", blocked_id: "v" }, { session: s });
      const inTxn = await follows
        .aggregate([{ $match: { by: "v" } }, { $project: { _id: 0, id: "$to" } }, { $unionWith: { coll: "blocks", pipeline: [{ $match: { blocked_id: "v" } }, { $project: { _id: 0, id: "$blocker_id" } }] } }], { session: s })
        .toArray();
      assert.deepEqual(inTxn.map((d) => d.id).sort(), ["a", "c", "e"]);
      assert.deepEqual(await union({ blocked_id: "v" }), [{ id: "a" }, { id: "c" }]);
      await s.abortTransaction();
    } finally {
      await s.endSession();
    }
  });

  it("$unionWith: the input, then the other collection's documents through its pipeline, in stored types; $push of $$ROOT there too", async () => {
    const a = h.db.collection<any>("ua");
    const b = h.db.collection<any>("ub");
    await a.insertMany([{ _id: 1, n: 1 }, { _id: 2, n: 2 }]);
    await b.insertMany([{ _id: 3, who: "v", n: new Long(5), o: { k: 1 } }, { _id: 4, who: "v", n: 7 }, { _id: 5, who: "w", n: 8 }]);
    const raw = { promoteLongs: false };
    // the string form and an empty pipeline append the whole collection
    assert.deepEqual((await a.aggregate([{ $sort: { _id: -1 } }, { $unionWith: "ub" }]).toArray()).map((d) => d._id), [2, 1, 3, 4, 5]);
    assert.deepEqual((await a.aggregate([{ $match: { n: 1 } }, { $unionWith: { coll: "ub", pipeline: [] } }]).toArray()).map((d) => d._id), [1, 3, 4, 5]);
    // a Long read through a union is still a Long
    const [, long] = await a.aggregate([{ $match: { n: 1 } }, { $unionWith: { coll: "ub", pipeline: [{ $match: { _id: 3 } }] } }], raw).toArray();
    assert.equal(long!.n._bsontype, "Long");
    // the feed's shape: a group of whole documents from the union's branch, no group for no documents
    const grouped = await a
      .aggregate([{ $match: { n: 99 } }, { $unionWith: { coll: "ub", pipeline: [{ $match: { who: "v" } }, { $group: { _id: "rows", rows: { $push: "$$ROOT" } } }] } }], raw)
      .toArray();
    assert.equal(grouped.length, 1);
    assert.deepEqual(grouped[0]!.rows.map((d: any) => d._id), [3, 4]);
    assert.equal(grouped[0]!.rows[0].n._bsontype, "Long");
    assert.deepEqual(await a.aggregate([{ $unionWith: { coll: "ub", pipeline: [{ $match: { who: "nobody" } }, { $group: { _id: "rows", rows: { $push: "$$ROOT" } } }] } }, { $match: { _id: "rows" } }]).toArray(), []);
  });

  it("stages that write into their documents after a $unionWith or $lookup leave the other collection's stored documents as they were", async () => {
    const a = h.db.collection<any>("ma");
    const b = h.db.collection<any>("mb");
    await a.insertOne({ _id: 1, o: { k: 1 } });
    await b.insertMany([{ _id: 2, o: { k: 2 } }, { _id: 3, o: { k: 3 }, n: new Long(1) }]);
    const changed = await a.aggregate([{ $unionWith: "mb" }, { $set: { "o.k": 9 } }]).toArray();
    assert.deepEqual(changed.map((d) => d.o.k), [9, 9, 9]);
    await a.aggregate([{ $unionWith: { coll: "mb", pipeline: [{ $match: { _id: { $gte: 2 } } }, { $group: { _id: "g", rows: { $push: "$$ROOT" } } }] } }, { $unwind: "$rows" }, { $set: { "rows.o.k": 7 } }]).toArray();
    await a.aggregate([{ $lookup: { from: "mb", pipeline: [{ $match: { _id: 2 } }], as: "j" } }, { $unwind: "$j" }, { $set: { "j.o.k": 8 } }]).toArray();
    assert.deepEqual((await b.find().sort({ _id: 1 }).toArray()).map((d) => d.o.k), [2, 3]);
    assert.deepEqual((await a.find().toArray()).map((d) => d.o.k), [1]);
  });

  it("manages indexes: create, list, drop, and NamespaceNotFound on missing collections", async () => {
    const c = h.db.collection<any>("ix");
    const e = await expectReject(c.listIndexes().toArray());
    assert.equal(e.code, 26);
    assert.equal(await c.createIndex({ a: 1 }), "a_1");
    assert.equal(await c.createIndex({ b: -1, c: 1 }, { name: "bc", unique: true }), "bc");
    assert.equal(await c.createIndex({ a: 1 }), "a_1");
    const names = (await c.listIndexes().toArray()).map((i) => i.name);
    assert.deepEqual(names, ["_id_", "a_1", "bc"]);
    await c.dropIndex("a_1");
    assert.equal((await expectReject(c.dropIndex("a_1"))).code, 27);
    assert.equal((await expectReject(c.dropIndex("_id_"))).code, 72);
    await c.dropIndexes();
    assert.deepEqual((await c.listIndexes().toArray()).map((i) => i.name), ["_id_"]);
  });

  it("reports dbStats, collStats-ish and endSessions", async () => {
    await h.db.collection<any>("s").insertOne({ a: 1 });
    const st = await h.db.command({ dbStats: 1 });
    assert.equal(st.objects, 1);
    const s = h.client.startSession();
    await s.endSession();
    assert.equal((await h.client.db("admin").command({ endSessions: [] })).ok, 1);
  });
});
