import { ErrorCode, ServerError } from "@colyseus/core";
import { authenticate } from "../auth/authenticate";
import { hasRole, type Principal, type Role } from "../auth/roles";
import { DomainError, ForbiddenError } from "../shared/errors";

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
      throw new ForbiddenError("forbidden_role", `This room needs one of the roles: ${roles.join(", ")}.`);
    }
    return principal;
  });
}
