import assert from "node:assert/strict";
import mongoose from "mongoose";
import { inTransaction } from "../../src/infra/transaction";
import { resetState, testServer } from "../support/server";

describe("inTransaction", () => {
  before(() => testServer());
  beforeEach(() => resetState());

  const col = () => mongoose.connection.db!.collection<{ _id: string; n: number }>("tx_probe");

  it("commits every write of the callback together and returns its result", async () => {
    const result = await inTransaction(async (session) => {
      await col().insertOne({ _id: "a", n: 1 }, { session });
      await col().insertOne({ _id: "b", n: 2 }, { session });
      return "done";
    });
    assert.equal(result, "done");
    assert.equal(await col().countDocuments(), 2);
  });

  it("a callback that throws leaves nothing behind", async () => {
    await assert.rejects(
      inTransaction(async (session) => {
        await col().insertOne({ _id: "a", n: 1 }, { session });
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await col().countDocuments(), 0);
  });

  it("concurrent read-modify-write transactions on one document never lose an update", async () => {
    await col().insertOne({ _id: "counter", n: 0 });
    await Promise.all(
      Array.from({ length: 25 }, () =>
        inTransaction(async (session) => {
          const doc = await col().findOne({ _id: "counter" }, { session });
          await col().updateOne({ _id: "counter" }, { $set: { n: doc!.n + 1 } }, { session });
        }),
      ),
    );
    assert.equal((await col().findOne({ _id: "counter" }))!.n, 25);
  });
});
