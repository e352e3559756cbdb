import { Router } from "express";
import { pingDatabase } from "../infra/database";
import { z } from "zod";
import { getPresence } from "../infra/presence";
import { describeRoute } from "./validate";
import { mediaStorage } from "../media/media.storage";
import { videoPosterMode } from "../media/media.processing";

const liveResponse = z.object({ status: z.literal("ok") }).strict().meta({ id: "Health", example: { status: "ok" } });
const readyResponse = z
  .object({ status: z.enum(["ready", "not_ready"]), checks: z.record(z.string(), z.enum(["ok", "down"])),
    media: z.object({ storage: z.enum(["disk", "s3"]), video_posters: z.enum(["ffmpeg", "placeholder", "detecting"]) }).strict(),
  })
  .strict()
  .meta({ id: "Readiness", example: { status: "ready", checks: { database: "ok", presence: "ok" }, media: { storage: "disk", video_posters: "ffmpeg" } } });

/** /health: the process is up. /health/ready: it can serve (database and presence answer). */
export function healthRouter(): Router {
  const router = Router();
  router.get("/", describeRoute({ response: liveResponse, summary: "Liveness: the process is up" }), (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/ready", describeRoute({ response: readyResponse, summary: "Readiness: the database and presence answer (503 `not_ready` otherwise, same body)" }), async (_req, res) => {
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
