import { Router } from "express";
import { z } from "zod";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { objectIdString } from "../shared/ids";
import { pageQuerySchema } from "../shared/pagination";
import * as notifications from "./notification.service";
import { markReadResponse, notificationPageResponse } from "./notification.responses";

/** One request marks at most a page-and-a-bit; "all" is the empty body. */
const MAX_MARK_READ_IDS = 200;
const markReadBody = z.object({ ids: z.array(objectIdString).min(1).max(MAX_MARK_READ_IDS).optional() }).strict();

/** `/api/v1/notifications`: the caller's own notifications. */
export function notificationsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", validate({ query: pageQuerySchema, response: notificationPageResponse, summary: "Your notifications, newest first, with the unread count" }), async (req, res) => {
    res.json(await notifications.listNotifications(principalOf(req).userId, res.locals.valid.query));
  });
  r.post("/read", validate({ body: markReadBody, example: { ids: ["665f1c2e8b3c4a0012345678"] }, response: markReadResponse, summary: "Mark notifications read (the listed ids, or all with an empty body)" }), async (req, res) => {
    res.json(await notifications.markRead(principalOf(req).userId, res.locals.valid.body.ids));
  });
  return r;
}
