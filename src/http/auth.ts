import type { Request, RequestHandler } from "express";
import { authenticate } from "../auth/authenticate";
import { hasRole, type Principal, type Role } from "../auth/roles";
import { authErrors } from "../auth/auth.errors";
import { attachDocs } from "./route-catalogue";

declare module "express-serve-static-core" {
  interface Request {
    principal?: Principal;
  }
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : undefined;
}

const authenticated = new WeakMap<Request, Promise<Principal>>();

/**
 * The caller of this request — token verified, account standing checked — once per request, however
 * many middlewares ask (the API rate limit asks before requireAuth does).
 */
export function authenticateRequest(req: Request): Promise<Principal> {
  let principal = authenticated.get(req);
  if (!principal) {
    principal = authenticate(bearerToken(req));
    authenticated.set(req, principal);
  }
  return principal;
}

/** Require a valid access token; with roles, also one of those roles. */
export function requireAuth(...roles: Role[]): RequestHandler {
  return attachDocs<RequestHandler>(async (req, _res, next) => {
    const principal = await authenticateRequest(req);
    if (roles.length > 0 && !hasRole(principal, ...roles)) {
      throw authErrors.roleRequired(roles, "action");
    }
    req.principal = principal;
    next();
  }, { auth: { roles } });
}

/** The principal set by requireAuth; a handler behind it can rely on it. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw authErrors.missingToken();
  return req.principal;
}
