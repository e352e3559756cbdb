import { randomBytes } from "node:crypto";
import { hashPassword } from "../../src/auth/password";
import { insertUser, type User } from "../../src/auth/user.repository";
import { issueAccessToken } from "../../src/auth/tokens";
import type { Role } from "../../src/auth/roles";

/** One scrypt hash shared by factory users: hashing per user would dominate test time. */
export const FACTORY_PASSWORD = "correct horse battery staple";
let sharedHash: Promise<string> | undefined;

export interface TestUser extends User {
  token: string;
}

let seq = 0;

/** A user in the database plus a valid access token for it. */
export async function createUser(opts: { username?: string; roles?: Role[]; email?: string } = {}): Promise<TestUser> {
  sharedHash ??= hashPassword(FACTORY_PASSWORD);
  const username = opts.username ?? `user_${++seq}_${randomBytes(3).toString("hex")}`;
  const user = await insertUser({ username, email: opts.email, password_hash: await sharedHash, roles: opts.roles ?? ["viewer"] });
  const token = await issueAccessToken({ userId: user.id, username: user.username, roles: user.roles });
  return { ...user, token };
}

export async function createUsers(n: number, opts: { roles?: Role[] } = {}): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: n }, () => createUser(opts)));
}
