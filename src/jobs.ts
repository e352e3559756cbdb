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

export function startBackgroundJobs(cfg: Config): void {
  if (running.length > 0) return;
  for (const f of factories) running.push(f(cfg));
}

export async function stopBackgroundJobs(): Promise<void> {
  const jobs = running.splice(0);
  await Promise.all(jobs.map((j) => j.stop()));
}
