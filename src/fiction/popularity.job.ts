import { everyInterval, registerJob } from "../jobs";
import { clock } from "../shared/clock";
import { logger } from "../logger";
import { claimJobLock, releaseJobLock } from "../stories/job-lock";
import { refreshAllPopularity } from "./library.service";

/**
 * Books' reads_7d move on every completion; this job lets days fall out of the window for books
 * nobody finished a chapter of lately. Hourly is plenty for a "this week" ranking; one process per
 * run does it (the MongoDB lease of job-lock.ts).
 */
const INTERVAL_MS = 60 * 60 * 1000;
const LOCK_NAME = "fiction-popularity";
const LOCK_TTL_MS = 10 * 60 * 1000;

export async function runPopularityRefreshOnce(): Promise<number | null> {
  if (!(await claimJobLock(LOCK_NAME, LOCK_TTL_MS, clock.now()))) return null;
  try {
    return await refreshAllPopularity();
  } finally {
    await releaseJobLock(LOCK_NAME);
  }
}

registerJob(() => everyInterval(INTERVAL_MS, runPopularityRefreshOnce, (err: unknown) => logger.error({ err }, "fiction popularity refresh failed")));
