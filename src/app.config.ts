import { defineServer, type Server } from "@colyseus/core";
import { config, type Config } from "./config";
import { logger } from "./logger";
import { closeKeyLocks, createInfrastructure } from "./infra/presence";
import { closeRateLimitStore } from "./infra/rate-limit";
import { recountMediaUsage } from "./media/media.repository";
import { resetRelationshipFacts } from "./social/relationship-facts";
import { connectDatabase, disconnectDatabase } from "./infra/database";
import { mountHttp } from "./http/api";
import { mountWebClient } from "./web/serve";
import { mountOperatorTools } from "./http/operator-tools";
import { startBackgroundJobs, stopBackgroundJobs } from "./jobs";
import { rooms } from "./rooms";
import { mountMetrics } from "./metrics/metrics.router";
import { installRealtimeMetrics } from "./metrics/realtime.metrics";
import { repairStoryCounters } from "./stories/story.maintenance";
import { closeLiveSequencer } from "./live/sequencer";
import { rerunUndoneGiftEffects } from "./live/gift.service";
import { GuardedWebSocketTransport } from "./realtime/matchmake-guard";
import { listenForStandingChanges } from "./realtime/account-standing";
import { selectProcessForNewRoom } from "./realtime/room-placement";
import "./stories/story-sweeper.job"; // registers the expiry sweep + countdown reminders
import "./fiction/popularity.job"; // lets old reads leave the books' 7-day popularity
import "./economy/hold-sweeper.job"; // registers the expired-hold release
import "./live/subscription-renewal.job"; // renews (or lapses) creator subscriptions that are due
import "./media/media-sweeper.job"; // deletes media no story or highlight uses, after a grace period
import "./progression/progression.job"; // story views, answers, reactions, replies and posts give XP

/**
 * The whole server definition: rooms, the Express sidecar, presence/driver, database lifecycle and
 * shutdown. `src/index.ts` only listens; tests boot the same definition with @colyseus/testing.
 */
export function createServer(cfg: Config = config()): Server {
  const { presence, driver } = createInfrastructure(cfg);
  installRealtimeMetrics(Object.keys(rooms));
  // bans, unbans and role changes reach this process's auth cache and rooms from any process
  const stopStandingListener = listenForStandingChanges();
  const server = defineServer({
    rooms,
    presence,
    driver,
    // the matchmaking body cap sits in front of Colyseus' own route (see realtime/matchmake-guard)
    transport: new GuardedWebSocketTransport({ pingInterval: 10_000, pingMaxRetries: 3 }),
    publicAddress: cfg.PUBLIC_ADDRESS,
    // under scale-out: the fewest rooms, a tie to the asking process (see realtime/room-placement)
    selectProcessIdToCreateRoom: selectProcessForNewRoom,
    // the process-level signal handlers live in index.ts so the exit is bounded by SHUTDOWN_TIMEOUT_MS
    gracefullyShutdown: false,
    greet: false,
    logger,
    database: {
      boot: async () => {
        await connectDatabase(cfg);
        // before this process serves: counters left one short by a crash mid-write are recounted
        const repaired = await repairStoryCounters();
        if (repaired > 0) logger.warn({ repaired }, "story counters repaired at boot");
        const usage = await recountMediaUsage();
        if (usage > 0) logger.warn({ usage }, "media quota usage repaired at boot");
        // gifts whose XP, boards and events a dead process left undone (their money and goals committed)
        const gifts = await rerunUndoneGiftEffects().catch((err: unknown) => (logger.error({ err }, "gift effects re-run failed"), 0));
        if (gifts > 0) logger.warn({ gifts }, "gift effects re-run at boot");
        startBackgroundJobs(cfg);
      },
      shutdown: async () => {
        await stopBackgroundJobs();
        await disconnectDatabase();
      },
    },
    express: (app) => {
      mountMetrics(app, cfg);
      mountOperatorTools(app, cfg);
      mountHttp(app, rooms);
      mountWebClient(app); // the browser client at / (built by `npm run build:web`, before `npm start`)
    },
  });
  // rooms are disposed (and persist) first, then jobs and the database close
  server.onShutdown(async () => {
    stopStandingListener();
    await stopBackgroundJobs();
    await disconnectDatabase();
    await closeKeyLocks();
    await closeLiveSequencer();
    await closeRateLimitStore();
    resetRelationshipFacts();
  });
  return server;
}
