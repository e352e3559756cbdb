import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import { logger, type Logger } from "../logger";

declare module "express-serve-static-core" {
  interface Request {
    id: string;
    log: Logger;
  }
}

/** A request id (accepted from X-Request-Id when sane, else generated) on every log line and response. */
export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.headers["x-request-id"];
  const id = typeof incoming === "string" && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  req.id = id;
  req.log = logger.child({ reqId: id });
  res.setHeader("X-Request-Id", id);
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    req.log.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, "request");
  });
  next();
};
