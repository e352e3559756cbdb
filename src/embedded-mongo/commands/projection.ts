/**
 * The projection operators mingo's projection does not cover the way mongod does: positional `"a.$": 1`
 * (the first element of `a` the query matched) and `{a: {$elemMatch: cond}}` with an operator-only
 * condition on scalar elements (`{$in: [...]}`, `{$gte: 5}`). They are taken out of the projection, the
 * rest goes to mingo, and the array fields are added back per document.
 */
import type { Document } from "bson";
import { compileFilter } from "../engine/mingo";
import { positionalIndex } from "../engine/update";
import { isPlainObject, viewOf } from "../engine/types";

interface ArrayProjection {
  field: string;
  /** the chosen element's index in the document's array, or undefined to leave the field out */
  pick: (doc: Document, view: Document) => number | undefined;
}

/** Splits `projection` into what mingo projects and the positional/$elemMatch fields; null when there are none. */
export function splitArrayProjection(projection: Document | undefined, filter: Document | undefined): { rest: Document; arrays: ArrayProjection[] } | null {
  if (!projection) return null;
  const arrays: ArrayProjection[] = [];
  const rest: Document = {};
  for (const [k, v] of Object.entries(projection)) {
    if (k.endsWith(".$") && !k.slice(0, -2).includes(".")) {
      arrays.push({ field: k.slice(0, -2), pick: (_doc, view) => positionalIndex(filter, view) });
    } else if (isPlainObject(v) && Object.keys(v).length === 1 && isPlainObject(v.$elemMatch) && !k.includes(".")) {
      const p = compileFilter({ v: { $elemMatch: v.$elemMatch } });
      arrays.push({
        field: k,
        pick: (doc) => {
          const arr = doc[k];
          if (!Array.isArray(arr)) return undefined;
          const i = arr.findIndex((el) => p(viewOf({ v: [el] })));
          return i >= 0 ? i : undefined;
        },
      });
    } else rest[k] = v;
  }
  if (arrays.length === 0) return null;
  // the array fields count as inclusions: with nothing else included, only _id comes along
  const inclusive = Object.entries(rest).some(([k, v]) => k !== "_id" && v !== 0 && v !== false);
  const exclusive = Object.entries(rest).some(([k, v]) => k !== "_id" && (v === 0 || v === false));
  if (!inclusive && !exclusive) rest._id = rest._id ?? 1;
  return { rest, arrays };
}

/** Adds each positional/$elemMatch field to a projected document. */
export function addArrayFields(projected: Document, doc: Document, view: Document, arrays: ArrayProjection[]): Document {
  const out: Document = { ...projected };
  for (const a of arrays) {
    const arr = doc[a.field];
    const i = Array.isArray(arr) ? a.pick(doc, view) : undefined;
    if (i === undefined) delete out[a.field];
    else out[a.field] = [arr[i]];
  }
  return out;
}
