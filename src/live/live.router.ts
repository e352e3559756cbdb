import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { validate } from "../http/validate";
import * as analytics from "./analytics.service";
import * as gifts from "./gift.service";
import * as media from "./media.service";
import * as recommend from "./recommend.service";
import * as replay from "./replay.service";
import * as streams from "./stream.service";
import * as subscriptions from "./subscription.service";
import { recommendedQuery, creatorParams, subscribeBody, adminGiftsQuery, createStreamBody, emptyBody, listStreamsQuery, replayQuery, segmentBody, streamParams } from "./live.schemas";

/** `/api/v1/streams`: the life cycle, listing, tickets, segments, media tokens, replay. */
export function streamsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  const me = (req: Parameters<typeof principalOf>[0]) => principalOf(req);

  r.post("/", validate({ body: createStreamBody }), async (req, res) => {
    res.status(201).json(streams.streamView(await streams.createStream(me(req), res.locals.valid.body), me(req).userId));
  });
  r.get("/", validate({ query: listStreamsQuery }), async (req, res) => {
    const page = await streams.listStreams(res.locals.valid.query);
    res.json({ items: page.items.map((s) => streams.streamView(s, me(req).userId)), next_cursor: page.next_cursor });
  });
  r.get("/recommended", validate({ query: recommendedQuery }), async (req, res) => {
    res.json(await recommend.recommendStreams(me(req).userId, res.locals.valid.query.limit));
  });
  r.get("/:id", validate({ params: streamParams }), async (req, res) => {
    res.json(streams.streamView(await streams.findStream(res.locals.valid.params.id), me(req).userId));
  });
  for (const [path, action] of [["go-live", "go_live"], ["end", "end"], ["archive", "archive"]] as const) {
    r.post(`/:id/${path}`, validate({ params: streamParams, body: emptyBody }), async (req, res) => {
      res.json(streams.streamView(await streams.transition(me(req), res.locals.valid.params.id, action), me(req).userId));
    });
  }
  r.post("/:id/tickets", validate({ params: streamParams, body: emptyBody }), async (req, res) => {
    const ticket = await streams.buyTicket(me(req).userId, res.locals.valid.params.id);
    res.status(ticket.replayed ? 200 : 201).json(ticket);
  });
  r.post("/:id/segments", validate({ params: streamParams, body: segmentBody }), async (req, res) => {
    res.status(201).json({ segments: (await streams.queueSegment(me(req).userId, res.locals.valid.params.id, res.locals.valid.body)).map(streams.segmentJson) });
  });
  r.post("/:id/segments/next", validate({ params: streamParams, body: emptyBody }), async (req, res) => {
    res.json({ segments: (await streams.playNextSegment(me(req).userId, res.locals.valid.params.id)).map(streams.segmentJson) });
  });
  r.post("/:id/media-token", validate({ params: streamParams, body: emptyBody }), async (req, res) => {
    res.status(201).json(await media.mediaToken(me(req), res.locals.valid.params.id));
  });
  r.get("/:id/analytics", validate({ params: streamParams }), async (req, res) => {
    res.json(await analytics.streamAnalytics(me(req).userId, res.locals.valid.params.id));
  });
  r.get("/:id/replay", validate({ params: streamParams, query: replayQuery }), async (req, res) => {
    res.json(await replay.replayPage(me(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  return r;
}

/** `/api/v1/gifts`: the catalog. */
export function giftsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", async (_req, res) => {
    res.json({ items: await gifts.listGifts() });
  });
  return r;
}

/** `/api/v1/admin/streams`: gift events for reconciliation against the ledger (role admin). */
export function liveAdminRouter(): Router {
  const r = Router();
  r.use(requireAuth("admin"));
  r.get("/:id/gifts", validate({ params: streamParams, query: adminGiftsQuery }), async (req, res) => {
    await streams.findStream(res.locals.valid.params.id);
    res.json(await gifts.listGiftEvents(res.locals.valid.params.id, res.locals.valid.query));
  });
  return r;
}

/** `/api/v1/creator-subscriptions`: monthly creator subscriptions paid in tokens. */
export function subscriptionsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", async (req, res) => {
    res.json({ items: await subscriptions.listSubscriptions(principalOf(req).userId) });
  });
  r.post("/", validate({ body: subscribeBody }), async (req, res) => {
    res.status(201).json(await subscriptions.subscribe(principalOf(req).userId, res.locals.valid.body.creator_id));
  });
  r.delete("/:creator_id", validate({ params: creatorParams }), async (req, res) => {
    res.json(await subscriptions.cancelSubscription(principalOf(req).userId, res.locals.valid.params.creator_id));
  });
  return r;
}
