import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";
import { config, type TrustProxy } from "../config";

/**
 * The client's address under TRUST_PROXY — one rule for Express (`req.ip`, the per-IP auth limit)
 * and for Colyseus' matchmaking and WebSocket upgrades (`context.ip` in onAuth).
 */
type TrustFn = (addr: string, hop: number) => boolean;

let compiled: { from: TrustProxy; fn: TrustFn } | undefined;

/** The trust function of the current configuration (recompiled when tests swap the config). */
export function trustProxyFn(): TrustFn {
  const from = config().TRUST_PROXY;
  if (compiled?.from !== from) compiled = { from, fn: compileTrust(from) };
  return compiled.fn;
}

function compileTrust(value: TrustProxy): TrustFn {
  if (value === true) return () => true;
  if (value === false) return () => false;
  if (typeof value === "number") return (_addr, hop) => hop < value;
  return proxyaddr.compile(value);
}

/** The client address: the TCP peer, or the X-Forwarded-For hop the trusted proxies vouch for. */
export function clientIp(req: IncomingMessage): string {
  return proxyaddr(req, trustProxyFn());
}

/**
 * Colyseus reads the client IP from X-Real-IP, X-Forwarded-For or X-Client-IP as sent, whoever
 * sent them. Before it looks, replace them with the one address our rule resolves.
 */
export function pinForwardedFor(req: IncomingMessage): void {
  const ip = clientIp(req);
  delete req.headers["x-real-ip"];
  delete req.headers["x-client-ip"];
  req.headers["x-forwarded-for"] = ip;
}
