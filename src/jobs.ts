import type { Config } from "./config";

/**
 * Background jobs (sweepers, reminders). Each job takes a presence lock per run so exactly one
 * process does the work when several run.
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
