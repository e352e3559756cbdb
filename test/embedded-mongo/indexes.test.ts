import assert from "node:assert/strict";
import mongoose from "mongoose";
import { expectReject, useStore } from "./helpers";

function assertDup(e: Record<string, any>, msg: string, keyPattern: object, keyValue: object): void {
  assert.equal(e.code, 11000);
  assert.equal(e.errmsg ?? e.message, msg);
  assert.deepEqual(e.keyPattern, keyPattern);
  assert.deepEqual(e.keyValue, keyValue);
}

describe("embedded-mongo: indexes", () => {
  const h = useStore({ ttlMonitorIntervalMs: 50 });

  it("E11000 on insert with MongoDB's exact shape, ordered and unordered", async () => {
    const c = h.db.collection<any>("users");
    await c.createIndex({ name: 1 }, { unique: true });
    await c.insertOne({ name: "x" });
    const e = await expectReject(c.insertOne({ name: "x" }));
    assertDup(e, `E11000 duplicate key error collection: ${h.db.databaseName}.users index: name_1 dup key: { name: "x" }`, { name: 1 }, { name: "x" });
    const ordered = await expectReject(c.insertMany([{ name: "a" }, { name: "x" }, { name: "b" }]));
    assert.equal(ordered.result.insertedCount, 1);
    assert.equal(ordered.writeErrors.length ?? 1, 1);
    const unordered = await expectReject(c.insertMany([{ name: "c" }, { name: "x" }, { name: "d" }], { ordered: false }));
    assert.equal(unordered.result.insertedCount, 2);
    const raw = await h.db.command({ insert: "users", documents: [{ name: "x" }, { name: "e" }], ordered: false });
    assert.equal(raw.n, 1);
    assert.equal(raw.writeErrors[0].index, 0);
    assert.equal(raw.writeErrors[0].code, 11000);
    assert.deepEqual(raw.writeErrors[0].keyValue, { name: "x" });
    const idDup = await expectReject(c.insertOne({ _id: (await c.findOne({ name: "x" }))!._id, name: "zz" }));
    assert.equal(idDup.code, 11000);
    assert.match(idDup.message, /index: _id_ dup key: \{ _id: ObjectId\('[0-9a-f]{24}'\) \}/);
  });

  it("E11000 on update, upsert and findAndModify", async () => {
    const c = h.db.collection<any>("u");
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertMany([{ _id: 1, email: "a" }, { _id: 2, email: "b" }]);
    const msg = `E11000 duplicate key error collection: ${h.db.databaseName}.u index: email_1 dup key: { email: "a" }`;
    assertDup(await expectReject(c.updateOne({ _id: 2 }, { $set: { email: "a" } })), msg, { email: 1 }, { email: "a" });
    assertDup(await expectReject(c.updateOne({ _id: 3 }, { $set: { email: "a" } }, { upsert: true })), msg, { email: 1 }, { email: "a" });
    assertDup(await expectReject(c.findOneAndUpdate({ _id: 2 }, { $set: { email: "a" } })), msg, { email: 1 }, { email: "a" });
    assert.equal((await c.findOne({ _id: 2 }))!.email, "b");
    assert.equal(await c.countDocuments(), 2);
  });

  it("enforces compound, sparse, partial and multikey unique indexes", async () => {
    const comp = h.db.collection<any>("comp");
    await comp.createIndex({ a: 1, b: -1 }, { unique: true });
    await comp.insertMany([{ a: 1, b: 1 }, { a: 1, b: 2 }]);
    assertDup(
      await expectReject(comp.insertOne({ a: 1, b: 2 })),
      `E11000 duplicate key error collection: ${h.db.databaseName}.comp index: a_1_b_-1 dup key: { a: 1, b: 2 }`,
      { a: 1, b: -1 },
      { a: 1, b: 2 },
    );

    const sparse = h.db.collection<any>("sparse");
    await sparse.createIndex({ s: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ x: 1 }, { x: 2 }, { s: 1 }]);
    assert.equal((await expectReject(sparse.insertOne({ s: 1 }))).code, 11000);

    const dense = h.db.collection<any>("dense");
    await dense.createIndex({ s: 1 }, { unique: true });
    await dense.insertOne({ x: 1 });
    const nullDup = await expectReject(dense.insertOne({ x: 2 }));
    assert.equal(nullDup.code, 11000);
    assert.deepEqual(nullDup.keyValue, { s: null });

    const partial = h.db.collection<any>("partial");
    await partial.createIndex({ u: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await partial.insertMany([{ u: 1, active: false }, { u: 1, active: false }, { u: 1, active: true }]);
    assert.equal((await expectReject(partial.insertOne({ u: 1, active: true }))).code, 11000);

    const multi = h.db.collection<any>("multi");
    await multi.createIndex({ tags: 1 }, { unique: true });
    await multi.insertOne({ tags: ["a", "b", "b"] });
    const mk = await expectReject(multi.insertOne({ tags: ["c", "b"] }));
    assert.equal(mk.code, 11000);
    assert.deepEqual(mk.keyValue, { tags: "b" });

    const late = h.db.collection<any>("late");
    await late.insertMany([{ k: 1 }, { k: 1 }]);
    assert.equal((await expectReject(late.createIndex({ k: 1 }, { unique: true }))).code, 11000);
    assert.deepEqual((await late.listIndexes().toArray()).map((i) => i.name), ["_id_"]);
  });

  it("uses secondary indexes for equality, $in and ranges (explain)", async () => {
    const c = h.db.collection<any>("p");
    await c.insertMany(Array.from({ length: 2000 }, (_, i) => ({ i, g: i % 10, s: `k${i}` })));
    await c.createIndex({ i: 1 });
    await c.createIndex({ g: 1, s: 1 });
    const plan = async (filter: object) => {
      const ex = await c.find(filter).explain("executionStats");
      return { stage: ex.queryPlanner.winningPlan.stage, index: ex.queryPlanner.winningPlan.indexName, examined: ex.executionStats.totalDocsExamined, n: ex.executionStats.nReturned };
    };
    assert.deepEqual(await plan({ i: 5 }), { stage: "IXSCAN", index: "i_1", examined: 1, n: 1 });
    assert.deepEqual(await plan({ i: { $in: [1, 2, 3] } }), { stage: "IXSCAN", index: "i_1", examined: 3, n: 3 });
    assert.deepEqual(await plan({ i: { $gte: 10, $lt: 20 } }), { stage: "IXSCAN", index: "i_1", examined: 10, n: 10 });
    assert.deepEqual(await plan({ $and: [{ g: 3 }, { s: "k13" }] }), { stage: "IXSCAN", index: "g_1_s_1", examined: 1, n: 1 });
    assert.equal((await plan({ s: "k1" })).stage, "COLLSCAN");
    assert.equal((await plan({ _id: (await c.findOne({ i: 7 }))!._id })).stage, "IDHACK");
    const r = await c.find({ i: { $gte: 1995 } }).sort({ i: 1 }).toArray();
    assert.deepEqual(r.map((d) => d.i), [1995, 1996, 1997, 1998, 1999]);
    await c.updateMany({ i: { $lt: 5 } }, { $set: { i: -1 } });
    assert.equal(await c.countDocuments({ i: -1 }), 5);
    assert.equal(await c.countDocuments({ i: 2 }), 0);
    await c.deleteMany({ i: -1 });
    assert.equal((await plan({ i: -1 })).n, 0);
  });

  // a work count, not a wall-clock time: the speed itself is measured by `npm run bench:store`
  it("findOne by an indexed field examines one document however large the collection grows", async function () {
    this.timeout(120_000);
    const c = h.db.collection<any>("big");
    await c.createIndex({ k: 1 });
    const n = 200_000;
    for (let i = 0; i < n; i += 10_000) {
      await c.insertMany(Array.from({ length: Math.min(10_000, n - i) }, (_, j) => ({ k: i + j, pad: "x" })));
    }
    for (const k of [0, 7919, n - 1]) {
      const plan: any = await c.find({ k }).limit(1).explain("executionStats");
      assert.match(JSON.stringify(plan.queryPlanner.winningPlan), /IXSCAN/);
      assert.equal(plan.executionStats.nReturned, 1);
      assert.equal(plan.executionStats.totalDocsExamined, 1, `documents examined for k=${k}`);
    }
  });

  it("expires documents through TTL indexes", async () => {
    const c = h.db.collection<any>("ttl");
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 1 });
    await c.insertMany([{ at: new Date(Date.now() - 5000) }, { at: new Date(Date.now() + 60_000) }, { at: "not a date" }]);
    const deadline = Date.now() + 3000;
    while ((await c.countDocuments()) !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(await c.countDocuments(), 2);
  });

  it("builds mongoose schema indexes and reports duplicates through mongoose", async () => {
    const conn = await mongoose.createConnection(h.store.uri, { dbName: h.db.databaseName }).asPromise();
    try {
      const schema = new mongoose.Schema({ handle: { type: String, unique: true }, org: String, slug: String });
      schema.index({ org: 1, slug: 1 }, { unique: true });
      const M = conn.model("Member", schema);
      await M.init();
      await M.create({ handle: "h", org: "o", slug: "s" });
      const e = await expectReject(M.create({ handle: "h2", org: "o", slug: "s" }));
      assert.equal(e.code, 11000);
      assert.deepEqual(e.keyValue, { org: "o", slug: "s" });
      await M.syncIndexes();
      const names = (await M.listIndexes()).map((i: { name: string }) => i.name).sort();
      assert.deepEqual(names, ["_id_", "handle_1", "org_1_slug_1"]);
    } finally {
      await conn.close();
    }
  });
  describe("sorts served by an index walk", () => {
    /** the stages of the winning plan, top down */
    const stages = (plan: any): string[] => (plan ? [plan.stage, ...stages(plan.inputStage)] : []);
    const explainOf = async (cursor: any) => {
      const ex = await cursor.explain("executionStats");
      const wp = ex.queryPlanner.winningPlan;
      return { stages: stages(wp), index: wp.indexName ?? wp.inputStage?.indexName, direction: wp.direction, examined: ex.executionStats.totalDocsExamined, n: ex.executionStats.nReturned };
    };
    const posts = async () => {
      const c = h.db.collection<any>("posts");
      const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: i, owner: `u${i % 3}`, created_at: new Date(Date.UTC(2024, 0, 1) + ((i * 7919) % 3000) * 60_000), score: i % 17 }));
      await c.insertMany(docs);
      return { c, docs };
    };
    const byCreated = (a: any, b: any) => b.created_at - a.created_at;

    it("walks {owner, created_at: -1} for an owner's newest 20: IXSCAN, no SORT, stops at the limit", async () => {
      const { c, docs } = await posts();
      await c.createIndex({ owner: 1, created_at: -1 });
      const want = docs.filter((d) => d.owner === "u1").sort(byCreated).slice(0, 20).map((d) => d._id);
      const cursor = () => c.find({ owner: "u1" }).sort({ created_at: -1 }).limit(20);
      assert.deepEqual((await cursor().toArray()).map((d) => d._id), want);
      assert.deepEqual(await explainOf(cursor()), { stages: ["IXSCAN", "FETCH"], index: "owner_1_created_at_-1", direction: "forward", examined: 20, n: 20 });
      // the reverse direction walks the same index backward; skip is counted in the walk
      const oldest = docs.filter((d) => d.owner === "u1").sort(byCreated).reverse().slice(5, 15).map((d) => d._id);
      const rev = () => c.find({ owner: "u1" }).sort({ created_at: 1 }).skip(5).limit(10);
      assert.deepEqual((await rev().toArray()).map((d) => d._id), oldest);
      assert.deepEqual(await explainOf(rev()), { stages: ["IXSCAN", "FETCH"], index: "owner_1_created_at_-1", direction: "backward", examined: 15, n: 10 });
      // a sort the index cannot give (mixed against its directions) is sorted in memory, still correctly
      const mixed = () => c.find({ owner: "u1" }).sort({ created_at: -1, score: 1 }).limit(3);
      assert.equal((await explainOf(mixed())).stages[0], "SORT");
    });

    it("serves mixed-direction compound sorts forward and reversed, with a range on the sort field", async () => {
      const { c, docs } = await posts();
      await c.createIndex({ score: 1, created_at: -1 });
      const cmp = (a: any, b: any) => a.score - b.score || b.created_at - a.created_at;
      const forward = () => c.find({}).sort({ score: 1, created_at: -1 }).limit(7);
      assert.deepEqual((await forward().toArray()).map((d) => d._id), [...docs].sort(cmp).slice(0, 7).map((d) => d._id));
      assert.deepEqual((await explainOf(forward())).stages, ["IXSCAN", "FETCH"]);
      const backward = () => c.find({}).sort({ score: -1, created_at: 1 }).limit(7);
      assert.deepEqual((await backward().toArray()).map((d) => d._id), [...docs].sort(cmp).reverse().slice(0, 7).map((d) => d._id));
      assert.deepEqual(await explainOf(backward()), { stages: ["IXSCAN", "FETCH"], index: "score_1_created_at_-1", direction: "backward", examined: 7, n: 7 });
      const ranged = () => c.find({ score: { $gte: 3, $lt: 5 }, owner: "u2" }).sort({ score: -1 }).limit(4);
      const want = docs.filter((d) => d.score >= 3 && d.score < 5 && d.owner === "u2").sort((a, b) => b.score - a.score || cmp(a, b));
      const got = await ranged().toArray();
      assert.deepEqual(got.map((d) => d.score), want.slice(0, 4).map((d) => d.score));
      assert.ok(got.every((d) => d.owner === "u2" && d.score === 4));
      assert.deepEqual((await explainOf(ranged())).stages, ["IXSCAN", "FETCH"]);
    });

    it("takes findOneAndUpdate's and findOneAndDelete's sorted first document from the index", async () => {
      const { c, docs } = await posts();
      await c.createIndex({ owner: 1, created_at: -1 });
      const newest = docs.filter((d) => d.owner === "u0").sort(byCreated);
      const updated = await c.findOneAndUpdate({ owner: "u0" }, { $set: { seen: true } }, { sort: { created_at: -1 }, returnDocument: "after" });
      assert.equal(updated!._id, newest[0]!._id);
      assert.equal(updated!.seen, true);
      const deleted = await c.findOneAndDelete({ owner: "u0" }, { sort: { created_at: 1 } });
      assert.equal(deleted!._id, newest[newest.length - 1]!._id);
      assert.equal(await c.countDocuments({ _id: deleted!._id }), 0);
    });

    it("walks a hinted index the filter cannot use, in its order, for find and aggregate", async () => {
      const c = h.db.collection<any>("hinted");
      await c.createIndex({ qty: -1, name: -1 });
      await c.insertMany([{ name: "Andrew", qty: 4 }, { name: "Betty", qty: 5 }, { name: "Charlie", qty: 4 }]);
      const want = ["Betty", "Charlie", "Andrew"];
      assert.deepEqual((await c.find({}).hint({ qty: -1, name: -1 }).toArray()).map((d) => d.name), want);
      assert.deepEqual((await c.aggregate([{ $match: {} }], { hint: "qty_-1_name_-1" }).toArray()).map((d) => d.name), want);
      // an ICU locale id with an underscore works in aggregate as in find
      const sorted = await c.aggregate([{ $sort: { name: -1 } }], { collation: { locale: "en_US", strength: 1 } }).toArray();
      assert.deepEqual(sorted.map((d) => d.name), ["Charlie", "Betty", "Andrew"]);
    });

    it("sees its own writes inside a transaction and the index after writes, in sort order", async () => {
      const { c } = await posts();
      await c.createIndex({ owner: 1, created_at: -1 });
      const future = new Date(Date.UTC(2030, 0, 1));
      const session = h.client.startSession();
      try {
        await session.withTransaction(async () => {
          await c.insertOne({ _id: -1, owner: "u1", created_at: future, score: 0 }, { session });
          const top = await c.find({ owner: "u1" }, { session }).sort({ created_at: -1 }).limit(1).toArray();
          assert.equal(top[0]!._id, -1, "the transaction's own insert sorts first");
        });
      } finally {
        await session.endSession();
      }
      await c.updateOne({ _id: 1 }, { $set: { created_at: new Date(Date.UTC(2031, 0, 1)) } });
      const top = await c.find({ owner: "u1" }).sort({ created_at: -1 }).limit(2).toArray();
      assert.deepEqual(top.map((d) => d._id), [1, -1], "an update moves the document in the index");
    });
  });
});
