import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { pageQuerySchema } from "../shared/pagination";
import * as closeFriends from "./close-friends.service";

const userParams = z.object({ user_id: objectIdString }).strict();

/** `/api/v1/close-friends`: the caller's own list; who is calling comes only from the token. */
export function closeFriendsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", validate({ query: pageQuerySchema }), async (req, res) => {
    res.json(await closeFriends.listCloseFriends(principalOf(req).userId, res.locals.valid.query));
  });
  r.post("/:user_id", validate({ params: userParams }), async (req, res) => {
    const { created, item } = await closeFriends.addCloseFriend(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(created ? 201 : 200).json(item);
  });
  r.delete("/:user_id", validate({ params: userParams }), async (req, res) => {
    await closeFriends.removeCloseFriend(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(204).end();
  });
  return r;
}
