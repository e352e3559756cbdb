/**
 * Keys that reach an object's prototype machinery when code assigns by key (`o[k] = v`, merges,
 * `Object.assign`, update paths built from keys). No request has a reason to use them as a key,
 * so the edges refuse them outright instead of trusting every schema and copy downstream.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The path of the first reserved key anywhere in a parsed JSON-like value (own keys, any depth),
 * or undefined. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function findReservedKey(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: "" }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    for (const key of Object.keys(v)) {
      const at = path ? `${path}.${key}` : key;
      if (RESERVED_KEYS.has(key)) return at;
      stack.push({ value: (v as Record<string, unknown>)[key], path: at });
    }
  }
  return undefined;
}

/**
 * Query keys arrive flat from the simple parser (`a[__proto__][x]` is one literal key); an
 * extended parser would split them into paths, so each bracket/dot segment is checked too.
 */
export function findReservedQueryKey(query: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(query)) {
    if (key.split(/[[\].]/).some((segment) => RESERVED_KEYS.has(segment))) return key;
  }
  return findReservedKey(query);
}
