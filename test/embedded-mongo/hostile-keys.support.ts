// Helpers for the hostile-key tests: documents with own `__proto__` fields and a fingerprint of the
// prototypes the store process shares with everything else in it.
import type { Document } from "mongodb";

/** Own property names (and their value types) of the prototypes a polluting write could reach. */
export function prototypeSnapshot(): string {
  const protos: [string, object][] = [
    ["Object", Object.prototype],
    ["Array", Array.prototype],
    ["Function", Function.prototype],
    ["String", String.prototype],
    ["Number", Number.prototype],
    ["ObjectCtor", Object],
    ["ArrayCtor", Array],
  ];
  return protos
    .map(([n, p]) => `${n}:${Reflect.ownKeys(p).map((k) => `${String(k)}=${describe(Object.getOwnPropertyDescriptor(p, k)!)}`).sort().join(",")}`)
    .join("\n");
}

function describe(d: PropertyDescriptor): string {
  return "value" in d ? typeof d.value : "accessor";
}

/** `base` plus an own enumerable `key` (an object literal `{__proto__: v}` would set the prototype instead). */
export function withOwn(base: Document, key: string, value: unknown): Document {
  const out: Document = { ...base };
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  return out;
}

/** The server error code a rejected promise carries; fails when it resolves or rejects without a code. */
export async function rejectionCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "number") throw e;
    return code;
  }
  throw new Error("expected the command to be rejected");
}
