import { everyInterval, registerJob } from "../jobs";
import { clock } from "../shared/clock";
import { logger } from "../logger";
import { trackJobRun } from "../metrics/metrics";
import { claimJobLock, releaseJobLock } from "./job-lock";
import { sendCountdownReminders, sweepExpiredStories } from "./story.maintenance";

/**
 * Every STORY_SWEEP_INTERVAL_MS: mark expired stories, purge past retention, and send countdown
 * reminders. One process per run does the work (a MongoDB lease, see job-lock.ts).
 */
const LOCK_NAME = "story-sweep";
/** A run that takes longer than 5 minutes has crashed or hung; another process may then take over. */
const LOCK_TTL_MS = 5 * 60 * 1000;

export function runStorySweepOnce(): Promise<{ ran: boolean; expired: number; hardDeleted: number; reminders: number }> {
  return trackJobRun(LOCK_NAME, sweepOnce);
}

async function sweepOnce(): Promise<{ ran: boolean; expired: number; hardDeleted: number; reminders: number }> {
  if (!(await claimJobLock(LOCK_NAME, LOCK_TTL_MS, clock.now()))) return { ran: false, expired: 0, hardDeleted: 0, reminders: 0 };
  try {
    const { expired, hard_deleted: hardDeleted } = await sweepExpiredStories();
    const reminders = await sendCountdownReminders();
    if (expired + hardDeleted + reminders > 0) logger.info({ expired, hardDeleted, reminders }, "story sweep");
    return { ran: true, expired, hardDeleted, reminders };
  } finally {
    await releaseJobLock(LOCK_NAME);
  }
}

registerJob((cfg) =>
  everyInterval(cfg.STORY_SWEEP_INTERVAL_MS, runStorySweepOnce, (err: unknown) => logger.error({ err }, "story sweep failed")),
);
