import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { pageQuerySchema } from "../shared/pagination";
import * as social from "./social.service";
import { followPageResponse, publicProfileResponse } from "./social.responses";

const userParams = z.object({ user_id: objectIdString }).strict();

export function usersRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/:user_id", validate({ params: userParams, response: publicProfileResponse, summary: "A user's public profile (404 if either blocked the other)" }), async (req, res) => {
    res.json(await social.publicProfile(principalOf(req).userId, res.locals.valid.params.user_id));
  });
  r.post("/:user_id/follow", validate({ params: userParams, status: 204, summary: "Follow a user (idempotent; 400 cannot_follow_self)" }), async (req, res) => {
    await social.follow(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(204).end();
  });
  r.delete("/:user_id/follow", validate({ params: userParams, status: 204, summary: "Unfollow a user (idempotent)" }), async (req, res) => {
    await social.unfollow(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(204).end();
  });
  r.post("/:user_id/block", validate({ params: userParams, status: 204, summary: "Block a user: both unfollow, neither sees the other (idempotent)" }), async (req, res) => {
    await social.block(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(204).end();
  });
  r.delete("/:user_id/block", validate({ params: userParams, status: 204, summary: "Unblock a user (idempotent)" }), async (req, res) => {
    await social.unblock(principalOf(req).userId, res.locals.valid.params.user_id);
    res.status(204).end();
  });
  for (const direction of ["followers", "following"] as const) {
    r.get(`/:user_id/${direction}`, validate({ params: userParams, query: pageQuerySchema, response: followPageResponse, summary: `A user's ${direction}, newest first` }), async (req, res) => {
      res.json(await social.listFollows(principalOf(req).userId, res.locals.valid.params.user_id, direction, res.locals.valid.query));
    });
  }
  return r;
}
