/**
 * Field access on documents that hold client-chosen keys. A key such as `__proto__`, `constructor` or
 * `prototype` is an ordinary field name in MongoDB; on a JS object, reading it can return an inherited value
 * (Object.prototype, the Object function) and assigning `__proto__` replaces the object's prototype. Every
 * read here is an own-property read and every write defines an own property, so a client's key can never
 * reach a prototype.
 */
import type { Document } from "bson";

/** The value of an own field, or undefined when the object does not itself hold `key`. */
export function ownField(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Document)[key] : undefined;
}

/** Sets `key` as an own, enumerable field (for `__proto__` too, which plain assignment would turn into a prototype change). */
export function setField(obj: object, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else (obj as Document)[key] = value;
}

/** Names that lead from a plain object or an array to a prototype or a constructor when read as properties. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Whether a dotted path has such a segment. A field path's leading `$` is ignored; in `$$name.path` only the
 * path counts (mingo looks variables up as own properties).
 */
export function hasPrototypeSegment(path: string): boolean {
  let from = path.startsWith("$") ? 1 : 0;
  if (path.startsWith("$$")) {
    const dot = path.indexOf(".");
    if (dot < 0) return false;
    from = dot + 1;
  }
  for (;;) {
    const dot = path.indexOf(".", from);
    const seg = path.slice(from, dot < 0 ? undefined : dot);
    if (PROTOTYPE_KEYS.has(seg)) return true;
    if (dot < 0) return false;
    from = dot + 1;
  }
}
