import { everyInterval, registerJob } from "../jobs";
import { config } from "../config";
import { clock } from "../shared/clock";
import { logger } from "../logger";
import { trackJobRun } from "../metrics/metrics";
import { claimJobLock, releaseJobLock } from "../stories/job-lock";
import { isOrphanDue } from "./media.rules";
import * as repo from "./media.repository";
import { deleteMedia } from "./media.service";

/**
 * Every MEDIA_SWEEP_INTERVAL_MS: delete media nothing uses — uploaded but never put in a story or
 * highlight for MEDIA_ORPHAN_GRACE_HOURS, or a presigned upload never completed within its URL's
 * life. One process per run (a MongoDB lease, as the story sweep).
 */
const LOCK_NAME = "media-sweep";
const LOCK_TTL_MS = 5 * 60 * 1000;
const BATCH = 200;

export async function sweepOrphanMedia(now: Date = clock.now()): Promise<{ deleted: number }> {
  const cfg = config();
  const graceHours = cfg.MEDIA_ORPHAN_GRACE_HOURS;
  // a pending upload's URL works for S3_PRESIGN_TTL_SECONDS; after that (and the grace) it cannot complete
  const pendingHours = Math.max(graceHours, cfg.S3_PRESIGN_TTL_SECONDS / 3600);
  const cutoff = new Date(now.getTime() - Math.min(graceHours, pendingHours) * 3600_000);
  let deleted = 0;
  let after: { created_at: Date; _id: string } | null = null;
  for (;;) {
    const batch = await repo.findMediaCreatedBefore(cutoff, after, BATCH);
    if (batch.length === 0) break;
    const used = await repo.referencedMediaIds(batch.map((m) => m._id));
    for (const row of batch) {
      const due = row.status === "pending" ? isOrphanDue(row.created_at, now, pendingHours, false) : isOrphanDue(row.created_at, now, graceHours, used.has(row._id));
      if (!due) continue;
      try {
        await deleteMedia(row);
        deleted += 1;
      } catch (err) {
        logger.warn({ err, mediaId: row._id }, "orphan media deletion failed; retried next run");
      }
    }
    const last = batch[batch.length - 1]!;
    after = { created_at: last.created_at, _id: last._id };
    if (batch.length < BATCH) break;
  }
  return { deleted };
}

export function runMediaSweepOnce(): Promise<{ ran: boolean; deleted: number }> {
  return trackJobRun(LOCK_NAME, async () => {
    if (!(await claimJobLock(LOCK_NAME, LOCK_TTL_MS, clock.now()))) return { ran: false, deleted: 0 };
    try {
      const { deleted } = await sweepOrphanMedia();
      if (deleted > 0) logger.info({ deleted }, "orphan media swept");
      return { ran: true, deleted };
    } finally {
      await releaseJobLock(LOCK_NAME);
    }
  });
}

registerJob((cfg) => everyInterval(cfg.MEDIA_SWEEP_INTERVAL_MS, runMediaSweepOnce, (err: unknown) => logger.error({ err }, "media sweep failed")));
