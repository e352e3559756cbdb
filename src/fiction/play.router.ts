import { Router } from "express";
import { describeRoute, validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { bookBodySchema, choiceBodySchema, keepBodySchema, progressParamsSchema, startBodySchema } from "./play.schemas";
import * as play from "./playthrough.service";
import { choiceOutcomeResponse, inventoryResponse, playViewResponse } from "./fiction.responses";

const playErrors = { 404: "`book_not_found`.", 409: "`no_active_chapter`, `choice_not_available`, `chapter_locked` and the like: the playthrough is not where the request assumes." } as const;

/**
 * /api/v1/play — the REST fallback of the `playthrough` room (same service, same rules). The
 * player is the token's user. Answers are the play view (see README "Fiction").
 */
export function playRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.post("/start", validate({ body: startBodySchema, example: { book_id: "665f1c2e8b3c4a0012345678", chapter: 1 }, response: playViewResponse, summary: "Start (or resume, or replay) a chapter; a premium chapter spends a key", errors: { ...playErrors, 409: "`chapter_locked`, `chapter_not_found`, or `insufficient_funds` (no key)." } }), async (req, res) => {
    res.json(await play.startChapter(principalOf(req).userId, res.locals.valid.body.book_id, res.locals.valid.body.chapter));
  });
  r.post("/advance", validate({ body: bookBodySchema, example: { book_id: "665f1c2e8b3c4a0012345678" }, response: playViewResponse, summary: "Advance to the next line or scene", errors: playErrors }), async (req, res) => {
    res.json(await play.advance(principalOf(req).userId, res.locals.valid.body.book_id));
  });
  r.post("/choice", validate({ body: choiceBodySchema, example: { book_id: "665f1c2e8b3c4a0012345678", scene_id: "gate", choice_id: "persuade", step: 2 }, response: choiceOutcomeResponse, summary: "Make a choice (idempotent per step; a priced option spends diamonds)", errors: playErrors }), async (req, res) => {
    const { book_id, scene_id, choice_id, step } = res.locals.valid.body;
    res.json(await play.choose(principalOf(req).userId, book_id, { optionId: choice_id, sceneId: scene_id, step }));
  });
  r.post("/keep", validate({ body: keepBodySchema, example: { book_id: "665f1c2e8b3c4a0012345678", keep: true }, response: playViewResponse, summary: "After a replay: keep its outcome or go back to the original", errors: { ...playErrors, 409: "`no_replay` or `replay_not_finished`." } }), async (req, res) => {
    res.json(await play.finishChapterReplay(principalOf(req).userId, res.locals.valid.body.book_id, res.locals.valid.body.keep));
  });
  r.get("/progress/:book_id", validate({ params: progressParamsSchema, response: playViewResponse, summary: "Where you are in a book" }), async (req, res) => {
    res.json(await play.getPlaythrough(principalOf(req).userId, res.locals.valid.params.book_id));
  });
  return r;
}

/** /api/v1/inventory — the player's keys (with the next regeneration time) and diamonds. */
export function inventoryRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", describeRoute({ response: inventoryResponse, summary: "Your keys (with the next regeneration time) and diamonds" }), async (req, res) => {
    res.json(await play.inventory(principalOf(req).userId));
  });
  return r;
}
