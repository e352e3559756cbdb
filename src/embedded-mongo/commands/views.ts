/**
 * Read-only views (`create` with `viewOn` + `pipeline`): a view is a collection entry whose options name
 * its source; reads run the source through the view's pipeline (views on views chain their pipelines),
 * writes are refused with CommandNotSupportedOnView (166) by the engine.
 */
import type { Document } from "bson";
import type { Collection } from "../engine/collection";
import { isView, type Engine } from "../engine/engine";
import { fail } from "../engine/errors";
import { isPlainObject, pathValues, compareValues, keyOf } from "../engine/types";
import { aggregateCommands } from "./aggregate";
import type { CommandContext } from "./context";

/** mongod's limit on views defined on views */
const MAX_VIEW_DEPTH = 20;

/** The collection a view finally reads and the concatenated pipeline, or null when `c` is not a view. */
export function resolveView(engine: Engine, db: string, c: Collection | undefined): { source: Collection | undefined; pipeline: Document[] } | null {
  if (!isView(c)) return null;
  let pipeline: Document[] = [];
  let cur = c;
  for (let depth = 0; isView(cur); depth++) {
    if (depth >= MAX_VIEW_DEPTH) fail("ViewDepthLimitExceeded", `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`);
    pipeline = [...((cur!.options.pipeline as Document[] | undefined) ?? []), ...pipeline];
    cur = engine.coll(db, cur!.options.viewOn as string);
  }
  return { source: cur, pipeline };
}

/** Checks a view definition of create/collMod: viewOn a string, pipeline an array of stages without $out/$merge. */
export function checkViewDefinition(viewOn: unknown, pipeline: unknown): void {
  if (typeof viewOn !== "string" || viewOn === "") fail("TypeMismatch", "'viewOn' option must be a non-empty string");
  if (pipeline !== undefined && !Array.isArray(pipeline)) fail("TypeMismatch", "'pipeline' option must be an array");
  for (const s of (pipeline as unknown[] | undefined) ?? []) {
    if (!isPlainObject(s) || Object.keys(s).length !== 1) fail("InvalidViewDefinition", "A pipeline stage specification object must contain exactly one field.");
    const stage = Object.keys(s)[0]!;
    if (stage === "$out" || stage === "$merge") fail("OptionNotSupportedOnView", `${stage} cannot be used in a view definition`);
  }
}

function aggregateOnView(ctx: CommandContext, name: string, pipeline: Document[], cmd: Document, cursor: Document = {}): Promise<Document> {
  const agg: Document = { aggregate: name, pipeline, cursor };
  if (cmd.collation !== undefined) agg.collation = cmd.collation;
  if (cmd.let !== undefined) agg.let = cmd.let;
  return aggregateCommands.aggregate!(agg, ctx) as Promise<Document>;
}

/** find on a view: the filter, sort, skip, limit and projection become stages after the view's pipeline. */
export function findOnView(cmd: Document, ctx: CommandContext, name: string): Promise<Document> {
  const stages: Document[] = [];
  if (isPlainObject(cmd.filter) && Object.keys(cmd.filter).length) stages.push({ $match: cmd.filter });
  if (isPlainObject(cmd.sort) && Object.keys(cmd.sort).length) stages.push({ $sort: cmd.sort });
  if (typeof cmd.skip === "number" && cmd.skip > 0) stages.push({ $skip: cmd.skip });
  const limit = typeof cmd.limit === "number" ? Math.abs(cmd.limit) : 0;
  if (limit > 0) stages.push({ $limit: limit });
  if (isPlainObject(cmd.projection) && Object.keys(cmd.projection).length) stages.push({ $project: cmd.projection });
  return aggregateOnView(ctx, name, stages, cmd, typeof cmd.batchSize === "number" ? { batchSize: cmd.batchSize } : {});
}

export async function countOnView(cmd: Document, ctx: CommandContext, name: string): Promise<Document> {
  const stages: Document[] = [];
  if (isPlainObject(cmd.query) && Object.keys(cmd.query).length) stages.push({ $match: cmd.query });
  if (typeof cmd.skip === "number" && cmd.skip > 0) stages.push({ $skip: cmd.skip });
  const limit = typeof cmd.limit === "number" ? Math.abs(cmd.limit) : 0;
  if (limit > 0) stages.push({ $limit: limit });
  stages.push({ $count: "n" });
  const reply = await aggregateOnView(ctx, name, stages, cmd);
  if (reply.ok !== 1) return reply;
  return { n: (reply.cursor.firstBatch[0]?.n as number | undefined) ?? 0, ok: 1 };
}

export async function distinctOnView(cmd: Document, ctx: CommandContext, name: string): Promise<Document> {
  const key = cmd.key as string;
  const stages: Document[] = [];
  if (isPlainObject(cmd.query) && Object.keys(cmd.query).length) stages.push({ $match: cmd.query });
  // one document holding every value, so no cursor is left open
  stages.push({ $group: { _id: null, v: { $push: `$${key}` } } });
  const reply = await aggregateOnView(ctx, name, stages, cmd);
  if (reply.ok !== 1) return reply;
  const seen = new Map<string, unknown>();
  for (const v of (reply.cursor.firstBatch[0]?.v as unknown[] | undefined) ?? []) {
    // like distinct on a collection: an array value contributes its elements
    for (const x of pathValues({ v }, ["v"])) if (x !== undefined && !seen.has(keyOf(x))) seen.set(keyOf(x), x);
  }
  return { values: [...seen.values()].sort(compareValues), ok: 1 };
}
