import { z } from "zod";

export const ROLES = ["viewer", "creator", "brand_owner", "influencer", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);
/** Roles a user may pick at registration; admin is granted only by an operator (ADMIN_USERNAMES). */
export const SELF_ASSIGNABLE_ROLES = ["viewer", "creator", "brand_owner", "influencer"] as const;

/** Who is calling: derived from a verified access token, never from a client-set header. */
export interface Principal {
  userId: string;
  username: string;
  roles: Role[];
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((r) => principal.roles.includes(r));
}
