import type express from "express";

/** One mounted Express route: a method and its full path with `:params`. */
export interface MountedRoute {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  name?: string;
}

const join = (prefix: string, path: string) => (prefix + (path === "/" ? "" : path)).replace(/\/+/g, "/") || "/";

/**
 * Every route of the app, found by walking its router stack (routers mounted with `use`
 * included), so a route added anywhere is covered without listing it. A `use` mount that is not a
 * router (an opaque sub-app such as the monitor) is reported once as `USE <path>`.
 */
export function mountedRoutes(app: express.Application): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      const raw = typeof layer.rawPath === "string" ? layer.rawPath : "/";
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== "_all") out.push({ method: method.toUpperCase(), path: join(prefix, layer.route.path) });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, join(prefix, raw));
      } else if (raw !== "/") {
        out.push({ method: "USE", path: join(prefix, raw) });
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  return out;
}
