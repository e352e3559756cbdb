import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { matchMaker } from "@colyseus/core";
import { pinForwardedFor } from "../http/client-ip";
import { findReservedKey } from "../shared/hostile-keys";

/**
 * Join options are a handful of small fields (`{ authorId }`); 8 kB leaves room for any room's
 * options. Without this, Colyseus (on the Express path) reads the whole body, however large,
 * before onAuth can refuse a missing token.
 */
export const MATCHMAKE_BODY_LIMIT = 8 * 1024;

const isMatchmakeRequest = (req: IncomingMessage) =>
  req.method === "POST" && (req.url ?? "").startsWith(`/${matchMaker.controller.matchmakeRoute}/`);

/** An answer in the matchmaking route's own error shape (`{code, error}`, which the SDK reads). */
function refuse(res: ServerResponse, status: number, message: string, close: boolean): ServerResponse {
  const body = JSON.stringify({ code: status, error: message });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...(close ? { connection: "close" } : {}) });
  return res.end(body);
}

function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.shouldKeepAlive = false;
  refuse(res, 413, `The matchmaking request body is larger than ${MATCHMAKE_BODY_LIMIT} bytes (payload_too_large).`, true);
  // once the answer is out, drop the connection instead of letting Node drain the rest of the body
  res.once("finish", () => req.socket.destroy());
}

/**
 * Join options with `__proto__`, `constructor` or `prototype` keys are refused here: Colyseus
 * copies client options key by key (`merge({}, clientOptions, …)` before onCreate), where an own
 * `__proto__` key swaps the copy's prototype for the client's object. Malformed JSON is left to
 * Colyseus' own 400.
 */
function hasReservedKey(raw: string): string | undefined {
  try {
    return findReservedKey(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

/**
 * Read a matchmaking body up to the cap: refused up front by Content-Length, or as soon as the
 * streamed bytes pass the cap. The bytes read are handed on as `req.body` (a string), which
 * Colyseus' route reader uses instead of reading the stream again.
 */
function readCappedBody(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MATCHMAKE_BODY_LIMIT) return refuseTooLarge(req, res);
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on("data", (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > MATCHMAKE_BODY_LIMIT) {
      refused = true;
      req.pause();
      return refuseTooLarge(req, res);
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (refused) return;
    if (size === 0) return next();
    const raw = Buffer.concat(chunks).toString("utf8");
    const reserved = hasReservedKey(raw);
    if (reserved !== undefined) return void refuse(res, 400, `Join options may not use the key "${reserved}" (invalid_join_options).`, false);
    (req as IncomingMessage & { body?: string }).body = raw;
    next();
  });
  req.on("error", () => req.destroy());
}

/**
 * Put the matchmaking guard (body cap, reserved keys, client IP by TRUST_PROXY) in front of every
 * other `request` listener. Colyseus binds its matchmaking route as a prepended `request` listener
 * when it starts listening (ahead of the Express app, so an Express middleware never sees
 * `/matchmake/*`); this takes over dispatch the way Colyseus' own body pre-reader
 * (`prereadRequestBodies`) does, and must run after that binding.
 */
export function guardMatchmakeRequests(server: HttpServer): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of listeners) listener.call(server, req, res);
  };
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!isMatchmakeRequest(req)) return dispatch(req, res);
    pinForwardedFor(req);
    readCappedBody(req, res, () => dispatch(req, res));
  });
  // WebSocket upgrades (joining the reserved seat) resolve the client IP the same way
  server.prependListener("upgrade", (req: IncomingMessage) => pinForwardedFor(req));
}

/** The WebSocket transport with the guard installed right after Colyseus binds its routes. */
export class GuardedWebSocketTransport extends WebSocketTransport {
  override listen(port: number, hostname?: string, backlog?: number, listeningListener?: () => void): this {
    return super.listen(port, hostname, backlog, () => {
      listeningListener?.(); // Colyseus binds its matchmaking route here
      if (this.server) guardMatchmakeRequests(this.server as HttpServer);
    });
  }
}
