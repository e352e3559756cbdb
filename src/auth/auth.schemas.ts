import { z } from "zod";
import { SELF_ASSIGNABLE_ROLES } from "./roles";

/** 3–30 chars of letters, digits, dot, underscore: safe in URLs and mentions. */
export const usernameSchema = z.string().regex(/^[A-Za-z0-9_.]{3,30}$/, "3-30 letters, digits, '.' or '_'");
/** 8 is the NIST floor; 128 bounds the KDF input. */
export const passwordSchema = z.string().min(8, "at least 8 characters").max(128);
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const registerBody = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    email: z.email().max(254).optional(),
    roles: z.array(z.enum(SELF_ASSIGNABLE_ROLES)).min(1).max(SELF_ASSIGNABLE_ROLES.length).optional(),
    display_name: z.string().trim().max(50).optional(),
  })
  .strict();

export const loginBody = z.object({ username: z.string().min(1).max(30), password: z.string().min(1).max(128) }).strict();
export const refreshBody = z.object({ refresh_token: z.string().min(20).max(200) }).strict();
export const logoutBody = z.object({ refresh_token: z.string().min(20).max(200).optional() }).strict();

export const profilePatchBody = z
  .object({
    display_name: z.string().trim().max(50).optional(),
    bio: z.string().max(300).optional(),
    avatar_url: httpUrl.nullable().optional(),
    email: z.email().max(254).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "at least one field to change");

/** Responses (documentation and the sampled response checks; handlers do not parse them). */
const isoDate = z.iso.datetime().meta({ example: "2026-01-01T12:00:00.000Z" });
const userExample = { id: "665f1c2e8b3c4a0012345678", username: "mira", email: null, roles: ["user", "creator"], display_name: "Mira", bio: "", avatar_url: null, created_at: "2026-01-01T12:00:00.000Z" };
export const userResponse = z
  .object({
    id: z.string(),
    username: z.string(),
    email: z.string().nullable(),
    roles: z.array(z.string()),
    display_name: z.string(),
    bio: z.string(),
    avatar_url: z.string().nullable(),
    created_at: isoDate,
  })
  .strict()
  .meta({ id: "User", example: userExample });
export const sessionResponse = z
  .object({ user: userResponse, access_token: z.string(), refresh_token: z.string() })
  .strict()
  .meta({ id: "Session", example: { user: userExample, access_token: "eyJhbGciOi…", refresh_token: "q4Vb…" } });
export const profileResponse = z.object({ user: userResponse }).strict().meta({ id: "Profile", example: { user: userExample } });
