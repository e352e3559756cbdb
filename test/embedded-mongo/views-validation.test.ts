// Views, collection validators and collMod through the driver, with MongoDB's error codes and errInfo.
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MongoClient, MongoBulkWriteError, MongoServerError } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { expectReject, useStore } from "./helpers";

describe("embedded-mongo: views", () => {
  const h = useStore();

  const seed = async () => {
    const books = h.db.collection<any>("books");
    await books.insertMany([
      { _id: 1, title: "Dune", year: 1965, tags: ["sf", "classic"], draft: false },
      { _id: 2, title: "Emma", year: 1815, tags: ["romance", "classic"], draft: false },
      { _id: 3, title: "Notes", year: 2024, tags: ["wip"], draft: true },
      { _id: 4, title: "Kindred", year: 1979, tags: ["sf"], draft: false },
    ]);
    await h.db.createCollection("published", { viewOn: "books", pipeline: [{ $match: { draft: false } }, { $project: { draft: 0 } }] });
    return { books, published: h.db.collection<any>("published") };
  };

  it("reads through the view pipeline: find with filter, sort, skip, limit, projection; count; distinct; aggregate", async () => {
    const { published } = await seed();
    assert.deepEqual(await published.find({ tags: "sf" }).sort({ year: -1 }).toArray(), [
      { _id: 4, title: "Kindred", year: 1979, tags: ["sf"] },
      { _id: 1, title: "Dune", year: 1965, tags: ["sf", "classic"] },
    ]);
    assert.deepEqual(await published.find({}, { projection: { title: 1, _id: 0 } }).sort({ year: 1 }).skip(1).limit(1).toArray(), [{ title: "Dune" }]);
    assert.equal(await published.countDocuments(), 3);
    assert.equal(await published.countDocuments({ year: { $lt: 1970 } }), 2);
    assert.equal(await published.estimatedDocumentCount(), 3);
    assert.deepEqual(await published.distinct("tags"), ["classic", "romance", "sf"]);
    assert.deepEqual(await published.aggregate([{ $group: { _id: null, n: { $sum: 1 } } }]).toArray(), [{ _id: null, n: 3 }]);
    // a view on a view chains the pipelines
    await h.db.createCollection("old_published", { viewOn: "published", pipeline: [{ $match: { year: { $lt: 1900 } } }] });
    assert.deepEqual((await h.db.collection<any>("old_published").find().toArray()).map((d) => d._id), [2]);
  });

  it("is listed with type 'view' and its definition, and refuses every write with 166", async () => {
    const { published } = await seed();
    const listed = await h.db.listCollections({ name: "published" }).toArray();
    assert.deepEqual(listed, [{ name: "published", type: "view", options: { viewOn: "books", pipeline: [{ $match: { draft: false } }, { $project: { draft: 0 } }] }, info: { readOnly: true } }]);
    const refused = async (p: Promise<unknown>) => {
      const err = await expectReject(p);
      const code = err instanceof MongoBulkWriteError ? (err.writeErrors as any)?.[0]?.code ?? err.code : err.code;
      assert.equal(code, 166, String(err.message));
      assert.equal(err.codeName ?? "CommandNotSupportedOnView", "CommandNotSupportedOnView");
    };
    await refused(published.insertOne({ _id: 9 }));
    await refused(published.updateOne({ _id: 1 }, { $set: { x: 1 } }));
    await refused(published.deleteMany({}));
    await refused(published.findOneAndUpdate({ _id: 1 }, { $set: { x: 1 } }));
    await refused(published.findOneAndDelete({ _id: 1 }));
    await refused(published.createIndex({ title: 1 }));
    assert.equal(await h.db.collection("books").countDocuments(), 4, "nothing reached the source");
    // a view definition cannot write
    const bad = await expectReject(h.db.createCollection("v2", { viewOn: "books", pipeline: [{ $out: "x" }] }));
    assert.equal(bad.code, 167);
    await h.db.dropCollection("published");
    assert.equal((await h.db.listCollections({ name: "published" }).toArray()).length, 0);
  });
});

