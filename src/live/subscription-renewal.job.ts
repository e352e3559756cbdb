import { everyInterval, registerJob } from "../jobs";
import { logger } from "../logger";
import { clock } from "../shared/clock";
import { claimJobLock, releaseJobLock } from "../stories/job-lock";
import { renewDueSubscriptions } from "./subscription.service";

/** Every minute one process renews (or lapses) the creator subscriptions that are due. */
const LOCK_NAME = "creator-subscription-renewal";
const LOCK_TTL_MS = 60_000;
const EVERY_MS = 60_000;

export async function runSubscriptionRenewalOnce(): Promise<{ ran: boolean; renewed: number; lapsed: number }> {
  if (!(await claimJobLock(LOCK_NAME, LOCK_TTL_MS, clock.now()))) return { ran: false, renewed: 0, lapsed: 0 };
  try {
    return { ran: true, ...(await renewDueSubscriptions()) };
  } finally {
    await releaseJobLock(LOCK_NAME);
  }
}

registerJob(() => everyInterval(EVERY_MS, runSubscriptionRenewalOnce, (err: unknown) => logger.error({ err }, "subscription renewal failed")));
