import type express from "express";
import type { Config } from "../config";
import { requireAuth } from "./auth";
import { errorHandler } from "./errors";

/**
 * @colyseus/monitor can call room methods remotely, so it sits behind admin auth.
 * @colyseus/playground sends every client the message schemas: development only.
 */
export function mountOperatorTools(app: express.Application, cfg: Config): void {
  app.use("/admin/monitor", requireAuth("admin"), lazy(() => (require("@colyseus/monitor") as typeof import("@colyseus/monitor")).monitor()), errorHandler);
  const playground = cfg.ENABLE_PLAYGROUND ?? cfg.NODE_ENV === "development";
  if (playground) {
    app.use("/playground", lazy(() => (require("@colyseus/playground") as typeof import("@colyseus/playground")).playground()));
  }
}

/** Load an operator tool on first use: neither belongs on the boot path. */
function lazy(load: () => express.RequestHandler): express.RequestHandler {
  let handler: express.RequestHandler | undefined;
  return (req, res, next) => {
    handler ??= load();
    handler(req, res, next);
  };
}