describe("embedded-mongo: validators", () => {
  const h = useStore();

  const schema = {
    $jsonSchema: {
      bsonType: "object",
      required: ["title", "pages"],
      properties: { title: { bsonType: "string", minLength: 1 }, pages: { bsonType: "int", minimum: 1 } },
    },
  };

  it("refuses an insert failing a $jsonSchema with 121 and mongod's errInfo", async () => {
    await h.db.createCollection("books", { validator: schema });
    const books = h.db.collection<any>("books");
    await books.insertOne({ _id: 1, title: "Dune", pages: 412 });
    const missing = await expectReject(books.insertOne({ _id: 2, title: "Emma" }));
    assert.ok(missing instanceof MongoServerError);
    assert.equal(missing.code, 121);
    assert.deepEqual(missing.errInfo, {
      failingDocumentId: 2,
      details: { operatorName: "$jsonSchema", schemaRulesNotSatisfied: [{ operatorName: "required", specifiedAs: { required: ["title", "pages"] }, missingProperties: ["pages"] }] },
    });
    const wrongType = await expectReject(books.insertOne({ _id: 3, title: "Emma", pages: "many" }));
    assert.deepEqual(wrongType.errInfo.details.schemaRulesNotSatisfied, [
      {
        operatorName: "properties",
        propertiesNotSatisfied: [{ propertyName: "pages", details: [{ operatorName: "bsonType", specifiedAs: { bsonType: "int" }, reason: "type did not match", consideredValue: "many", consideredType: "string" }] }],
      },
    ]);
    // an unordered batch reports each failure as a write error carrying errInfo, and inserts the rest
    const batch = await expectReject(books.insertMany([{ _id: 4, title: "", pages: 3 }, { _id: 5, title: "Kindred", pages: 287 }], { ordered: false }));
    assert.ok(batch instanceof MongoBulkWriteError);
    assert.equal((batch.writeErrors as any)[0].code, 121);
    assert.equal((batch.writeErrors as any)[0].errInfo.failingDocumentId, 4);
    assert.deepEqual((await books.find().toArray()).map((d) => d._id), [1, 5]);
    // bypassDocumentValidation lets it in
    await books.insertOne({ _id: 6, title: "raw import" }, { bypassDocumentValidation: true });
    assert.equal(await books.countDocuments(), 3);
    // a schema mongod would refuse is refused at create
    assert.equal((await expectReject(h.db.createCollection("bad", { validator: { $jsonSchema: { bsonType: "object", nope: 1 } } }))).code, 9);
  });

  it("applies a query validator set by collMod to updates, findOneAndUpdate and upserts; moderate and warn", async () => {
    const c = h.db.collection<any>("c");
    await c.insertMany([{ _id: 1, x: "a" }, { _id: 2, x: 5 }]);
    await h.db.command({ collMod: "c", validator: { x: { $type: "string" } } });
    const upd = await expectReject(c.updateOne({ _id: 1 }, { $set: { x: 1 } }));
    assert.equal(upd.code, 121);
    assert.deepEqual(upd.errInfo, { failingDocumentId: 1, details: { operatorName: "$type", specifiedAs: { x: { $type: "string" } }, reason: "type did not match", consideredValue: 1, consideredType: "int" } });
    const fam = await expectReject(c.findOneAndUpdate({ _id: 1 }, { $set: { x: 1 } }));
    assert.equal(fam.code, 121);
    assert.equal(fam.errInfo.failingDocumentId, 1);
    assert.equal((await expectReject(c.updateOne({ _id: 3 }, { $set: { x: 3 } }, { upsert: true }))).code, 121);
    // strict (default): even a document that was already invalid must become valid
    assert.equal((await expectReject(c.updateOne({ _id: 2 }, { $set: { y: 1 } }))).code, 121);
    await h.db.command({ collMod: "c", validationLevel: "moderate" });
    await c.updateOne({ _id: 2 }, { $set: { y: 1 } });
    assert.equal((await expectReject(c.updateOne({ _id: 1 }, { $set: { x: 2 } }))).code, 121, "a valid document must stay valid under moderate");
    await h.db.command({ collMod: "c", validationAction: "warn" });
    await c.updateOne({ _id: 1 }, { $set: { x: 2 } });
    assert.deepEqual(await c.find().sort({ _id: 1 }).toArray(), [{ _id: 1, x: 2 }, { _id: 2, x: 5, y: 1 }]);
    const [info] = await h.db.listCollections({ name: "c" }).toArray();
    assert.deepEqual((info as any).options, { validator: { x: { $type: "string" } }, validationLevel: "moderate", validationAction: "warn" });
    assert.equal((await expectReject(h.db.command({ collMod: "c", validationLevel: "sometimes" }))).code, 2);
    assert.equal((await expectReject(h.db.command({ collMod: "missing", validator: {} }))).code, 26);
  });
});

