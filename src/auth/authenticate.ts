import { verifyAccessToken } from "./tokens";
import { assertUserExists } from "./user-existence";
import type { Principal } from "./roles";

/**
 * Who is calling, for REST (requireAuth) and rooms (onAuth) alike: a valid, unexpired access
 * token (with `exp`) whose user still exists.
 */
export async function authenticate(token: string | undefined | null): Promise<Principal> {
  const principal = await verifyAccessToken(token);
  await assertUserExists(principal.userId);
  return principal;
}
