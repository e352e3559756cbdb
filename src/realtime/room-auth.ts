import { verifyAccessToken } from "../auth/tokens";
import { hasRole, type Principal, type Role } from "../auth/roles";
import { ForbiddenError } from "../shared/errors";

/**
 * The rooms' onAuth: the same verifier as the REST middleware. The SDK sends `client.auth.token`;
 * a thrown error refuses the join with its message.
 */
export async function authenticateRoomClient(token: string | undefined, ...roles: Role[]): Promise<Principal> {
  const principal = await verifyAccessToken(token);
  if (roles.length > 0 && !hasRole(principal, ...roles)) {
    throw new ForbiddenError("forbidden_role", `This room needs one of the roles: ${roles.join(", ")}.`);
  }
  return principal;
}
