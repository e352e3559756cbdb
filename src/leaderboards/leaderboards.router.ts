import { Router } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { boardIdParams, boardQuerySchema, myRankQuerySchema } from "./leaderboard.schemas";
import * as leaderboards from "./leaderboard.service";
import { boardPageResponse, myRankResponse } from "./leaderboard.responses";

/**
 * /api/v1/leaderboards — read-only for clients (scores come from the services that own the events,
 * never from a client's say-so); every route needs a signed-in user.
 */
export function leaderboardsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/:board_id", validate({ params: boardIdParams, query: boardQuerySchema, response: boardPageResponse, summary: "A leaderboard season, best first" }), async (req, res) => {
    res.json(await leaderboards.getLeaderboard(res.locals.valid.params.board_id, res.locals.valid.query));
  });
  r.get("/:board_id/me", validate({ params: boardIdParams, query: myRankQuerySchema, response: myRankResponse, summary: "Your rank and score on a leaderboard, with your neighbours" }), async (req, res) => {
    res.json(await leaderboards.getMyRank(res.locals.valid.params.board_id, principalOf(req).userId, res.locals.valid.query));
  });
  return r;
}
