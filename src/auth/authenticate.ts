import { verifyAccessToken } from "./tokens";
import { assertUserExists } from "./user-existence";
import type { Principal } from "./roles";

/**
 * Who is calling, for REST (requireAuth) and rooms (onAuth) alike: a valid, unexpired access
 * token (with `exp`) whose user still exists and is not banned. The roles are the account's
 * current ones (an admin's role change applies to tokens already issued).
 */
export async function authenticate(token: string | undefined | null): Promise<Principal> {
  const principal = await verifyAccessToken(token);
  const standing = await assertUserExists(principal.userId);
  return { ...principal, roles: standing.roles };
}
