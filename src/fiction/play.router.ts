import { Router } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { bookBodySchema, choiceBodySchema, keepBodySchema, progressParamsSchema, startBodySchema } from "./play.schemas";
import * as play from "./playthrough.service";

/**
 * /api/v1/play — the REST fallback of the `playthrough` room (same service, same rules). The
 * player is the token's user. Answers are the play view (see README "Fiction").
 */
export function playRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.post("/start", validate({ body: startBodySchema }), async (req, res) => {
    res.json(await play.startChapter(principalOf(req).userId, res.locals.valid.body.book_id, res.locals.valid.body.chapter));
  });
  r.post("/advance", validate({ body: bookBodySchema }), async (req, res) => {
    res.json(await play.advance(principalOf(req).userId, res.locals.valid.body.book_id));
  });
  r.post("/choice", validate({ body: choiceBodySchema }), async (req, res) => {
    const { book_id, scene_id, choice_id, step } = res.locals.valid.body;
    res.json(await play.choose(principalOf(req).userId, book_id, { optionId: choice_id, sceneId: scene_id, step }));
  });
  r.post("/keep", validate({ body: keepBodySchema }), async (req, res) => {
    res.json(await play.finishChapterReplay(principalOf(req).userId, res.locals.valid.body.book_id, res.locals.valid.body.keep));
  });
  r.get("/progress/:book_id", validate({ params: progressParamsSchema }), async (req, res) => {
    res.json(await play.getPlaythrough(principalOf(req).userId, res.locals.valid.params.book_id));
  });
  return r;
}

/** /api/v1/inventory — the player's keys (with the next regeneration time) and diamonds. */
export function inventoryRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", async (req, res) => {
    res.json(await play.inventory(principalOf(req).userId));
  });
  return r;
}
