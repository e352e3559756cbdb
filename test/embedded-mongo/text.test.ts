// $text through the driver and mongoose: text indexes with weights and languages, phrases, negation,
// {$meta: "textScore"} in projection and sort, $text in aggregate, and MongoDB's error codes.
import assert from "node:assert/strict";
import mongoose from "mongoose";
import { stem } from "../../src/embedded-mongo/engine/text";
import { expectReject, useStore } from "./helpers";

const BOOKS = [
  { _id: 1, title: "The Dragon's Keep", description: "A young knight hunts dragons in the northern mountains." },
  { _id: 2, title: "Running with Wolves", description: "Wolves running free across the tundra." },
  { _id: 3, title: "Tea for Two", description: "A cozy romance about a dragon-shaped teapot." },
  { _id: 4, title: "Northern Lights", description: "Explorers chase the lights over a frozen sea." },
  { _id: 5, title: "Café Society", description: "Gossip and coffee in Paris.", language: "none" },
];

describe("embedded-mongo: $text", () => {
  const h = useStore();

  const books = async (options: Record<string, unknown> = { weights: { title: 10 } }) => {
    const c = h.db.collection<any>("books");
    await c.insertMany(BOOKS.map((b) => ({ ...b })));
    await c.createIndex({ title: "text", description: "text" }, options);
    return c;
  };
  const search = async (c: any, s: string, extra: object = {}) =>
    (await c.find({ $text: { $search: s }, ...extra }, { projection: { score: { $meta: "textScore" } } }).sort({ score: { $meta: "textScore" } }).toArray()) as Array<{ _id: number; score: number }>;

  it("matches stemmed terms in any indexed field, scores title hits above description hits by weight", async () => {
    const c = await books();
    const dragons = await search(c, "dragons");
    assert.deepEqual(dragons.map((d) => d._id), [1, 3], "dragons ~ dragon's, dragon-shaped; the title hit (weight 10) first");
    assert.ok(dragons[0]!.score > 5 * dragons[1]!.score, `weighted scores ${dragons.map((d) => d.score)}`);
    assert.deepEqual((await search(c, "run")).map((d) => d._id), [2], "running → run");
    assert.deepEqual((await search(c, "DRAGON tundra")).map((d) => d._id).sort(), [1, 2, 3], "any term matches, case-insensitively");
    assert.deepEqual(await search(c, "the and of"), [], "stop words alone match nothing");
    assert.deepEqual((await search(c, "cafe")).map((d) => d._id), [5], "diacritics are ignored");
    // document 5 says language: "none", so it was indexed unstemmed: its "paris" is not the stem "pari"…
    assert.deepEqual(await search(c, "paris"), []);
    // …while an English document is found through the stem
    await c.insertOne({ _id: 6, title: "Paris Nights" });
    assert.deepEqual((await search(c, "paris")).map((d) => d._id), [6]);
  });

  it("requires every phrase, excludes negated terms and phrases, and combines with other conditions", async () => {
    const c = await books();
    assert.deepEqual((await search(c, '"northern mountains"')).map((d) => d._id), [1]);
    assert.deepEqual((await search(c, '"northern" "frozen sea"')).map((d) => d._id), [4]);
    assert.deepEqual((await search(c, "dragon -teapot")).map((d) => d._id), [1]);
    assert.deepEqual((await search(c, 'northern -"northern lights"')).map((d) => d._id), [1]);
    assert.deepEqual(await search(c, "-dragon"), [], "only negations match nothing");
    assert.deepEqual((await search(c, "dragon", { _id: { $gt: 1 } })).map((d) => d._id), [3]);
    assert.equal(await c.countDocuments({ $text: { $search: "dragon" } }), 2);
    // the index follows writes
    await c.updateOne({ _id: 4 }, { $set: { description: "A dragon sleeps under the ice." } });
    await c.deleteOne({ _id: 3 });
    assert.deepEqual((await search(c, "dragon")).map((d) => d._id).sort(), [1, 4]);
  });

  it("keeps a per-document language override and default_language none (no stemming, no stop words)", async () => {
    const c = await books({ default_language: "none" });
    assert.deepEqual((await search(c, "dragons")).map((d) => d._id), [1], "no stemming: only the exact word");
    assert.deepEqual((await search(c, "the")).map((d) => d._id).sort(), [1, 2, 4], "no stop words");
    const idx = (await c.listIndexes().toArray()).find((i) => i.name === "title_text_description_text")!;
    assert.deepEqual(idx.key, { _fts: "text", _ftsx: 1 });
    assert.deepEqual(idx.weights, { title: 1, description: 1 });
    assert.equal(idx.default_language, "none");
    assert.equal(idx.textIndexVersion, 3);
  });

  it("scores and sorts inside aggregate's leading $match", async () => {
    const c = await books();
    const out = await c
      .aggregate([{ $match: { $text: { $search: "dragon" } } }, { $sort: { s: { $meta: "textScore" } } }, { $project: { _id: 1, s: { $meta: "textScore" } } }])
      .toArray();
    assert.deepEqual(out.map((d) => d._id), [1, 3]);
    assert.ok(out[0]!.s > out[1]!.s && out[1]!.s > 0);
    const kept = await c.aggregate([{ $match: { $text: { $search: "tundra" } } }]).toArray();
    assert.deepEqual(kept, [BOOKS[1]], "pass-through documents come back as stored, without the score");
    const late = await expectReject(c.aggregate([{ $match: { _id: 1 } }, { $match: { $text: { $search: "x" } } }]).toArray());
    assert.equal(late.code, 17313);
  });

  it("answers errors as MongoDB does", async () => {
    const c = await books();
    const plain = h.db.collection<any>("plain");
    await plain.insertOne({ _id: 1, t: "x" });
    assert.equal((await expectReject(plain.find({ $text: { $search: "x" } }).toArray())).code, 27, "no text index → IndexNotFound");
    assert.equal((await expectReject(c.createIndex({ other: "text" }))).code, 85, "one text index per collection");
    assert.equal((await expectReject(c.find({}, { projection: { s: { $meta: "textScore" } } }).toArray())).code, 40218);
    assert.equal((await expectReject(c.find({ $text: {} } as never).toArray())).code, 2);
    assert.equal((await expectReject(h.db.collection("x").createIndex({ t: "text" }, { default_language: "klingon" }))).code, 17262);
  });

  it("serves a mongoose text index and query (the fiction library's title/description search)", async () => {
    const conn = await mongoose.createConnection(h.store.uri, { dbName: h.db.databaseName }).asPromise();
    try {
      const schema = new mongoose.Schema({ title: String, description: String });
      schema.index({ title: "text", description: "text" }, { weights: { title: 5 } });
      const Book = conn.model("Book", schema);
      await Book.init();
      await Book.create([{ title: "Dragon Tales" }, { title: "Quiet Seas", description: "no dragons here... or are there?" }, { title: "Sea Wolves" }]);
      const found = await Book.find({ $text: { $search: "dragon" } }, { score: { $meta: "textScore" } }).sort({ score: { $meta: "textScore" } }).lean();
      assert.deepEqual(found.map((b) => b.title), ["Dragon Tales", "Quiet Seas"]);
    } finally {
      await conn.close();
    }
  });

  it("accepts compound text indexes with prefix and suffix fields, filtering on them like any condition", async () => {
    const c = h.db.collection<any>("shelf");
    await c.insertMany([{ _id: 1, shelf: "a", title: "Dragon Tales", year: 1 }, { _id: 2, shelf: "b", title: "Dragon Eggs", year: 2 }]);
    await c.createIndex({ shelf: 1, title: "text", year: -1 });
    const idx = (await c.listIndexes().toArray()).find((i) => i.name === "shelf_1_title_text_year_-1")!;
    assert.deepEqual(idx.key, { shelf: 1, _fts: "text", _ftsx: 1, year: -1 });
    assert.deepEqual((await c.find({ shelf: "b", $text: { $search: "dragon" } }).toArray()).map((d) => d._id), [2]);
  });

  it("stems like the Porter stemmer's first step", () => {
    const cases: Record<string, string> = { dragons: "dragon", caresses: "caress", ponies: "poni", running: "run", hoping: "hope", agreed: "agree", happy: "happi", sky: "sky", wolves: "wolve", filing: "file" };
    for (const [w, s] of Object.entries(cases)) assert.equal(stem(w), s, w);
  });
});
