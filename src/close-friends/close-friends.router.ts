import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { pageQuerySchema } from "../shared/pagination";
import * as closeFriends from "./close-friends.service";
import { closeFriendPageResponse, closeFriendResponse } from "./close-friends.responses";

const userParams = z.object({ user_id: objectIdString }).strict();

/** `/api/v1/close-friends`: the caller's own list; who is calling comes only from the token. */
export function closeFriendsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", validate({ query: pageQuerySchema, response: closeFriendPageResponse, summary: "Your close-friends list, newest first" }), async (req, res) => {
    res.json(await closeFriends.listCloseFriends(principalOf(req).userId, res.locals.valid.query));
  });
  r.post("/:user_id", validate({ params: userParams, response: closeFriendResponse, status: [201, 200], summary: "Add a user to your close friends (200 if already there; 400 `close_friends_limit`)" }), async (req, res) => {
    const { created, item } = await closeFriends.addCloseFriend(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(created ? 201 : 200).json(item);
  });
  r.delete("/:user_id", validate({ params: userParams, status: 204, summary: "Remove a user from your close friends (idempotent)" }), async (req, res) => {
    await closeFriends.removeCloseFriend(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(204).end();
  });
  return r;
}
