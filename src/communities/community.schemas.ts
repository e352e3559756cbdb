import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { cursorParam, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../shared/pagination";
import { JOIN_POLICIES } from "./community.rules";

/** REST bodies, queries and params of `/api/v1/communities`; strict (unknown keys refused). */

const trimmed = (max: number) => z.string().trim().min(1).max(max);

/** A gym's or club's name fits a header line; a description a short paragraph. */
export const MAX_NAME_LENGTH = 80;
export const MAX_DESCRIPTION_LENGTH = 1000;
/** An invite lives at most a month, and serves at most 10,000 joins (a poster at the gym's door). */
export const MAX_INVITE_HOURS = 24 * 31;
export const MAX_INVITE_USES = 10_000;

export const communityParams = z.object({ id: objectIdString }).strict();
export const memberParams = z.object({ id: objectIdString, user_id: objectIdString }).strict();

export const createCommunityBodySchema = z
  .object({
    name: trimmed(MAX_NAME_LENGTH),
    description: trimmed(MAX_DESCRIPTION_LENGTH).optional(),
    join_policy: z.enum(JOIN_POLICIES).default("open"),
  })
  .strict();
export type CreateCommunityBody = z.infer<typeof createCommunityBodySchema>;

export const listCommunitiesQuerySchema = z
  .object({
    cursor: cursorParam,
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    /** `true`: only communities the caller is an active member of. */
    mine: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  })
  .strict();
export type ListCommunitiesQuery = z.infer<typeof listCommunitiesQuerySchema>;

export const joinBodySchema = z
  .object({ invite_code: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an invite code").optional() })
  .strict();
export type JoinBody = z.infer<typeof joinBodySchema>;

export const createInviteBodySchema = z
  .object({
    expires_in_hours: z.number().int().min(1).max(MAX_INVITE_HOURS).optional(),
    max_uses: z.number().int().min(1).max(MAX_INVITE_USES).optional(),
  })
  .strict();
export type CreateInviteBody = z.infer<typeof createInviteBodySchema>;

export const emptyBody = z.object({}).strict();
