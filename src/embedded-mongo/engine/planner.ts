/**
 * Chooses an access path for a filter: the _id map, one secondary index, or a collection scan. Candidates
 * are always re-checked against the full filter, so a plan only has to return a superset of the matches.
 */
import type { Document } from "bson";
import type { Collection } from "./collection";
import type { Collation } from "./mingo";
import { Index } from "./indexes";
import type { Bound } from "./ordered";
import { isPlainObject, keyOf, toView } from "./types";

export interface Plan {
  stage: "IDHACK" | "IXSCAN" | "COLLSCAN";
  indexName?: string;
  /** candidate ids; undefined means scan everything */
  ids?: Iterable<string>;
  /**
   * set when `ids` come in the requested sort order and include every document that can match (a walk of
   * an index whose order is the sort): no in-memory sort is needed and a limit can stop the walk
   */
  sorted?: { direction: "forward" | "backward" };
}

interface FieldCond {
  eq?: unknown;
  hasEq?: boolean;
  in?: unknown[];
  lower?: Bound;
  upper?: Bound;
}

/** Values an index lookup can serve exactly; null/regex/arrays/objects have match rules beyond key equality. */
function indexable(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v) || v instanceof RegExp) return false;
  if (typeof v === "object" && isPlainObject(v)) return false;
  return true;
}

function collectConds(filter: Document, out: Map<string, FieldCond>): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === "$and" && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) collectConds(sub, out);
      continue;
    }
    if (k.startsWith("$")) continue;
    const c = out.get(k) ?? {};
    if (isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v)[0].startsWith("$")) {
      for (const [op, arg] of Object.entries(v)) {
        if (op === "$eq" && indexable(arg)) {
          c.eq = arg;
          c.hasEq = true;
        } else if (op === "$in" && Array.isArray(arg) && arg.every(indexable)) c.in = arg;
        else if ((op === "$gt" || op === "$gte") && indexable(arg)) c.lower = { value: arg, inclusive: op === "$gte" };
        else if ((op === "$lt" || op === "$lte") && indexable(arg)) c.upper = { value: arg, inclusive: op === "$lte" };
      }
    } else if (indexable(v)) {
      c.eq = v;
      c.hasEq = true;
    }
    out.set(k, c);
  }
}

function* unionIds(sets: Iterable<Iterable<string>>): Generator<string> {
  const seen = new Set<string>();
  for (const s of sets) for (const id of s) if (!seen.has(id)) {
    seen.add(id);
    yield id;
  }
}

function* dedupe(ids: Iterable<string>): Generator<string> {
  const seen = new Set<string>();
  for (const id of ids) if (!seen.has(id)) {
    seen.add(id);
    yield id;
  }
}

/** Whether a bound value compares differently under a collation (strings, or containers holding them). */
function collationSensitive(v: unknown): boolean {
  if (typeof v === "string") return true;
  if (Array.isArray(v)) return v.some(collationSensitive);
  if (isPlainObject(v)) return Object.values(v).some(collationSensitive);
  return false;
}

/** How many leading fields of `idx` the filter pins to one value, and those values. */
function eqPrefix(idx: Index, conds: Map<string, FieldCond>): unknown[] {
  const values: unknown[] = [];
  for (const f of idx.fields) {
    const c = conds.get(f);
    if (!c?.hasEq) break;
    values.push(c.eq);
  }
  return values;
}

interface SortCandidate {
  idx: Index;
  prefix: unknown[];
  range?: FieldCond;
  reverse: boolean;
  /** equality fields used, plus a half for a range on the next one */
  quality: number;
}

/**
 * An index whose order serves `sort` after its equality prefix: the sort's fields (minus those the filter
 * pins) are the index's next fields, all in its directions or all reversed. Multikey, sparse and partial
 * indexes are left out: their order does not cover every document with MongoDB's array sort keys.
 */
function sortCandidate(coll: Collection, conds: Map<string, FieldCond>, sort: Document, hinted: string | null): SortCandidate | null {
  const wanted: [string, number][] = [];
  for (const [f, d] of Object.entries(sort)) {
    if (typeof d === "object" && d !== null) return null; // {$meta: ...}
    wanted.push([f, Number(d) < 0 ? -1 : 1]);
  }
  let best: SortCandidate | null = null;
  for (const idx of coll.indexes.values()) {
    if (idx.special || idx.partial || idx.sparse || idx.multikey || idx.spec.hidden) continue;
    const prefix = eqPrefix(idx, conds);
    const pinned = new Set(idx.fields.slice(0, prefix.length));
    const rest = wanted.filter(([f]) => !pinned.has(f));
    const k = prefix.length;
    if (rest.length > idx.fields.length - k) continue;
    let sign = 0;
    let ok = true;
    for (let i = 0; i < rest.length && ok; i++) {
      const [f, d] = rest[i]!;
      const s = d * idx.dirs[k + i]!;
      ok = f === idx.fields[k + i] && (sign === 0 || s === sign);
      sign = s;
    }
    if (!ok) continue;
    const next = conds.get(idx.fields[k] ?? "");
    const range = next && !next.hasEq && (next.lower || next.upper) ? next : undefined;
    let quality = k + (range ? 0.5 : 0);
    if (hinted !== null && (hinted === idx.name || hinted === Index.tupleKey(idx.fields))) quality += 100;
    if (!best || quality > best.quality) best = { idx, prefix, range, reverse: sign < 0, quality };
  }
  return best;
}

