import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { matchMaker } from "@colyseus/core";
import { pinForwardedFor } from "../http/client-ip";

/**
 * Join options are a handful of small fields (`{ authorId }`); 8 kB leaves room for any room's
 * options while a hostile body is refused after 8 kB, not after Colyseus buffered all of it (its
 * own cap is 1 MB per request, or none on some paths, before auth runs).
 */
export const MATCHMAKE_BODY_LIMIT = 8 * 1024;

const isMatchmakeRequest = (req: IncomingMessage) =>
  req.method === "POST" && (req.url ?? "").startsWith(`/${matchMaker.controller.matchmakeRoute}/`);

/** 413 in the matchmaking route's own error shape (`{code, error}`, which the SDK reads), then close. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({
    code: 413,
    error: `The matchmaking request body is larger than ${MATCHMAKE_BODY_LIMIT} bytes (payload_too_large).`,
  });
  res.shouldKeepAlive = false;
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  // once the answer is out, drop the connection instead of letting Node drain the rest of the body
  res.end(body, () => req.socket.destroy());
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
    if (size > 0) (req as IncomingMessage & { body?: string }).body = Buffer.concat(chunks).toString("utf8");
    next();
  });
  req.on("error", () => req.destroy());
}

/**
 * Put the matchmaking guard (body cap, client IP by TRUST_PROXY) in front of every other `request` listener. Colyseus binds its
 * matchmaking route as a prepended `request` listener when it starts listening (ahead of the
 * Express app, so an Express middleware never sees `/matchmake/*`); this takes over dispatch the
 * same way Colyseus' own body pre-reader does, and must run after that binding.
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
