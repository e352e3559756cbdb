import { Router, type RequestHandler } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { ValidationError } from "../shared/errors";
import { pageQuerySchema } from "../shared/pagination";
import {
  MAX_STICKERS_PER_STORY,
  createStoryBodySchema,
  feedQuerySchema,
  interactBodySchema,
  reactionBodySchema,
  replyBodySchema,
  reshareBodySchema,
  storyViewResponse,
  viewBodySchema,
} from "./story.schemas";
import * as stories from "./story.service";
import { recordAudit } from "../admin/audit";
import { acceptStoryForm } from "../media/media-story-form";
import { storyFormSchema } from "../media/media.schemas";

const storyParams = z.object({ id: objectIdString }).strict();
const userParams = z.object({ user_id: objectIdString }).strict();
const stickerParams = z
  .object({ id: objectIdString, index: z.coerce.number().int().min(0).max(MAX_STICKERS_PER_STORY - 1) })
  .strict();
const emptyBody = z.object({}).strict();

/**
 * The original API's clients repeat the story id in the interact body (`{story_id, sticker_index,
 * option_index}`); accept it when it names the story in the path, refuse it otherwise.
 */
const acceptEchoedStoryId: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "story_id" in body) {
    const { story_id, ...rest } = body as Record<string, unknown>;
    if (story_id !== req.params.id) {
      throw new ValidationError("story_id_mismatch", "story_id in the body must be the story in the path.");
    }
    req.body = rest;
  }
  next();
};

/** `/api/v1/stories`. The acting user comes only from the access token. */
export function storiesRouter(): Router {
  const r = Router();
  r.use(requireAuth());

  r.post("/", acceptStoryForm(createStoryBodySchema), validate({ body: createStoryBodySchema, multipart: storyFormSchema, response: storyViewResponse, status: 201, summary: "Post a story (JSON, or multipart with the `media` file)" }), async (req, res) => {
    res.status(201).json(await stories.createStory(principalOf(req), res.locals.valid.body));
  });
  r.get("/feed", validate({ query: feedQuerySchema }), async (req, res) => {
    res.json(await stories.getFeed(principalOf(req).userId, res.locals.valid.query));
  });
  const cleanup: RequestHandler = async (req, res) => {
    const swept = await stories.sweepExpiredStories();
    await recordAudit({ actorId: principalOf(req).userId, action: "stories.cleanup", targetType: "stories", targetId: "expired", details: swept });
    res.json(swept);
  };
  r.post("/admin/cleanup", requireAuth("admin"), validate({ body: emptyBody }), cleanup);
  // seed 001's path for the same sweep
  r.delete("/admin/cleanup", requireAuth("admin"), validate({ summary: "Run the expiry sweep now (seed 001's path; same as POST)" }), cleanup);
  r.get("/archive", validate({ query: pageQuerySchema }), async (req, res) => {
    res.json(await stories.listArchive(principalOf(req).userId, res.locals.valid.query));
  });
  r.get("/user/:user_id", validate({ params: userParams }), async (req, res) => {
    res.json({ items: await stories.listUserStories(principalOf(req).userId, res.locals.valid.params.user_id) });
  });
  r.get("/:id", validate({ params: storyParams, response: storyViewResponse, summary: "One story, as the caller may see it" }), async (req, res) => {
    res.json(await stories.getStory(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.delete("/:id", validate({ params: storyParams, status: 204, summary: "Delete one of your stories" }), async (req, res) => {
    await stories.deleteStory(principalOf(req), res.locals.valid.params.id);
    res.status(204).end();
  });
  r.post("/:id/view", validate({ params: storyParams, body: viewBodySchema }), async (req, res) => {
    res.json(await stories.recordView(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.post("/:id/reshare", validate({ params: storyParams, body: reshareBodySchema }), async (req, res) => {
    res.status(201).json(await stories.reshareStory(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.post("/:id/reply", validate({ params: storyParams, body: replyBodySchema }), async (req, res) => {
    res.status(201).json(await stories.replyToStory(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  const react = validate({ params: storyParams, body: reactionBodySchema });
  const reactHandler: RequestHandler = async (req, res) => {
    const { params, body } = (res.locals as { valid: { params: { id: string }; body: stories.ReactionBody } }).valid;
    res.json(await stories.reactToStory(principalOf(req).userId, params.id, body));
  };
  r.post("/:id/reactions", react, reactHandler);
  // seed 001's path and body ({story_id?, emoji, message?}): the same reaction
  r.post("/:id/reaction", acceptEchoedStoryId, react, reactHandler);
  r.post("/:id/interact", acceptEchoedStoryId, validate({ params: storyParams, body: interactBodySchema }), async (req, res) => {
    res.json(await stories.interactWithSticker(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body));
  });
  r.get("/:id/replies", validate({ params: storyParams, query: pageQuerySchema }), async (req, res) => {
    res.json(await stories.listReplies(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  r.get("/:id/viewers", validate({ params: storyParams, query: pageQuerySchema }), async (req, res) => {
    res.json(await stories.seenBy(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  r.get("/:id/stickers/:index/answers", validate({ params: stickerParams, query: pageQuerySchema }), async (req, res) => {
    const { id, index } = res.locals.valid.params;
    res.json(await stories.listQuestionAnswers(principalOf(req).userId, id, index, res.locals.valid.query));
  });
  return r;
}
