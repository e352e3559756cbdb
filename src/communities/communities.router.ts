import { Router } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { pageQuerySchema } from "../shared/pagination";
import {
  communityPageResponse,
  communityParams,
  communityResponse,
  createCommunityBodySchema,
  createInviteBodySchema,
  emptyBody,
  inviteResponse,
  joinBodySchema,
  listCommunitiesQuerySchema,
  memberPageResponse,
  memberParams,
} from "./community.schemas";
import * as communities from "./community.service";

/** `/api/v1/communities`. The acting user comes only from the access token. */
export function communitiesRouter(): Router {
  const r = Router();
  r.use(requireAuth());

  r.get("/", validate({ query: listCommunitiesQuerySchema, response: communityPageResponse, summary: "Communities, newest first (mine=true: the caller's)" }), async (req, res) => {
    res.json(await communities.listCommunities(principalOf(req).userId, res.locals.valid.query));
  });
  r.post("/", validate({ body: createCommunityBodySchema, response: communityResponse, status: 201, summary: "Create a community (you are its owner)" }), async (req, res) => {
    res.status(201).json(await communities.createCommunity(principalOf(req), res.locals.valid.body));
  });
  r.get("/:id", validate({ params: communityParams, response: communityResponse, summary: "One community and the caller's standing in it" }), async (req, res) => {
    res.json(await communities.getCommunity(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.get("/:id/members", validate({ params: communityParams, query: pageQuerySchema, response: memberPageResponse, summary: "Active members, newest first (members only)" }), async (req, res) => {
    res.json(await communities.listMembers(principalOf(req), res.locals.valid.params.id, res.locals.valid.query));
  });
  r.post("/:id/join", validate({ params: communityParams, body: joinBodySchema, response: communityResponse, summary: "Join (invite-only communities need invite_code)" }), async (req, res) => {
    res.json(await communities.joinCommunity(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body));
  });
  r.post("/:id/leave", validate({ params: communityParams, body: emptyBody, status: 204, summary: "Leave a community" }), async (req, res) => {
    await communities.leaveCommunity(principalOf(req).userId, res.locals.valid.params.id);
    res.status(204).end();
  });
  r.post("/:id/invites", validate({ params: communityParams, body: createInviteBodySchema, response: inviteResponse, status: 201, summary: "Create an invite code (owner, admins)" }), async (req, res) => {
    res.status(201).json(await communities.createInvite(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/:id/members/:user_id", validate({ params: memberParams, status: 204, summary: "Remove a member (owner: admins and members; admins: members)" }), async (req, res) => {
    await communities.moderateMember(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, "remove");
    res.status(204).end();
  });
  r.put("/:id/bans/:user_id", validate({ params: memberParams, status: 204, summary: "Ban a user from the community" }), async (req, res) => {
    await communities.moderateMember(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, "ban");
    res.status(204).end();
  });
  r.delete("/:id/bans/:user_id", validate({ params: memberParams, status: 204, summary: "Lift a ban (the user may join again)" }), async (req, res) => {
    await communities.moderateMember(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, "unban");
    res.status(204).end();
  });
  r.put("/:id/admins/:user_id", validate({ params: memberParams, status: 204, summary: "Make a member an admin (owner only)" }), async (req, res) => {
    await communities.setAdmin(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, true);
    res.status(204).end();
  });
  r.delete("/:id/admins/:user_id", validate({ params: memberParams, status: 204, summary: "Make an admin a member again (owner only)" }), async (req, res) => {
    await communities.setAdmin(principalOf(req), res.locals.valid.params.id, res.locals.valid.params.user_id, false);
    res.status(204).end();
  });
  return r;
}
