import { createHash, randomBytes, randomUUID } from "node:crypto";
import { config } from "../config";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { issueAccessToken } from "./tokens";
import { decoyHash, hashPassword, verifyPassword } from "./password";
import * as tokensRepo from "./refresh-token.repository";
import { forgetProfile } from "./profile-cache";
import { findCredentialsByUsername, findUserById, findUserStanding, insertUser, updateUserProfile, type User } from "./user.repository";
import { isBanActive } from "./ban.rules";
import type { Principal, Role } from "./roles";
import { grantWelcome } from "../economy";
import { authErrors } from "./auth.errors";

export interface Session {
  user: User;
  access_token: string;
  refresh_token: string;
}

function principalOf(user: User): Principal {
  return { userId: user.id, username: user.username, roles: user.roles };
}

/** Sign-in and refresh refuse an active platform ban (403 account_banned); read fresh, not cached. */
async function refuseBanned(userId: string): Promise<void> {
  const standing = await findUserStanding(userId);
  if (isBanActive(standing?.ban, clock.now())) throw authErrors.accountBanned(standing!.ban!);
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

async function issueRefreshToken(userId: string, familyId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = clock.now();
  await tokensRepo.insertRefreshToken({
    token_hash: hashToken(token),
    family_id: familyId,
    user_id: userId,
    created_at: now,
    expires_at: new Date(now.getTime() + config().REFRESH_TOKEN_TTL_DAYS * 86_400_000),
  });
  return token;
}

async function startSession(user: User): Promise<Session> {
  const [access_token, refresh_token] = await Promise.all([
    issueAccessToken(principalOf(user)),
    issueRefreshToken(user.id, randomUUID()),
  ]);
  return { user, access_token, refresh_token };
}

function adminUsernames(): Set<string> {
  return new Set((config().ADMIN_USERNAMES ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
}

export async function register(input: {
  username: string;
  password: string;
  email?: string;
  roles?: Role[];
  display_name?: string;
}): Promise<Session> {
  const roles: Role[] = input.roles?.length ? [...new Set(input.roles)] : ["viewer"];
  // admin is never self-assigned; an operator names admin accounts in ADMIN_USERNAMES
  if (adminUsernames().has(input.username.toLowerCase())) roles.push("admin");
  try {
    const user = await insertUser({
      username: input.username,
      email: input.email?.toLowerCase(),
      password_hash: await hashPassword(input.password),
      roles,
      display_name: input.display_name,
    });
    // once per user: the grant ids are fixed per user id (GET /wallet repairs a crash in between)
    await grantWelcome(user.id);
    return await startSession(user);
  } catch (err) {
    if (isDuplicateKeyError(err)) {
      const onEmail = JSON.stringify((err as { keyPattern?: unknown }).keyPattern ?? {}).includes("email");
      throw onEmail
        ? authErrors.emailTaken()
        : authErrors.usernameTaken();
    }
    throw err;
  }
}

export async function login(username: string, password: string): Promise<Session> {
  const found = await findCredentialsByUsername(username);
  const ok = await verifyPassword(password, found?.password_hash ?? (await decoyHash()));
  if (!found || !ok) throw authErrors.invalidCredentials();
  // told only to whoever knows the password, so a ban does not reveal which accounts exist
  await refuseBanned(found.id);
  const { password_hash: _hash, ...user } = found;
  return startSession(user);
}

/**
 * Rotate a refresh token: the presented token is consumed atomically (a conditional update, so two
 * concurrent refreshes with the same token cannot both succeed). A token that was already used or
 * revoked is a leak: every token of its family is revoked.
 */
export async function refresh(token: string): Promise<{ access_token: string; refresh_token: string }> {
  const now = clock.now();
  const token_hash = hashToken(token);
  // a banned account's token is refused before it is consumed, so it still works after an unban
  const presented = await tokensRepo.findRefreshToken(token_hash);
  if (presented) await refuseBanned(presented.user_id);
  const consumed = await tokensRepo.consumeRefreshToken(token_hash, now);
  if (!consumed) {
    const known = await tokensRepo.findRefreshToken(token_hash);
    if (known && (known.used_at || known.revoked_at)) {
      await tokensRepo.revokeFamily(known.family_id, now);
      throw authErrors.refreshTokenReused();
    }
    throw authErrors.invalidRefreshToken();
  }
  const user = await findUserById(consumed.user_id);
  if (!user) throw authErrors.invalidRefreshToken();
  const [access_token, refresh_token] = await Promise.all([
    issueAccessToken(principalOf(user)),
    issueRefreshToken(user.id, consumed.family_id),
  ]);
  return { access_token, refresh_token };
}

/** Logout revokes the presented token's family, or every family of the user when none is given. */
export async function logout(userId: string, token?: string): Promise<void> {
  const now = clock.now();
  if (token) {
    const known = await tokensRepo.findRefreshToken(hashToken(token));
    if (known && known.user_id !== userId) throw authErrors.notYourToken();
    if (known) await tokensRepo.revokeFamily(known.family_id, now);
    return;
  }
  await tokensRepo.revokeAllOfUser(userId, now);
}

export async function getProfile(userId: string): Promise<User> {
  const user = await findUserById(userId);
  if (!user) throw authErrors.userNotFound();
  return user;
}

export async function updateProfile(userId: string, patch: Parameters<typeof updateUserProfile>[1]): Promise<User> {
  try {
    const user = await updateUserProfile(userId, { ...patch, email: patch.email?.toLowerCase() ?? patch.email });
    forgetProfile(userId);
    if (!user) throw authErrors.userNotFound();
    return user;
  } catch (err) {
    if (isDuplicateKeyError(err)) throw authErrors.emailTaken();
    throw err;
  }
}
