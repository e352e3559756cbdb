import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { describeRoute, validate } from "../http/validate";
import * as analytics from "./analytics.service";
import * as gifts from "./gift.service";
import * as media from "./media.service";
import * as recommend from "./recommend.service";
import * as replay from "./replay.service";
import * as streams from "./stream.service";
import * as subscriptions from "./subscription.service";
import {
  creatorSubscriptionListResponse,
  creatorSubscriptionResponse,
  giftCatalogResponse,
  giftEventPageResponse,
  mediaTokenResponse,
  recommendedResponse,
  replayPageResponse,
  segmentsResponse,
  streamAnalyticsResponse,
  streamPageResponse,
  streamResponse,
  ticketResponse,
} from "./live.responses";
import { recommendedQuery, creatorParams, subscribeBody, adminGiftsQuery, createStreamBody, emptyBody, listStreamsQuery, replayQuery, segmentBody, streamParams } from "./live.schemas";

const creatorOnly = { 403: "`not_stream_creator`: only the stream's creator does this." } as const;

/** `/api/v1/streams`: the life cycle, listing, tickets, segments, media tokens, replay. */
export function streamsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  const me = (req: Parameters<typeof principalOf>[0]) => principalOf(req);

  r.post("/", validate({ body: createStreamBody, example: { title: "Sunday Q&A", category: "talk", access: "ticketed", ticket_price: 50 }, response: streamResponse, status: 201, summary: "Schedule a live stream (creators)", errors: { 403: "`creator_only`." } }), async (req, res) => {
    res.status(201).json(streams.streamView(await streams.createStream(me(req), res.locals.valid.body), me(req).userId));
  });
  r.get("/", validate({ query: listStreamsQuery, response: streamPageResponse, summary: "Streams by status (live now, scheduled, ended)" }), async (req, res) => {
    const page = await streams.listStreams(res.locals.valid.query);
    res.json({ items: page.items.map((s) => streams.streamView(s, me(req).userId)), next_cursor: page.next_cursor });
  });
  r.get("/recommended", validate({ query: recommendedQuery, response: recommendedResponse, summary: "Live and scheduled streams ranked for the caller (follows, watch time, gifts; popularity on a cold start)" }), async (req, res) => {
    res.json(await recommend.recommendStreams(me(req).userId, res.locals.valid.query.limit));
  });
  r.get("/:id", validate({ params: streamParams, response: streamResponse, summary: "One stream (settings and moderators for its staff)" }), async (req, res) => {
    res.json(streams.streamView(await streams.findStream(res.locals.valid.params.id), me(req).userId));
  });
  for (const [path, action] of [["go-live", "go_live"], ["end", "end"], ["archive", "archive"]] as const) {
    r.post(`/:id/${path}`, validate({ params: streamParams, body: emptyBody, example: {}, response: streamResponse, summary: `Stream life cycle: ${action.replace("_", " ")}`, errors: { ...creatorOnly, 409: "`invalid_stream_transition` (e.g. ending a scheduled stream), or `already_live`." } }), async (req, res) => {
      res.json(streams.streamView(await streams.transition(me(req), res.locals.valid.params.id, action), me(req).userId));
    });
  }
  r.post("/:id/tickets", validate({ params: streamParams, body: emptyBody, example: {}, response: ticketResponse, status: [201, 200], summary: "Buy a ticket to a ticketed stream with tokens (200 if you already have one)", errors: { 409: "`insufficient_funds`, or the stream is over." } }), async (req, res) => {
    const ticket = await streams.buyTicket(me(req).userId, res.locals.valid.params.id);
    res.status(ticket.replayed ? 200 : 201).json(ticket);
  });
  r.post("/:id/segments", validate({ params: streamParams, body: segmentBody, example: { media_url: "https://cdn.example/intro.mp4", duration_s: 30, title: "Intro" }, response: segmentsResponse, status: 201, summary: "Queue a pre-recorded segment", errors: { ...creatorOnly, 409: "`stream_over`." } }), async (req, res) => {
    res.status(201).json({ segments: (await streams.queueSegment(me(req).userId, res.locals.valid.params.id, res.locals.valid.body)).map(streams.segmentJson) });
  });
  r.post("/:id/segments/next", validate({ params: streamParams, body: emptyBody, example: {}, response: segmentsResponse, summary: "Play the next queued segment", errors: { ...creatorOnly, 409: "`stream_not_live`, `no_segment_queued` or `segment_already_started`." } }), async (req, res) => {
    res.json({ segments: (await streams.playNextSegment(me(req).userId, res.locals.valid.params.id)).map(streams.segmentJson) });
  });
  r.post("/:id/media-token", validate({ params: streamParams, body: emptyBody, example: {}, response: mediaTokenResponse, status: 201, summary: "A LiveKit token for the stream's media (publish: creator; subscribe: viewers allowed in)", errors: { 403: "Access refused: `followers_only`, `subscribers_only`, `ticket_required` or `banned`.", 400: "Invalid input, or `media_not_configured` on this server.", 409: "`stream_not_live`." } }), async (req, res) => {
    res.status(201).json(await media.mediaToken(me(req), res.locals.valid.params.id));
  });
  r.get("/:id/analytics", validate({ params: streamParams, response: streamAnalyticsResponse, summary: "A stream's analytics (creator only)", errors: creatorOnly }), async (req, res) => {
    res.json(await analytics.streamAnalytics(me(req).userId, res.locals.valid.params.id));
  });
  r.get("/:id/replay", validate({ params: streamParams, query: replayQuery, response: replayPageResponse, summary: "An ended stream's event replay, from an offset", errors: { 409: "`stream_not_ended`." } }), async (req, res) => {
    res.json(await replay.replayPage(me(req).userId, res.locals.valid.params.id, res.locals.valid.query));
  });
  return r;
}

