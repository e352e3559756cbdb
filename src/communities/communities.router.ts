import { Router } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { pageQuerySchema } from "../shared/pagination";
import { communityParams, createCommunityBodySchema, createInviteBodySchema, emptyBody, joinBodySchema, listCommunitiesQuerySchema, memberParams } from "./community.schemas";
import { communityPageResponse, communityResponse, inviteResponse, memberPageResponse } from "./community.responses";
import * as communities from "./community.service";

/** What the community routes may answer beyond 400/401/404 `community_not_found` (codes in community.errors.ts). */
const membersOnly = { 403: "`not_community_member`." } as const;
const staffOnly = { 403: "`not_community_admin`: your role does not allow it.", 404: "`community_not_found` or `member_not_found`.", 409: "`membership_changed`: retry." } as const;
const moderating = { ...staffOnly, 400: "`cannot_moderate_self`." } as const;

/** `/api/v1/communities`. The acting user comes only from the access token. */
export function communitiesRouter(): Router {
  const r = Router();
  r.use(requireAuth());

  r.get("/", validate({ query: listCommunitiesQuerySchema, response: communityPageResponse, summary: "Communities, newest first (mine=true: the caller's)" }), async (req, res) => {
    res.json(await communities.listCommunities(principalOf(req).userId, res.locals.valid.query));
  });
  r.post("/", validate({ body: createCommunityBodySchema, example: { name: "Iron Temple", description: "Our gym's crew.", join_policy: "open" }, response: communityResponse, status: 201, summary: "Create a community (you are its owner)" }), async (req, res) => {
    res.status(201).json(await communities.createCommunity(principalOf(req), res.locals.valid.body));
  });
  r.get("/:id", validate({ params: communityParams, response: communityResponse, summary: "One community and the caller's standing in it" }), async (req, res) => {
    res.json(await communities.getCommunity(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.get("/:id/members", validate({ params: communityParams, query: pageQuerySchema, response: memberPageResponse, summary: "Active members, newest first (members only)", errors: membersOnly }), async (req, res) => {
    res.json(await communities.listMembers(principalOf(req), res.locals.valid.params.id, res.locals.valid.query));
  });
  r.post("/:id/join", validate({ params: communityParams, body: joinBodySchema, example: { invite_code: "k3Jd9_xQ" }, response: communityResponse, summary: "Join (invite-only communities need invite_code)", errors: { 403: "Banned, or an invite-only community without a valid `invite_code`.", 409: "`membership_changed`: retry." } }), async (req, res) => {
    res.json(await communities.joinCommunity(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body));
  });
  r.post("/:id/leave", validate({ params: communityParams, body: emptyBody, example: {}, status: 204, summary: "Leave a community", errors: { 403: "`not_community_member`; the owner cannot leave.", 409: "`membership_changed`: retry." } }), async (req, res) => {
    await communities.leaveCommunity(principalOf(req).userId, res.locals.valid.params.id);
    res.status(204).end();
  });
  r.post("/:id/invites", validate({ params: communityParams, body: createInviteBodySchema, example: { expires_in_hours: 168, max_uses: 50 }, response: inviteResponse, status: 201, summary: "Create an invite code (owner, admins)", errors: staffOnly }), async (req, res) => {
    res.status(201).json(await communities.createInvite(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/:id/members/:user_id", validate({ params: memberParams, status: 204, summary: "Remove a member (owner: admins and members; admins: members)", errors: moderating }), async (req, res) => {
    await communities.moderateMember(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, "remove");
    res.status(204).end();
  });
  r.put("/:id/bans/:user_id", validate({ params: memberParams, status: 204, summary: "Ban a user from the community", errors: moderating }), async (req, res) => {
    await communities.moderateMember(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, "ban");
    res.status(204).end();
  });
  r.delete("/:id/bans/:user_id", validate({ params: memberParams, status: 204, summary: "Lift a ban (the user may join again)", errors: staffOnly }), async (req, res) => {
    await communities.moderateMember(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, "unban");
    res.status(204).end();
  });
  r.put("/:id/admins/:user_id", validate({ params: memberParams, status: 204, summary: "Make a member an admin (owner only)", errors: moderating }), async (req, res) => {
    await communities.setAdmin(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, true);
    res.status(204).end();
  });
  r.delete("/:id/admins/:user_id", validate({ params: memberParams, status: 204, summary: "Make an admin a member again (owner only)", errors: moderating }), async (req, res) => {
    await communities.setAdmin(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, false);
    res.status(204).end();
  });
  return r;
}
