// Seeded fuzz of the store with keys that name JS prototype machinery, mixed with ordinary ones, in every
// place a command carries field names. Reproduce a failure with HOSTILE_FUZZ_SEED=<printed seed>.
import assert from "node:assert/strict";
import { MongoServerError, type Document } from "mongodb";
import { useStore } from "./helpers";
import { prototypeSnapshot } from "./hostile-keys.support";
import { seededRandom } from "../../src/shared/random";

const CASES = Number(process.env.HOSTILE_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.HOSTILE_FUZZ_SEED ?? Date.now() % 2 ** 31);


const HOSTILE = ["__proto__", "constructor", "prototype"];
const SEGMENTS = [...HOSTILE, ...HOSTILE, "toString", "hasOwnProperty", "valueOf", "a", "b", "n", "0", "1", "$", "$[]", "$[el]", "$x", ""];

class Gen {
  constructor(private readonly rnd: () => number) {}

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  chance(p: number): boolean {
    return this.rnd() < p;
  }

  /** a field name: mostly prototype names and plain ones, sometimes positional or empty */
  key(): string {
    return this.chance(0.6) ? this.pick(HOSTILE) : this.pick(SEGMENTS);
  }

  path(): string {
    return Array.from({ length: 1 + this.int(3) }, () => this.key()).join(".");
  }

  /** an object with own fields (`__proto__` included: defineProperty, as the BSON decoder makes them) */
  obj(entries: [string, unknown][]): Document {
    const o: Document = {};
    for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
    return o;
  }

  value(depth = 0): unknown {
    const r = this.int(depth > 2 ? 4 : 7);
    if (r === 0) return this.int(10);
    if (r === 1) return this.pick(["x", "$a", "$constructor.prototype", "$$ROOT", "__proto__"]);
    if (r === 2) return null;
    if (r === 3) return this.chance(0.5);
    if (r === 4) return Array.from({ length: this.int(3) }, () => this.value(depth + 1));
    return this.doc(depth + 1);
  }

  doc(depth = 0): Document {
    return this.obj(Array.from({ length: this.int(4) }, () => [this.key(), this.value(depth)]));
  }

  filter(): Document {
    const r = this.int(4);
    if (r === 0) return {};
    if (r === 1) return { _id: this.int(8) };
    if (r === 2) return this.obj([[this.path(), this.value(2)]]);
    return this.obj([[this.path(), this.obj([[this.pick(["$exists", "$eq", "$gt", "$in"]), this.pick([true, 1, [1, 2], "x"])]])]]);
  }

  operatorUpdate(): Document {
    const op = this.pick(["$set", "$unset", "$inc", "$push", "$rename", "$min", "$max", "$mul", "$addToSet", "$pull", "$setOnInsert", "$pop"]);
    const arg = (): unknown => {
      if (op === "$rename") return this.path();
      if (op === "$inc" || op === "$mul" || op === "$pop") return this.pick([1, -1, 2]);
      if (op === "$push" && this.chance(0.3)) return { $each: [this.value(2), this.value(2)], $sort: 1 };
      return this.value(1);
    };
    return this.obj([[op, this.obj(Array.from({ length: 1 + this.int(2) }, () => [this.path(), arg()]))]]);
  }

  update(): Document | Document[] {
    const r = this.int(5);
    if (r === 0) return this.doc();
    if (r === 1) return [this.stage()];
    return this.operatorUpdate();
  }

  projection(): Document {
    return this.obj(Array.from({ length: 1 + this.int(2) }, () => [this.path(), this.pick([0, 1, "$a", "$constructor"])]));
  }

  sort(): Document {
    return this.obj([[this.path(), this.pick([1, -1])]]);
  }

  stage(): Document {
    switch (this.int(11)) {
      case 0:
        return { $group: this.obj([["_id", this.pick([null, "$" + this.path(), this.doc(1)])], [this.key(), { $sum: 1 }]]) };
      case 1:
        return { $project: this.projection() };
      case 2:
        return { $addFields: this.obj([[this.path(), this.value(1)]]) };
      case 3:
        return { $set: this.obj([[this.path(), this.value(1)]]) };
      case 4:
        return { $replaceRoot: { newRoot: this.pick(["$$ROOT", "$" + this.path(), this.doc(1)]) } };
      case 5:
        return { $unwind: "$" + this.path() };
      case 6:
        return { $lookup: { from: "c", localField: this.path(), foreignField: this.path(), as: this.path() } };
      case 7:
        return { $facet: this.obj([[this.key(), [{ $limit: 1 }]]]) };
      case 8:
        return { $bucket: { groupBy: "$" + this.path(), boundaries: [0, 5, 100], default: "other", output: this.obj([[this.key(), { $sum: 1 }]]) } };
      case 9:
        return { $replaceWith: { $setField: { field: this.key(), input: "$$ROOT", value: this.value(1) } } };
      default:
        return { $match: this.filter() };
    }
  }