export function plan(coll: Collection, filter: Document | undefined, hint?: unknown, collation?: Collation, sort?: Document): Plan {
  const conds = new Map<string, FieldCond>();
  if (filter) collectConds(toView(filter) as Document, conds);
  const hinted = typeof hint === "string" ? hint : isPlainObject(hint) ? Index.tupleKey(Object.keys(hint)) : null;
  let filterPlan = planFilter(coll, conds, hinted, collation);
  if (hinted !== null && filterPlan.stage === "COLLSCAN") {
    // a hinted index the filter cannot use is walked whole, in its order, as mongod does
    const idx = [...coll.indexes.values()].find((i) => !i.special && (i.name === hinted || Index.tupleKey(i.fields) === hinted));
    if (idx) filterPlan = { stage: "IXSCAN", indexName: idx.name, ids: idx.multikey ? dedupe(idx.ordered.scan([])) : idx.ordered.scan([]) };
  }
  // a collation orders strings differently from the binary order the indexes keep
  if (!sort || Object.keys(sort).length === 0 || collation || filterPlan.stage === "IDHACK") return filterPlan;
  const cand = sortCandidate(coll, conds, sort, hinted);
  if (!cand) return filterPlan;
  const chosen = filterPlan.indexName ? coll.indexes.get(filterPlan.indexName) : undefined;
  if (chosen && chosen !== cand.idx) {
    // keep the filter's index when it pins more fields, is unique and fully pinned, or was hinted
    const pinned = eqPrefix(chosen, conds).length;
    const fullUnique = chosen.unique && pinned === chosen.fields.length;
    const hintedChosen = hinted !== null && (hinted === chosen.name || hinted === Index.tupleKey(chosen.fields));
    const next = conds.get(chosen.fields[pinned] ?? "");
    const chosenQuality = pinned + (next && (next.in || next.lower || next.upper) ? 0.5 : 0);
    // a walk of the whole sort index only when nothing narrows the candidates
    if (fullUnique || hintedChosen || chosenQuality > cand.quality || cand.quality === 0) return filterPlan;
  }
  const { idx, prefix, range, reverse } = cand;
  return {
    stage: "IXSCAN",
    indexName: idx.name,
    ids: idx.ordered.scan(prefix, range?.lower, range?.upper, reverse),
    sorted: { direction: reverse ? "backward" : "forward" },
  };
}

function planFilter(coll: Collection, conds: Map<string, FieldCond>, hinted: string | null, collation?: Collation): Plan {
  if (conds.size === 0) return { stage: "COLLSCAN" };
  if (collation) {
    // indexes here are keyed by binary comparison: a collated query can only use them for bounds whose
    // comparison the collation does not change (numbers, dates, ObjectIds); string bounds need a scan
    for (const [k, c] of conds) {
      const values = [c.hasEq ? c.eq : undefined, ...(c.in ?? []), c.lower?.value, c.upper?.value];
      if (values.some(collationSensitive)) conds.delete(k);
    }
  }
  const idc = conds.get("_id");
  if (idc?.hasEq) return { stage: "IDHACK", ids: [keyOf(idc.eq)] };
  if (idc?.in) return { stage: "IDHACK", ids: [...new Set(idc.in.map(keyOf))] };

  let best: { score: number; idx: Index; c: FieldCond; allEq: boolean } | null = null;
  for (const idx of coll.indexes.values()) {
    if (idx.special || idx.partial || idx.spec.hidden) continue;
    const c = conds.get(idx.fields[0]);
    if (!c) continue;
    const allEq = idx.fields.every((f) => conds.get(f)?.hasEq);
    let score = allEq ? (idx.unique ? 4 : 3) : c.hasEq ? 2 : c.in ? 1.5 : c.lower || c.upper ? 1 : 0;
    if (score === 0) continue;
    if (hinted !== null && (hinted === idx.name || hinted === Index.tupleKey(idx.fields))) score += 10;
    if (!best || score > best.score) best = { score, idx, c, allEq };
  }
  if (!best) return { stage: "COLLSCAN" };
  const { idx, c, allEq } = best;
  const base = { stage: "IXSCAN" as const, indexName: idx.name };
  if (allEq) {
    const tuple = Index.tupleKey(idx.fields.map((f) => conds.get(f)!.eq));
    return { ...base, ids: idx.hash.get(tuple) ?? [] };
  }
  if (c.hasEq) {
    // the pinned prefix of a compound index, and a range on the field after it
    const prefix = eqPrefix(idx, conds);
    const next = conds.get(idx.fields[prefix.length] ?? "");
    const range = next && !next.hasEq ? next : undefined;
    return { ...base, ids: dedupe(idx.ordered.scan(prefix, range?.lower, range?.upper)) };
  }
  if (c.in) {
    const vals = c.in;
    return { ...base, ids: unionIds(vals.map((v) => idx.ordered.range({ value: v, inclusive: true }, { value: v, inclusive: true }))) };
  }
  const ids = idx.ordered.range(c.lower, c.upper);
  return { ...base, ids: idx.multikey ? dedupe(ids) : ids };
}
