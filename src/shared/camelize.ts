/**
 * One wire vocabulary, two spellings: REST speaks snake_case, rooms camelCase. Room shapes are
 * derived from the REST ones — `Camelized<RestType>` for the type, `camelize(value)` for the
 * value — so a result type is written once. Dates become epoch milliseconds (room convention).
 */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

export type Camelized<T> = T extends Date
  ? number
  : T extends readonly (infer U)[]
    ? Camelized<U>[]
    : T extends object
      ? { [K in keyof T as K extends string ? CamelCase<K> : K]: Camelized<T[K]> }
      : T;

const camelKey = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function camelize<T>(value: T): Camelized<T> {
  if (value instanceof Date) return value.getTime() as Camelized<T>;
  if (Array.isArray(value)) return value.map((v) => camelize(v)) as Camelized<T>;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[camelKey(k)] = camelize(v);
    return out as Camelized<T>;
  }
  return value as Camelized<T>;
}