  command(): Document {
    const arrayFilters = this.chance(0.3) ? [this.obj([[`${this.pick(["el", ...HOSTILE])}.${this.key()}`, this.value(2)]])] : undefined;
    switch (this.int(9)) {
      case 0:
        return { insert: "c", documents: [this.obj([["_id", this.int(8)], ...Object.entries(this.doc())])] };
      case 1:
      case 2:
        return { update: "c", updates: [{ q: this.filter(), u: this.update(), upsert: this.chance(0.4), multi: this.chance(0.3), ...(arrayFilters ? { arrayFilters } : {}) }] };
      case 3:
        return { findAndModify: "c", query: this.filter(), update: this.update(), upsert: this.chance(0.4), new: this.chance(0.5), fields: this.chance(0.3) ? this.projection() : undefined, sort: this.chance(0.3) ? this.sort() : undefined };
      case 4:
        return { aggregate: "c", pipeline: Array.from({ length: 1 + this.int(3) }, () => this.stage()), cursor: {}, let: this.chance(0.2) ? this.obj([[this.key(), this.value(2)]]) : undefined };
      case 5:
        return { find: "c", filter: this.filter(), projection: this.chance(0.6) ? this.projection() : undefined, sort: this.chance(0.5) ? this.sort() : undefined };
      case 6:
        return { createIndexes: "c", indexes: [{ key: this.obj([[this.path(), 1]]), name: this.key() + this.int(3), unique: this.chance(0.2) }] };
      case 7:
        return { distinct: "c", key: this.path(), query: this.filter() };
      default:
        return { delete: "c", deletes: [{ q: this.filter(), limit: 0 }] };
    }
  }
}

describe("embedded-mongo: hostile keys fuzz", () => {
  const h = useStore();

  it(`${CASES} random commands leave the prototypes alone and the store answering`, async function () {
    this.timeout(120_000);
    console.log(`      hostile-keys fuzz seed ${SEED} (HOSTILE_FUZZ_SEED=${SEED} reproduces), ${CASES} cases`);
    const gen = new Gen(seededRandom(SEED));
    const before = prototypeSnapshot();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- numeric ids
    const probe = h.db.collection<any>("probe");
    await probe.insertOne({ _id: 1, v: 0 } as Document);
    const codes = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const cmd = gen.command();
      let reply: Document | undefined;
      try {
        reply = await h.db.command(cmd);
      } catch (e) {
        assert.ok(e instanceof MongoServerError, `case ${i} ${show(cmd)}: not a server error: ${String(e)}`);
        assert.equal(typeof e.code, "number", `case ${i}: error without a code`);
        codes.set(e.code as number, (codes.get(e.code as number) ?? 0) + 1);
        // an InternalError means an exception escaped the store's own checks
        assert.notEqual(e.code, 1, `case ${i} ${show(cmd)}: InternalError ${e.message}`);
      }
      for (const we of (reply?.writeErrors ?? []) as Document[]) {
        assert.equal(typeof we.code, "number", `case ${i}: write error without a code`);
        assert.notEqual(we.code, 1, `case ${i} ${show(cmd)}: InternalError ${we.errmsg}`);
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      if (i % 25 === 0) {
        assert.equal(prototypeSnapshot(), before, `case ${i} changed a prototype: ${show(cmd)}`);
        const r = await probe.updateOne({ _id: 1 }, { $inc: { v: 1 } });
        assert.equal(r.modifiedCount, 1, `case ${i}: a plain update stopped working after ${show(cmd)}`);
      }
    }
    assert.equal(prototypeSnapshot(), before);
    assert.equal((await probe.findOne({ _id: 1 } as Document))!.v, Math.ceil(CASES / 25));
    console.log(`      error codes seen: ${[...codes].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${c}×${n}`).join(" ")}`);
  });
});

function show(cmd: Document): string {
  return JSON.stringify(cmd).slice(0, 400);
}
