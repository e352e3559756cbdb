import { z } from "zod";
import { isoDateTime, nullableIsoDateTime, pageOf, responseOf } from "../http/response-schema";
import type { Page } from "../shared/pagination";
import { COMMUNITY_ROLES, JOIN_POLICIES, MEMBERSHIP_STATUSES } from "./community.rules";
import type { CommunityView, InviteView, MemberView } from "./community.service";

/** Response schemas of /api/v1/communities, tied to the service's views (src/http/response-schema.ts). */
const ID = "665f1c2e8b3c4a0012345678";
const AT = "2026-01-01T12:00:00.000Z";

export const communityResponse = responseOf<CommunityView>()(
  z
    .object({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      owner_id: z.string(),
      join_policy: z.enum(JOIN_POLICIES),
      member_count: z.number().int().min(0),
      created_at: isoDateTime,
      my_membership: z
        .object({ role: z.enum(COMMUNITY_ROLES), status: z.enum(MEMBERSHIP_STATUSES) })
        .strict()
        .nullable()
        .meta({ description: "the caller's standing while they have a row (left, removed, banned too), else null" }),
    })
    .strict()
    .meta({
      id: "Community",
      example: { id: ID, name: "Iron Temple", description: "Our gym's crew.", owner_id: ID, join_policy: "open", member_count: 12, created_at: AT, my_membership: { role: "member", status: "active" } },
    }),
);

export const communityPageResponse = responseOf<Page<CommunityView>>()(pageOf(communityResponse).meta({ id: "CommunityPage", example: { items: [], next_cursor: null } }));

const memberResponse = z
  .object({
    user: z.object({ id: z.string(), username: z.string(), display_name: z.string(), avatar_url: z.string().nullable() }).strict(),
    role: z.enum(COMMUNITY_ROLES),
    joined_at: isoDateTime,
  })
  .strict();

export const memberPageResponse = responseOf<Page<MemberView>>()(
  pageOf(memberResponse).meta({
    id: "CommunityMemberPage",
    example: { items: [{ user: { id: ID, username: "mira", display_name: "Mira", avatar_url: null }, role: "owner", joined_at: AT }], next_cursor: null },
  }),
);

export const inviteResponse = responseOf<InviteView>()(
  z
    .object({
      code: z.string().meta({ description: "pass as `invite_code` to join" }),
      community_id: z.string(),
      expires_at: nullableIsoDateTime,
      max_uses: z.number().int().nullable(),
      uses: z.number().int().min(0),
      created_at: isoDateTime,
    })
    .strict()
    .meta({ id: "CommunityInvite", example: { code: "k3Jd9_xQ", community_id: ID, expires_at: "2026-01-08T12:00:00.000Z", max_uses: 50, uses: 0, created_at: AT } }),
);
