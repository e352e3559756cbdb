import type { Config } from "./config";

/**
 * Background jobs (sweepers, reminders). Each job takes a lease per run in MongoDB's `job_locks`
 * collection (src/stories/job-lock.ts) so exactly one process does the work when several run,
 * whatever presence (local or Redis) is configured.
 */
type Job = { stop(): Promise<void> | void };
const running: Job[] = [];
const factories: Array<(cfg: Config) => Job> = [];

export function registerJob(factory: (cfg: Config) => Job): void {
  factories.push(factory);
}

/** A job that calls `run` every `intervalMs`, skipping a tick while the previous run is still going. */
export function everyInterval(intervalMs: number, run: () => Promise<unknown>, onError: (err: unknown) => void): Job {
  let inFlight: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = run()
      .catch(onError)
      .finally(() => (inFlight = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}

export function startBackgroundJobs(cfg: Config): void {
  if (running.length > 0) return;
  for (const f of factories) running.push(f(cfg));
}

export async function stopBackgroundJobs(): Promise<void> {
  const jobs = running.splice(0);
  await Promise.all(jobs.map((j) => j.stop()));
}
