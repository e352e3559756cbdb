import type { RequestHandler } from "express";
import type { z } from "zod";
import { principalOf } from "../http/auth";
import { parseOrThrow, reservedKeyError } from "../http/validate";
import { findReservedKey } from "../shared/hostile-keys";
import { mediaErrors } from "./media.errors";
import { isMultipart, type StagedFile } from "./media.multipart";
import { answerBeforeBodyEnds, originOf } from "./media.router";
import * as media from "./media.service";

/**
 * Seed 001's `POST /stories` form: the story's fields and its photo or video (`media`) in one
 * multipart request. The fields are the JSON body's, as text; those that are objects or lists in
 * JSON are JSON text here. The story's fields are checked before the file is processed or stored
 * (a refused story stores nothing); the file, once stored, becomes the body's `media_id`, and
 * the story service fills `media_url`/`thumbnail_url` from it. A JSON request passes through.
 */
const JSON_FIELDS = new Set(["stickers", "workout_data", "achievement_data", "music", "custom_viewer_ids", "hidden_from_ids", "background_gradient"]);
const INTEGER_FIELDS = new Set(["duration", "expires_in_hours"]);
/** Stands in for the media id while the fields are checked (the real one exists only once stored). */
const PENDING_MEDIA_ID = "pending-upload";

export function storyBodyFromForm(fields: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (JSON_FIELDS.has(name)) {
      try {
        body[name] = JSON.parse(value);
      } catch {
        throw mediaErrors.badForm(`The field "${name}" must be JSON text.`);
      }
    } else if (INTEGER_FIELDS.has(name) && /^-?\d{1,9}$/.test(value)) {
      body[name] = Number(value);
    } else {
      body[name] = value;
    }
  }
  const reserved = findReservedKey(body);
  if (reserved !== undefined) throw reservedKeyError("body", reserved);
  return body;
}

export function acceptStoryForm(schema: z.ZodType): RequestHandler {
  return async (req, res, next) => {
    if (!isMultipart(req)) return next();
    let staged: StagedFile | null = null;
    try {
      const userId = principalOf(req).userId;
      const form = await media.receiveMultipart(userId, req, "media", false);
      staged = form.file;
      const body = storyBodyFromForm(form.fields);
      if (staged) {
        // the file is the story's media: URLs the client typed do not compete with it
        delete body.media_url;
        delete body.thumbnail_url;
        parseOrThrow(schema, { ...body, media_id: PENDING_MEDIA_ID });
        const stored = await media.storeStagedUpload(userId, staged, originOf(req));
        staged = null;
        body.media_id = stored.media_id;
      }
      req.body = body;
      next();
    } catch (err) {
      await media.discardStaged(staged);
      if (req.complete) next(err);
      else answerBeforeBodyEnds(req, res, err);
    }
  };
}
