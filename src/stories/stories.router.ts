import { Router, type RequestHandler } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { pageQuerySchema } from "../shared/pagination";
import {
  MAX_STICKERS_PER_STORY,
  createStoryBodySchema,
  feedQuerySchema,
  interactBodySchema,
  reactionBodySchema,
  replyBodySchema,
  reshareBodySchema,
  viewBodySchema,
} from "./story.schemas";
import * as stories from "./story.service";
import {
  answerPageResponse,
  feedResponse,
  interactionResponse,
  reactionResponse,
  replyPageResponse,
  replyResponse,
  seenByPageResponse,
  storyListResponse,
  storyPageResponse,
  storyViewResponse,
  sweepResponse,
  viewRecordedResponse,
} from "./story.responses";

/** What the story routes may answer beyond 400/401/404 (the codes are in story.errors.ts). */
const authorOnly = { 403: "`not_story_author`: only the story's author sees this." } as const;
const engaging = { 403: "`own_story`: you cannot reply or react to your own story.", 410: "`story_expired`." } as const;
import { recordAudit } from "../admin/audit";
import { acceptStoryForm } from "../media/media-story-form";
import { storyFormSchema } from "../media/media.schemas";
import { storyErrors } from "./story.errors";

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
      throw storyErrors.storyIdMismatch();
    }
    req.body = rest;
  }
  next();
};

/** `/api/v1/stories`. The acting user comes only from the access token. */
export function storiesRouter(): Router {
  const r = Router();
  r.use(requireAuth());

  r.post("/", acceptStoryForm(createStoryBodySchema), validate({ body: createStoryBodySchema, multipart: storyFormSchema, example: { story_type: "text", text_content: "Morning run done", background_color: "#1E88E5", privacy: "followers" }, response: storyViewResponse, status: 201, summary: "Post a story (JSON, or multipart with the `media` file)", errors: { 403: "`not_community_member`: posting to a community you are not an active member of.", 409: "`story_limit_reached`: too many live stories." } }), async (req, res) => {
    res.status(201).json(await stories.createStory(principalOf(req), res.locals.valid.body));
  });
  r.get("/feed", validate({ query: feedQuerySchema, response: feedResponse, summary: "The story tray: one reel per author the caller may watch, unseen first" }), async (req, res) => {
    res.type("json").send(await stories.getFeedJson(principalOf(req).userId, res.locals.valid.query));
  });
  const cleanup: RequestHandler = async (req, res) => {
    const swept = await stories.sweepExpiredStories();
    await recordAudit({ actorId: principalOf(req).userId, action: "stories.cleanup", targetType: "stories", targetId: "expired", details: swept });
    res.json(swept);
  };
  r.post("/admin/cleanup", requireAuth("admin"), validate({ body: emptyBody, example: {}, response: sweepResponse, summary: "Expire and purge old stories now (the job does this on a schedule)" }), cleanup);
  // seed 001's path for the same sweep
  r.delete("/admin/cleanup", requireAuth("admin"), validate({ response: sweepResponse, summary: "Run the expiry sweep now (seed 001's path; same as POST)" }), cleanup);
  r.get("/archive", validate({ query: pageQuerySchema, response: storyPageResponse, summary: "The caller's own archive (expired stories), newest first" }), async (req, res) => {
    res.json(await stories.listArchive(principalOf(req).userId, res.locals.valid.query));
  });
  r.get("/user/:user_id", validate({ params: userParams, response: storyListResponse, summary: "A user's live stories the caller may watch, oldest first" }), async (req, res) => {
    res.json({ items: await stories.listUserStories(principalOf(req).userId, res.locals.valid.params.user_id) });
  });
  r.get("/:id", validate({ params: storyParams, response: storyViewResponse, summary: "One story, as the caller may see it" }), async (req, res) => {
    res.json(await stories.getStory(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.delete("/:id", validate({ params: storyParams, status: 204, summary: "Delete one of your stories", errors: authorOnly }), async (req, res) => {
    await stories.deleteStory(principalOf(req), res.locals.valid.params.id);
    res.status(204).end();
  });
  r.post("/:id/view", validate({ params: storyParams, body: viewBodySchema, example: {}, response: viewRecordedResponse, summary: "Mark a story seen (counted once per viewer)", errors: { 410: "`story_expired`." } }), async (req, res) => {
    res.json(await stories.recordView(principalOf(req).userId, res.locals.valid.params.id));
  });
  r.post("/:id/reshare", validate({ params: storyParams, body: reshareBodySchema, example: { privacy: "followers", caption: "Look who ran with me" }, response: storyViewResponse, status: 201, summary: "Re-share a story you are mentioned in, as a story of yours", errors: { 403: "`reshare_not_allowed`: only a mentioned user may re-share.", 409: "`already_reshared`.", 410: "`story_expired`." } }), async (req, res) => {
    res.status(201).json(await stories.reshareStory(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  r.post("/:id/reply", validate({ params: storyParams, body: replyBodySchema, example: { text: "Nice pace!" }, response: replyResponse, status: 201, summary: "Reply privately to a story's author", errors: engaging }), async (req, res) => {
    res.status(201).json(await stories.replyToStory(principalOf(req), res.locals.valid.params.id, res.locals.valid.body));
  });
  const react = validate({ params: storyParams, body: reactionBodySchema, example: { emoji: "🔥" }, response: reactionResponse, summary: "React to a story with an emoji", errors: engaging });
  const reactHandler: RequestHandler = async (req, res) => {
    const { params, body } = (res.locals as { valid: { params: { id: string }; body: stories.ReactionBody } }).valid;
    res.json(await stories.reactToStory(principalOf(req).userId, params.id, body));
  };
  r.post("/:id/reactions", react, reactHandler);
  // seed 001's path and body ({story_id?, emoji, message?}): the same reaction
  r.post(
    "/:id/reaction",
    acceptEchoedStoryId,
    validate({ params: storyParams, body: reactionBodySchema, example: { emoji: "🔥", message: "so good" }, response: reactionResponse, summary: "React to a story (seed 001's path and body; same as /reactions)", errors: engaging }),
    reactHandler,
  );
  r.post("/:id/interact", acceptEchoedStoryId, validate({ params: storyParams, body: interactBodySchema, example: { sticker_index: 0, option_index: 1 }, response: interactionResponse, summary: "Answer a sticker (poll vote, quiz answer, question, slider, countdown reminder)", errors: { 403: "`own_story_interaction`.", 409: "`sticker_already_answered`.", 410: "`story_expired` or `countdown_ended`." } }), async (req, res) => {
    res.json(await stories.interactWithSticker(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.body));
  });
  r.get("/:id/replies", validate({ params: storyParams, query: pageQuerySchema, response: replyPageResponse, summary: "Replies a story received (author only)", errors: authorOnly }), async (req, res) => {
    res.json(await stories.listReplies(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  r.get("/:id/viewers", validate({ params: storyParams, query: pageQuerySchema, response: seenByPageResponse, summary: "Who viewed a story, latest first (author only)", errors: authorOnly }), async (req, res) => {
    res.json(await stories.seenBy(principalOf(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  r.get("/:id/stickers/:index/answers", validate({ params: stickerParams, query: pageQuerySchema, response: answerPageResponse, summary: "Answers to a question sticker (author only)", errors: authorOnly }), async (req, res) => {
    const { id, index } = res.locals.valid.params;
    res.json(await stories.listQuestionAnswers(principalOf(req).userId, id, index, res.locals.valid.query));
  });
  return r;
}
