import { Router } from "express";
import { pingDatabase } from "../infra/database";
import { getPresence } from "../infra/presence";
import { mediaStorage } from "../media/media.storage";
import { videoPosterMode } from "../media/media.processing";

/** /health: the process is up. /health/ready: it can serve (database and presence answer). */
export function healthRouter(): Router {
  const router = Router();
  router.get("/", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/ready", async (_req, res) => {
    const checks: Record<string, "ok" | "down"> = {};
    checks.database = await pingDatabase().then((ok) => (ok ? "ok" : "down"), () => "down" as const);
    checks.presence = await probePresence().then((ok) => (ok ? "ok" : "down"), () => "down" as const);
    const ready = Object.values(checks).every((c) => c === "ok");
    // informational, not part of readiness: where media goes, and whether video posters are real frames
    const media = { storage: mediaStorage().name, video_posters: videoPosterMode() };
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not_ready", checks, media });
  });
  return router;
}

async function probePresence(): Promise<boolean> {
  const presence = getPresence();
  const key = `health:${process.pid}`;
  // bounded: a hung Redis must turn readiness red, not hang the probe
  const roundTrip = (async () => {
    await presence.setex(key, "1", 5);
    return (await presence.get(key)) === "1";
  })();
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref());
  return Promise.race([roundTrip, timeout]);
}
