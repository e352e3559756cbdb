import type express from "express";
import type { RequestHandler } from "express";

/**
 * Every route of the app, found by walking its Express router stack (routers mounted with `use`
 * included), so a route a feature adds anywhere is covered without listing it: the OpenAPI
 * generator documents from it and tests probe from it. Each route comes with the handlers that
 * run for it (router-level middleware above it, then its own), so docs attached to `validate()`
 * and `requireAuth()` can be read back.
 */
export interface MountedRoute {
  /** upper-case method, or `USE` for a mount that is not a router (an opaque sub-app) */
  method: string;
  /** full path with `:params` */
  path: string;
  handlers: RequestHandler[];
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean>; stack: Layer[] };
  handle?: RequestHandler & { stack?: Layer[] };
}

const join = (prefix: string, path: string) => (prefix + (path === "/" ? "" : path)).replace(/\/+/g, "/") || "/";

export function mountedRoutes(app: express.Application): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string, inherited: RequestHandler[]) => {
    const above = [...inherited];
    for (const layer of stack) {
      const raw = typeof layer.rawPath === "string" ? layer.rawPath : "/";
      if (layer.route) {
        const handlers = [...above, ...layer.route.stack.map((l) => l.handle).filter((h): h is RequestHandler => typeof h === "function")];
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== "_all") out.push({ method: method.toUpperCase(), path: join(prefix, layer.route.path), handlers });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, join(prefix, raw), above);
      } else if (raw !== "/") {
        out.push({ method: "USE", path: join(prefix, raw), handlers: [...above, ...(layer.handle ? [layer.handle] : [])] });
      } else if (layer.handle) {
        above.push(layer.handle); // path-less middleware (e.g. `r.use(requireAuth())`) applies to what follows
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "", []);
  return out;
}

/** Documentation a handler carries (validate's schemas, requireAuth's roles), read by the generator. */
const DOCS = Symbol.for("limelight.route-docs");

export function attachDocs<H extends Function>(handler: H, docs: object): H {
  const carried = (handler as unknown as Record<symbol, object>)[DOCS] ?? {};
  (handler as unknown as Record<symbol, object>)[DOCS] = { ...carried, ...docs };
  return handler;
}

/** Everything the handlers of one route carry, merged in order (the route's own last). */
export function docsOf<T extends object>(handlers: Function[]): Partial<T> {
  return Object.assign({}, ...handlers.map((h) => (h as unknown as Record<symbol, object>)[DOCS] ?? {}));
}