/** `/api/v1/gifts`: the catalog. */
export function giftsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", describeRoute({ response: giftCatalogResponse, summary: "The gift catalog" }), async (_req, res) => {
    res.json({ items: await gifts.listGifts() });
  });
  return r;
}

/** `/api/v1/admin/streams`: gift events for reconciliation against the ledger (role admin). */
export function liveAdminRouter(): Router {
  const r = Router();
  r.use(requireAuth("admin"));
  r.get("/:id/gifts", validate({ params: streamParams, query: adminGiftsQuery, response: giftEventPageResponse, summary: "A stream's gift events with their ledger transfers (reconciliation)" }), async (req, res) => {
    await streams.findStream(res.locals.valid.params.id);
    res.json(await gifts.listGiftEvents(res.locals.valid.params.id, res.locals.valid.query));
  });
  return r;
}

/** `/api/v1/creator-subscriptions`: monthly creator subscriptions paid in tokens. */
export function subscriptionsRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", describeRoute({ response: creatorSubscriptionListResponse, summary: "Your creator subscriptions" }), async (req, res) => {
    res.json({ items: await subscriptions.listSubscriptions(principalOf(req).userId) });
  });
  r.post("/", validate({ body: subscribeBody, example: { creator_id: "665f1c2e8b3c4a0012345678" }, response: creatorSubscriptionResponse, status: 201, summary: "Subscribe to a creator for a month, paid in tokens", errors: { 404: "`user_not_found`.", 409: "`already_subscribed` or `insufficient_funds`." } }), async (req, res) => {
    res.status(201).json(await subscriptions.subscribe(principalOf(req).userId, res.locals.valid.body.creator_id));
  });
  r.delete("/:creator_id", validate({ params: creatorParams, response: creatorSubscriptionResponse, summary: "Stop renewing a creator subscription (it runs to the end of its period)" }), async (req, res) => {
    res.json(await subscriptions.cancelSubscription(principalOf(req).userId, res.locals.valid.params.creator_id));
  });
  return r;
}
