import { z } from "zod";

/**
 * Response schemas document what a route returns (the OpenAPI document; the sampled response
 * checks in test/http). They are written in zod beside each feature's schemas and tied to the
 * presenter's TypeScript output by `responseOf<Output>()(schema)`, which fails to compile when the
 * two differ in any field, so the document cannot drift from the code.
 */

/** What `res.json` makes of a value of type T: dates become ISO strings, the rest keeps its shape. */
export type Jsonify<T> = T extends Date
  ? string
  : T extends string | number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Jsonify<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonify<T[K]> }
        : T;

/** Mutual assignability: the same shape, field for field (optional vs required included). */
export type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `responseOf<PresenterOutput>()(schema)` returns `schema`, or does not compile when the schema's
 * output is not the presenter's output as JSON (the error names both shapes as the missing `drift`
 * argument).
 */
export function responseOf<T>() {
  return <S extends z.ZodType>(schema: S, ..._drift: SameShape<z.output<S>, Jsonify<T>> extends true ? [] : [drift: { schema: z.output<S>; presenter: Jsonify<T> }]): S => schema;
}

export const isoDateTime = z.iso.datetime().meta({ example: "2026-01-01T12:00:00.000Z" });
export const nullableIsoDateTime = z.iso.datetime().nullable().meta({ example: "2026-01-01T12:00:00.000Z" });

/** `{ items, next_cursor }`: a cursor page (src/shared/pagination.ts). */
export function pageOf<I extends z.ZodType>(item: I) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable().meta({ description: "pass as `cursor` for the next page; null on the last" }) }).strict();
}

/** `{ items }`: a whole (bounded) list. */
export function itemsOf<I extends z.ZodType>(item: I) {
  return z.object({ items: z.array(item) }).strict();
}
