import { ErrorCode, ServerError, type Client } from "@colyseus/core";
import type { z } from "zod";
import { authenticate } from "../auth/authenticate";
import { hasRole, type Principal, type Role } from "../auth/roles";
import { DomainError } from "../shared/errors";
import { parseWith } from "../shared/validation";
import { primeRateLimitTier } from "../rate-limits/rate-limit.service";
import { authErrors } from "../auth/auth.errors";
import { realtimeErrors } from "./realtime.errors";

/**
 * The rooms' onAuth: the same verifier as the REST middleware. The SDK sends `client.auth.token`.
 *
 * Refusals must be thrown as Colyseus' numeric AUTH_FAILED: the matchmaker uses a thrown error's
 * `code` as the HTTP status, so a domain error's string code would reach the SDK as a bogus seat
 * reservation ("seat reservation expired"). The domain code stays readable in the message.
 */
export async function refuseJoinOnDomainError<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof DomainError) throw new ServerError(ErrorCode.AUTH_FAILED, `${err.message} (${err.code})`);
    throw err;
  }
}

export function authenticateRoomClient(token: string | undefined, ...roles: Role[]): Promise<Principal> {
  return refuseJoinOnDomainError(async () => {
    const principal = await authenticate(token);
    if (roles.length > 0 && !hasRole(principal, ...roles)) {
      throw authErrors.roleRequired(roles, "room");
    }
    await primeRateLimitTier(principal);
    return principal;
  });
}

/** A room client authenticated by `authenticateRoomClient` (onAuth's result is `client.auth`). */
export type SignedInClient = Client<{ auth: Principal }>;

/** The signed-in user of a joined client. onAuth ran for every one; the check keeps that explicit. */
export function userIdOf(client: Pick<SignedInClient, "auth">): string {
  return principalOf(client).userId;
}

/** The signed-in principal of a joined client (user id, username, roles). */
export function principalOf(client: Pick<SignedInClient, "auth">): Principal {
  if (!client.auth) throw authErrors.roomNeedsSignedInUser();
  return client.auth;
}

/**
 * A room's join, declared once beside its schema: `parse` reads the options (onCreate), `admit` is
 * the whole onAuth — authenticate the token, parse the options, run the room's own `check` (which
 * may refuse with a domain error, or return what the room keeps as `client.auth`); every domain
 * refusal becomes AUTH_FAILED (see refuseJoinOnDomainError).
 */
export function roomJoin<S extends z.ZodType>(schema: S, hint: string) {
  const parse = (options: unknown): z.output<S> => parseJoinOptions(schema, options, hint);
  async function admit(token: string, options: unknown): Promise<Principal>;
  async function admit<A>(token: string, options: unknown, check: (principal: Principal, opts: z.output<S>) => Promise<A>): Promise<A>;
  async function admit(token: string, options: unknown, check?: (principal: Principal, opts: z.output<S>) => Promise<unknown>): Promise<unknown> {
    const principal = await authenticateRoomClient(token);
    return refuseJoinOnDomainError(async () => {
      const opts = parse(options);
      return check ? check(principal, opts) : principal;
    });
  }
  return { schema, parse, admit };
}

/**
 * A room's join options, parsed by its schema on the same validation helper as REST: a mismatch
 * is `invalid_join_options` with `details`. `hint` says what to send (`Join with { authorId }`).
 */
export function parseJoinOptions<S extends z.ZodType>(schema: S, options: unknown, hint: string): z.output<S> {
  return parseWith(schema, options ?? {}, (issues) => realtimeErrors.invalidJoinOptions(hint, issues));
}
