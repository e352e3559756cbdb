import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import {
  createHighlightBodySchema,
  highlightStoriesBodySchema,
  reorderHighlightsBodySchema,
  updateHighlightBodySchema,
} from "./highlight.schemas";
import * as highlights from "./highlight.service";
import { highlightListResponse, highlightResponse } from "./highlight.responses";

const ownerOnly = { 403: "`not_highlight_owner`: only the owner changes a highlight." } as const;

const idParams = z.object({ id: objectIdString }).strict();
const userParams = z.object({ user_id: objectIdString }).strict();
/** `?archived=true` is the owner's archive view. */
const listQuery = z.object({ archived: z.enum(["true", "false"]).default("false") }).strict();

/**
 * /api/v1/highlights — every route needs a signed-in user. Listing and reading are open to anyone
 * signed in (profile content) except a blocked pair; changes are the owner's (403 otherwise).
 * Lists answer `{ items: [...] }`.
 */
export function highlightsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.post("/", validate({ body: createHighlightBodySchema, example: { title: "Marathon", story_ids: ["665f1c2e8b3c4a0012345678"] }, response: highlightResponse, status: 201, summary: "Create a highlight from your stories", errors: { 404: "`story_not_found`: a story is not yours or was deleted.", 409: "`too_many_highlights` or `highlight_full`." } }), async (req, res) => {
    res.status(201).json(await highlights.createHighlight(principalOf(req).userId, res.locals.valid.body));
  });
  // before "/:id" routes so "reorder" is never read as an id
  r.post("/reorder", validate({ body: reorderHighlightsBodySchema, example: { highlight_ids: ["665f1c2e8b3c4a0012345678"] }, response: highlightListResponse, summary: "Reorder your highlights on your profile" }), async (req, res) => {
    res.json({ items: await highlights.reorderUserHighlights(principalOf(req).userId, res.locals.valid.body.highlight_ids) });
  });
  r.get("/user/:user_id", validate({ params: userParams, query: listQuery, response: highlightListResponse, summary: "A user's highlights (`archived=true`: your own archive)", errors: { 403: "`not_highlight_owner`: archived highlights are the owner's." } }), async (req, res) => {
    const items = await highlights.listUserHighlights(
      principalOf(req).userId,
      res.locals.valid.params.user_id,
      res.locals.valid.query.archived === "true",
    );
    res.json({ items });
  });
  r.get("/:id", validate({ params: idParams, response: highlightResponse, summary: "One highlight, with the stories the caller may watch" }), async (req, res) => {
    res.json(await highlights.getHighlight(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.patch("/:id", validate({ params: idParams, body: updateHighlightBodySchema, example: { title: "Marathon 2026", is_pinned: true }, response: highlightResponse, summary: "Edit a highlight (title, cover, pin, archive)", errors: ownerOnly }), async (req, res) => {
    res.json(await highlights.updateHighlight(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body));
  });
  r.delete("/:id", validate({ params: idParams, status: 204, summary: "Delete a highlight (its stories stay)", errors: ownerOnly }), async (req, res) => {
    await highlights.deleteHighlight(principalOf(req).userId, res.locals.valid.params.id);
    res.status(204).end();
  });
  r.post("/:id/stories", validate({ params: idParams, body: highlightStoriesBodySchema, example: { story_ids: ["665f1c2e8b3c4a0012345678"] }, response: highlightResponse, summary: "Add stories to a highlight", errors: { ...ownerOnly, 409: "`highlight_full`, or `highlight_busy` (retry)." } }), async (req, res) => {
    res.json(await highlights.addHighlightStories(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body.story_ids));
  });
  // removing the last story deletes the highlight: 204 then, the updated highlight otherwise
  r.delete("/:id/stories", validate({ params: idParams, body: highlightStoriesBodySchema, example: { story_ids: ["665f1c2e8b3c4a0012345678"] }, response: highlightResponse, status: [200, 204], summary: "Remove stories from a highlight (204: that was its last story, so it is gone)", errors: { ...ownerOnly, 409: "`highlight_busy` (retry)." } }), async (req, res) => {
    const updated = await highlights.removeHighlightStories(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body.story_ids);
    if (updated === null) res.status(204).end();
    else res.json(updated);
  });
  return r;
}
