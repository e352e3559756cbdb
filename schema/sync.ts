import type { ArraySchema, Schema } from "@colyseus/schema";

/**
 * Writing domain results into room state, for every room's mapper: assign only what changed, keep
 * list items and child schemas in place (a patch then carries only the change, and StateView tags
 * given to a client keep applying to the same instances).
 */

/** Epoch ms from a Date or an ISO string (service results may have been through JSON). */
export function toMillis(value: Date | string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "number") return value;
  return (typeof value === "string" ? new Date(value) : value).getTime();
}

/** Assign only when different: an unchanged field then costs nothing in the next patch. */
export function put<T extends Schema, K extends keyof T>(target: T, key: K, value: T[K]): void {
  if (target[key] !== value) target[key] = value;
}

/**
 * Make `list` hold `values` in order, reusing instances by index. (Resizing with push/pop only:
 * `unshift` on an ArraySchema under a StateView reaches clients in the wrong order.)
 */
export function syncList<S, V>(list: ArraySchema<S>, values: readonly V[], create: () => S, write: (item: S, value: V) => void): void {
  values.forEach((value, i) => {
    let item = list.at(i);
    if (item === undefined) {
      item = create();
      write(item, value);
      list.push(item);
    } else {
      write(item, value);
    }
  });
  while (list.length > values.length) list.pop();
}

/**
 * Keep an optional child schema in step with a nullable domain value: unset it when the value is
 * null (the field then leaves the client's state), create it the first time, else write in place.
 */
export function syncChild<T extends Schema, K extends keyof T, C extends Schema, V>(
  target: T,
  key: K,
  value: V | null | undefined,
  create: () => C,
  write: (child: C, value: V) => void,
): void {
  if (value === null || value === undefined) {
    if (target[key] !== undefined) target[key] = undefined as T[K];
    return;
  }
  const existing = target[key] as C | undefined;
  if (existing) return write(existing, value);
  const child = create();
  write(child, value);
  target[key] = child as T[K];
}

export function syncStrings(list: ArraySchema<string>, values: readonly string[] | null | undefined): void {
  const next = values ?? [];
  next.forEach((value, i) => {
    if (i < list.length) {
      if (list.at(i) !== value) list[i] = value;
    } else list.push(value);
  });
  while (list.length > next.length) list.pop();
}

