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

export function plan(coll: Collection, filter: Document | undefined, hint?: unknown, collation?: Collation): Plan {
  if (!filter) return { stage: "COLLSCAN" };
  const conds = new Map<string, FieldCond>();
  collectConds(toView(filter) as Document, conds);
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
  const hinted = typeof hint === "string" ? hint : isPlainObject(hint) ? Index.tupleKey(Object.keys(hint)) : null;
  for (const idx of coll.indexes.values()) {
    if (idx.special || idx.partial) continue;
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
    const b = { value: c.eq, inclusive: true };
    return { ...base, ids: dedupe(idx.ordered.range(b, b)) };
  }
  if (c.in) {
    const vals = c.in;
    return { ...base, ids: unionIds(vals.map((v) => idx.ordered.range({ value: v, inclusive: true }, { value: v, inclusive: true }))) };
  }
  const ids = idx.ordered.range(c.lower, c.upper);
  return { ...base, ids: idx.multikey ? dedupe(ids) : ids };
}
