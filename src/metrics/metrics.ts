import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * One Prometheus registry per process (each process under PM2 serves its own `/metrics`). Node
 * defaults plus the platform's own series; features add their domain-event counters with
 * `metrics.counter(name, help)` when their module loads.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const PREFIX = "limelight_";

/** Latency buckets (seconds) from 1 ms to 10 s: REST calls and store commands both land in them. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: `${PREFIX}http_request_duration_seconds`,
  help: "REST request duration by method, route template (never the raw URL) and status.",
  labelNames: ["method", "route", "status"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const dbCommandDuration = new Histogram({
  name: `${PREFIX}db_command_duration_seconds`,
  help: "Database command latency seen by the driver (real MongoDB or the embedded store), by command and outcome.",
  labelNames: ["command", "outcome"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const roomMessagesIn = new Counter({
  name: `${PREFIX}room_messages_in_total`,
  help: "Room messages received, by message type and outcome (ok, invalid, refused, error).",
  labelNames: ["type", "outcome"] as const,
  registers: [registry],
});

export const roomPatches = new Counter({
  name: `${PREFIX}room_patches_total`,
  help: "State patches broadcast (only those carrying changes), by room type.",
  labelNames: ["room"] as const,
  registers: [registry],
});

export const realtimeBytesSent = new Counter({
  name: `${PREFIX}realtime_bytes_sent_total`,
  help: "Bytes sent to WebSocket clients (patches, messages, handshakes).",
  registers: [registry],
});

export const jobRuns = new Counter({
  name: `${PREFIX}job_runs_total`,
  help: "Background job runs by job and outcome (ok, skipped: another process held the lease, failed).",
  labelNames: ["job", "outcome"] as const,
  registers: [registry],
});

/** Run one background job and count its outcome; `fn` resolves false when it did not run here. */
export async function trackJobRun<T extends { ran: boolean }>(job: string, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    jobRuns.inc({ job, outcome: result.ran ? "ok" : "skipped" });
    return result;
  } catch (err) {
    jobRuns.inc({ job, outcome: "failed" });
    throw err;
  }
}

const counters = new Map<string, Counter<string>>();

/**
 * A domain-event counter (`metrics.counter("stories_posted_total", "Stories posted.")`),
 * registered once under the `limelight_` prefix; asking again for the same name returns it.
 */
function counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  const full = PREFIX + name;
  const existing = counters.get(full);
  if (existing) return existing as Counter<L>;
  const created = new Counter<L>({ name: full, help, labelNames, registers: [registry] });
  counters.set(full, created as Counter<string>);
  return created;
}

/** Scrape-time gauge: `collect()` returns label values → number, read when Prometheus scrapes. */
function scrapedGauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: () => Promise<Array<[Record<L, string>, number]>>): Gauge<L> {
  return new Gauge<L>({
    name: PREFIX + name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [labels, value] of await collect()) this.set(labels, value);
    },
  });
}

export const metrics = { counter, scrapedGauge };
