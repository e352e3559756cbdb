import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import * as progression from "./progression.service";
import { progressionProfileResponse } from "./progression.responses";

const userParams = z.object({ user_id: objectIdString }).strict();
/** These reads take no query: an unknown parameter is a client bug worth reporting. */
const noQuery = z.object({}).strict();

/**
 * /api/v1/progression — read-only: XP and badges change only through the services that own the
 * events (awardXp, recordBadgeEvent), never by a client request.
 */
export function progressionRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/me", validate({ query: noQuery, response: progressionProfileResponse, summary: "Your XP, level and badges" }), async (req, res) => {
    res.json(await progression.getProgressionProfile(principalOf(req).userId));
  });
  r.get("/users/:user_id", validate({ params: userParams, query: noQuery, response: progressionProfileResponse, summary: "Another user's XP, level and badges" }), async (req, res) => {
    res.json(await progression.getUserProgressionProfile(principalOf(req).userId, res.locals.valid.params.user_id));
  });
  return r;
}