describe("embedded-mongo: collMod on indexes", () => {
  const h = useStore();

  it("changes a TTL index's expireAfterSeconds and hides/unhides an index from the planner", async () => {
    const c = h.db.collection<any>("s");
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, at: new Date(), k: i })));
    await c.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    await c.createIndex({ k: 1 });
    const ttl = await h.db.command({ collMod: "s", index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } });
    assert.equal(ttl.expireAfterSeconds_old, 3600);
    assert.equal(ttl.expireAfterSeconds_new, 60);
    assert.equal((await c.listIndexes().toArray()).find((i) => i.name === "at_1")!.expireAfterSeconds, 60);

    const stage = async () => (await c.find({ k: 7 }).explain()).queryPlanner.winningPlan.stage;
    assert.equal(await stage(), "IXSCAN");
    const hid = await h.db.command({ collMod: "s", index: { name: "k_1", hidden: true } });
    assert.deepEqual([hid.hidden_old, hid.hidden_new], [false, true]);
    assert.equal(await stage(), "COLLSCAN");
    assert.equal((await c.listIndexes().toArray()).find((i) => i.name === "k_1")!.hidden, true);
    assert.equal((await c.findOne({ k: 7 }))!._id, 7);
    await h.db.command({ collMod: "s", index: { name: "k_1", hidden: false } });
    assert.equal(await stage(), "IXSCAN");
    assert.equal((await expectReject(h.db.command({ collMod: "s", index: { name: "nope", hidden: true } }))).code, 27);
  });
});

describe("embedded-mongo: views, validators and collMod survive a restart", function () {
  this.timeout(20_000);
  it("recovers a view, a validator changed by collMod and a hidden index from the journal", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "limelight-views-"));
    try {
      let store = await startEmbeddedMongo({ dataDir, port: 0 });
      let client = await MongoClient.connect(store.uri);
      let db = client.db("app");
      await db.collection<any>("c").insertMany([{ _id: 1, x: "a" }, { _id: 2, x: "b" }]);
      await db.createCollection("v", { viewOn: "c", pipeline: [{ $match: { _id: 2 } }] });
      await db.command({ collMod: "c", validator: { x: { $type: "string" } } });
      await db.collection("c").createIndex({ x: 1 });
      await db.command({ collMod: "c", index: { name: "x_1", hidden: true } });
      await client.close();
      await store.stop();

      store = await startEmbeddedMongo({ dataDir, port: 0 });
      client = await MongoClient.connect(store.uri);
      db = client.db("app");
      try {
        assert.deepEqual(await db.collection("v").find().toArray(), [{ _id: 2, x: "b" }]);
        assert.equal((await expectReject(db.collection<any>("c").insertOne({ _id: 3, x: 3 }))).code, 121);
        assert.equal((await db.collection("c").find({ x: "a" }).explain()).queryPlanner.winningPlan.stage, "COLLSCAN");
      } finally {
        await client.close();
        await store.stop();
      }
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
