import express, { Router } from "express";
import { requestContext } from "./request-context";
import { errorHandler, notFoundHandler } from "./errors";
import { healthRouter } from "./health.router";
import { authRouter } from "../auth/auth.router";
import { usersRouter } from "../social/users.router";
import { highlightsRouter } from "../highlights/highlights.router";
import { viewersRouter } from "../insights/viewers.router";
import { storiesRouter } from "../stories/stories.router";
import { storyAdminRouter } from "../stories/story-admin.router";
import { notificationsRouter } from "../notifications/notifications.router";
import { closeFriendsRouter } from "../close-friends/close-friends.router";
import { communitiesRouter } from "../communities/communities.router";
import { booksRouter, fictionAdminRouter } from "../fiction/library.router";
import { inventoryRouter, playRouter } from "../fiction/play.router";
import { economyAdminRouter, walletRouter } from "../economy/economy.router";
import { progressionRouter } from "../progression/progression.router";
import { leaderboardsRouter } from "../leaderboards/leaderboards.router";
import { trustProxyFn } from "./client-ip";
import { marketplaceApi } from "../marketplace/marketplace.router";
import { refuseReservedKeys } from "./validate";
import { paymentsRouter, purchasesRouter, rawBody, RAW_BODY_PATHS, storeRouter } from "../payments/payments.router";
import { giftsRouter, liveAdminRouter, streamsRouter, subscriptionsRouter } from "../live/live.router";
import type { RegisteredHandler } from "@colyseus/core";
import { describeRooms } from "../realtime/room-docs";
import { mountApiDocs } from "./docs.router";
import { observeHttp } from "../metrics/metrics.router";
import { adminRouter } from "../admin/admin.router";
import { reportsAdminRouter, storyReportsRouter } from "../moderation/moderation.router";
import { apiRateLimit } from "./rate-limit";
import "./route-template";
import { mediaRouter } from "../media/media.router";
import { mediaFilesRouter } from "../media/media-files.router";

/** Body size cap: every JSON body here is a small document; files arrive as multipart (src/media), streamed. */
const JSON_LIMIT = "256kb";

/** The Express sidecar: `/health`, `/api/v1/...`; errors become `{ error: { code, message } }` here only. */
export function mountHttp(app: express.Application, roomRegistry: Record<string, RegisteredHandler> = {}): void {
  app.disable("x-powered-by");
  // Express 5's default, pinned: node:querystring gives flat keys on a null-prototype object
  // (`?a[__proto__][x]=1` is one literal key), never nested objects built from client keys
  app.set("query parser", "simple");
  // TRUST_PROXY decides whose X-Forwarded-For counts (default: nobody's), read per request
  app.set("trust proxy", (addr: string, hop: number) => trustProxyFn()(addr, hop));
  app.use(observeHttp);
  app.use("/health", healthRouter());
  app.use("/media", mediaFilesRouter()); // disk storage's files (public, by unguessable id)

  const api = Router();
  api.use(requestContext);
  // before body parsing, so an over-budget caller costs no JSON parse. Not limited: the API
  // description, and signed provider notifications (a provider's burst must not be refused)
  api.use(apiRateLimit(["/openapi.json", ...RAW_BODY_PATHS]));
  api.use(RAW_BODY_PATHS, rawBody); // signed provider notifications: before express.json consumes the body
  api.use(express.json({ limit: JSON_LIMIT, strict: true }));
  api.use(refuseReservedKeys);
  api.use("/auth", authRouter());
  api.use("/users", usersRouter());
  api.use("/highlights", highlightsRouter());
  api.use("/viewers", viewersRouter());
  api.use("/stories", storyReportsRouter()); // /stories/:id/report, before the stories router
  api.use("/stories", storiesRouter());
  api.use("/admin/stories", storyAdminRouter());
  api.use("/media", mediaRouter());
  api.use("/notifications", notificationsRouter());
  api.use("/close-friends", closeFriendsRouter());
  api.use("/communities", communitiesRouter());
  api.use("/books", booksRouter());
  api.use("/admin/books", fictionAdminRouter());
  api.use("/play", playRouter());
  api.use("/inventory", inventoryRouter());
  api.use("/wallet", walletRouter());
  api.use("/admin/economy", economyAdminRouter());
  api.use("/store", storeRouter());
  api.use("/payments", paymentsRouter());
  api.use("/purchases", purchasesRouter());
  api.use("/progression", progressionRouter());
  api.use("/leaderboards", leaderboardsRouter());
  api.use(marketplaceApi());
  api.use("/streams", streamsRouter());
  api.use("/gifts", giftsRouter());
  api.use("/admin/streams", liveAdminRouter());
  api.use("/admin/reports", reportsAdminRouter());
  api.use("/admin", adminRouter());
  // creator subscriptions (live); /subscriptions is the marketplace plans' path (seed 002)
  api.use("/creator-subscriptions", subscriptionsRouter());
  mountApiDocs(app, api, () => describeRooms(roomRegistry));
  api.use(notFoundHandler);
  api.use(errorHandler);
  app.use("/api/v1", api);
}
