import { Router } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { boardIdParams, boardQuerySchema, myRankQuerySchema } from "./leaderboard.schemas";
import * as leaderboards from "./leaderboard.service";

/**
 * /api/v1/leaderboards — read-only for clients (scores come from the services that own the events,
 * never from a client's say-so); every route needs a signed-in user.
 */
export function leaderboardsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/:board_id", validate({ params: boardIdParams, query: boardQuerySchema }), async (req, res) => {
    res.json(await leaderboards.getLeaderboard(res.locals.valid.params.board_id, res.locals.valid.query));
  });
  r.get("/:board_id/me", validate({ params: boardIdParams, query: myRankQuerySchema }), async (req, res) => {
    res.json(await leaderboards.getMyRank(res.locals.valid.params.board_id, principalOf(req).userId, res.locals.valid.query));
  });
  return r;
}
