import { everyInterval, registerJob } from "../jobs";
import { clock } from "../shared/clock";
import { logger } from "../logger";
import { claimJobLock, releaseJobLock } from "../stories/job-lock";
import { sweepExpiredHolds } from "./holds.service";

/**
 * Every HOLD_SWEEP_INTERVAL_MS: release pending holds past their expiry. One process per run takes
 * the lease (job_locks); each release is itself idempotent, so an overlap would still be harmless.
 */
const LOCK_NAME = "hold-sweep";
/** A run that takes longer than a minute has crashed or hung; another process may then take over. */
const LOCK_TTL_MS = 60 * 1000;

export async function runHoldSweepOnce(): Promise<{ ran: boolean; expired: number }> {
  if (!(await claimJobLock(LOCK_NAME, LOCK_TTL_MS, clock.now()))) return { ran: false, expired: 0 };
  try {
    const expired = await sweepExpiredHolds();
    if (expired > 0) logger.info({ expired }, "hold sweep");
    return { ran: true, expired };
  } finally {
    await releaseJobLock(LOCK_NAME);
  }
}

registerJob((cfg) =>
  everyInterval(cfg.HOLD_SWEEP_INTERVAL_MS, runHoldSweepOnce, (err: unknown) => logger.error({ err }, "hold sweep failed")),
);
