/**
 * `npm run bench:api` — the hot REST requests and a room join on the embedded default (disk,
 * group-commit journal), each beside a bare Express route doing one indexed findOne on the same
 * store, in one run: requests/s, p50/p99 and store commands per request (the driver's command
 * monitoring). Data: 50 authors × 3 public stories (poll sticker), 200 readers each following 20
 * authors; 16 keep-alive connections from a worker thread (so the load does not share the server's
 * event loop). The embedded store runs as the app runs it: on its own thread (src/embedded-mongo/thread.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { AsyncLocalStorage } from "node:async_hooks";
import { withoutPerProcessFlags } from "../embedded-mongo/thread";
import http from "node:http";

const CONNECTIONS = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/** Load before the measured seconds, not counted: every reader's first request (cold caches, first compiles) is not the steady state. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 1);

interface Target {
  name: string;
  method: string;
  /** one path per request, cycled; each carries the reader's token */
  requests: { url: string; token?: string; body?: string }[];
}

interface Measured {
  name: string;
  /** the load thread's own CPU (µs), so the process's remaining CPU can be told apart */
  clientCpuUs: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

// ---------------------------------------------------------------------------------------------
// Load generator (worker thread)
// ---------------------------------------------------------------------------------------------

/** One request on a keep-alive socket; the body is drained, not kept, so the client's own garbage stays small. */
function send(agent: http.Agent, method: string, r: Target["requests"][number]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      r.url,
      {
        method,
        agent,
        headers: { ...(r.token ? { authorization: `Bearer ${r.token}` } : {}), ...(r.body ? { "content-type": "application/json", "content-length": Buffer.byteLength(r.body) } : {}) },
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(r.body);
  });
}

/**
 * A closed loop: each of CONNECTIONS keep-alive sockets sends its next request when the last one is
 * answered. (Node's `fetch` was the client before: its per-response garbage made the load thread
 * run a full GC every ~130 ms, 5–15 ms each, which showed up as server latency.)
 */
async function load(target: Target, seconds: number, warmup: number, onMeasuring: () => void): Promise<Measured> {
  const latencies: number[] = [];
  /** BENCH_TAIL: each request's start (ms into the measured seconds) beside its latency */
  const timeline: [number, number][] = [];
  let errors = 0;
  let next = 0;
  let cpu0 = process.threadCpuUsage();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const from = performance.now() + warmup * 1000;
  const until = from + seconds * 1000;
  setTimeout(() => {
    cpu0 = process.threadCpuUsage();
    onMeasuring();
  }, warmup * 1000);
  const conn = async () => {
    while (performance.now() < until) {
      const r = target.requests[next++ % target.requests.length]!;
      const started = performance.now();
      const status = await send(agent, target.method, r);
      if (started < from) continue;
      if (status >= 400 && status !== 409) errors += 1;
      latencies.push(performance.now() - started);
      if (process.env.BENCH_TAIL) timeline.push([started - from, performance.now() - started]);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, conn));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  if (process.env.BENCH_TAIL) {
    // the slowest 1% by start time: requests slowed together (a pause of the server) or one by one
    const slowest = timeline.sort((a, b) => b[1] - a[1]).slice(0, Math.ceil(timeline.length / 100));
    console.log(`${target.name}: slowest 1% as start:latency ms —`, slowest.sort((a, b) => a[0] - b[0]).map(([s, l]) => `${s.toFixed(0)}:${l.toFixed(0)}`).join(" "));
  }
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const cpu = process.threadCpuUsage(cpu0);
  return { name: target.name, clientCpuUs: cpu.user + cpu.system, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors };
}

if (!isMainThread) {
  const { target, seconds, warmup } = workerData as { target: Target; seconds: number; warmup: number };
  void load(target, seconds, warmup, () => parentPort!.postMessage("measuring")).then((m) => parentPort!.postMessage(m));
}

/** The load of `target` from a worker; `onMeasuring` runs when the warm-up ends and the measured seconds begin. */
function inWorker(target: Target, seconds: number, onMeasuring: () => void): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { target, seconds, warmup: WARMUP_SECONDS }, execArgv: withoutPerProcessFlags(process.execArgv) });
    w.on("message", (m: Measured | "measuring") => (m === "measuring" ? onMeasuring() : resolve(m)));
    w.once("error", reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Server, data, command counting (main thread)
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "limelight-bench-api-"));
  Object.assign(process.env, {
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    DATA_DIR: dataDir,
    EMBEDDED_DB: "disk",
    JWT_SECRET: "bench-secret-".padEnd(48, "x"),
    PORT: process.env.BENCH_PORT ?? "2599",
    // this measures what a request costs, not the API-wide limiter (npm run bench:ratelimit does):
    // 16 connections of a few users would spend the standard tier's 100/min within a second
    RATE_LIMIT_TIERS: JSON.stringify({ standard: { api: 10_000_000, realtime: 10_000_000 }, high: { api: 10_000_000, realtime: 10_000_000 } }),
  });
  const [{ default: express }, { default: mongoose }, { createServer }, { config }, users, tokens, { StoryModel }] = await Promise.all([
    import("express"),
    import("mongoose"),
    import("../app.config"),
    import("../config"),
    import("../auth/user.repository"),
    import("../auth/tokens"),
    import("../stories/story.model"),
  ]);
  const { ColyseusSDK } = await import("@colyseus/sdk");
  // the driver's command monitoring has to be asked for at connect time: add it to the app's connect
  const connect = mongoose.connect.bind(mongoose);
  (mongoose as { connect: typeof mongoose.connect }).connect = ((uri: string, opts?: Parameters<typeof mongoose.connect>[1]) =>
    connect(uri, { ...opts, monitorCommands: true })) as typeof mongoose.connect;
  // a probe request (header x-bench-probe) runs in its own async context, so the commands it causes
  // are told apart from what other requests' follow-ups send meanwhile (the driver emits
  // commandStarted in the caller's context; event subscribers run in the publisher's)
  const probeScope = new AsyncLocalStorage<boolean>();
  const emit = http.Server.prototype.emit as (this: http.Server, event: string, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    const req = args[0] as http.IncomingMessage | undefined;
    if (event === "request" && req?.headers["x-bench-probe"]) return probeScope.run(true, () => emit.call(this, event, ...args));
    return emit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
  const server = createServer();
  const port = config().PORT;
  await server.listen(port);
  const base = `http://127.0.0.1:${port}`;

  // counting every command the app sends
  const client = mongoose.connection.getClient();
  let commands = 0;
  let probeCommands = 0;
  /** the room join is measured alone (after every load), so all commands are its own */
  let tracingAll = false;
  const trace: string[] = [];
  client.on("commandStarted", (e: { commandName: string; command: Record<string, unknown> }) => {
    commands += 1;
    if (!probeScope.getStore() && !tracingAll) return;
    if (probeScope.getStore()) probeCommands += 1;
    if (process.env.BENCH_TRACE) trace.push(`${e.commandName} ${String(e.command[e.commandName])}`);
  });

  // the baseline: a bare Express route, one indexed findOne on the same store
  const baseline = express();
  baseline.get("/story/:id", async (req, res) => {
    res.json(await StoryModel.findOne({ _id: req.params.id }).lean());
  });
  const baselinePort = port + 1;
  const baselineServer = baseline.listen(baselinePort);

  // data
  const post = async (p: string, token: string, body: unknown) => {
    const res = await fetch(base + p, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${p} → ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : null) as any;
  };
  const makeUser = async (username: string) => {
    const u = await users.insertUser({ username, password_hash: "x", roles: ["creator"] });
    return { id: u.id, username, token: await tokens.issueAccessToken({ userId: u.id, username, roles: u.roles }) };
  };
  const authors = await Promise.all(Array.from({ length: 50 }, (_, i) => makeUser(`bench_author_${i}`)));
  const readers = await Promise.all(Array.from({ length: 200 }, (_, i) => makeUser(`bench_reader_${i}`)));
  const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };
  const stories: { id: string; author: string }[] = [];
  for (const a of authors) {
    for (let k = 0; k < 3; k++) {
      const s = await post("/api/v1/stories", a.token, {
        story_type: "text",
        text_content: `story ${k} by ${a.username}`,
        privacy: "public",
        stickers: [{ sticker_type: "poll", ...at, poll: { question: "Best?", options: [{ text: "A" }, { text: "B" }] } }],
      });
      stories.push({ id: s.id, author: a.id });
    }
  }
  for (const [i, r] of readers.entries()) {
    for (let k = 0; k < 20; k++) await post(`/api/v1/users/${authors[(i + k * 7) % authors.length]!.id}/follow`, r.token, {});
  }

  // requests: reader i acts on stories in a rotating order, so most views and votes are first ones
  const pairs = readers.flatMap((r, i) => stories.map((_, j) => ({ r, s: stories[(i * 37 + j) % stories.length]! })));
  const targets: Target[] = [
    { name: "baseline: express + 1 findOne", method: "GET", requests: stories.map((s) => ({ url: `http://127.0.0.1:${baselinePort}/story/${s.id}` })) },
    { name: "POST /stories/{id}/view", method: "POST", requests: pairs.map(({ r, s }) => ({ url: `${base}/api/v1/stories/${s.id}/view`, token: r.token, body: "{}" })) },
    {
      name: "POST /stories/{id}/interact",
      method: "POST",
      requests: pairs.map(({ r, s }) => ({ url: `${base}/api/v1/stories/${s.id}/interact`, token: r.token, body: JSON.stringify({ sticker_index: 0, option_index: 0 }) })),
    },
    {
      name: "POST /stories/{id}/reactions",
      method: "POST",
      requests: pairs.map(({ r, s }) => ({ url: `${base}/api/v1/stories/${s.id}/reactions`, token: r.token, body: JSON.stringify({ emoji: "🔥" }) })),
    },
    {
      name: "POST /stories/{id}/reply",
      method: "POST",
      requests: pairs.map(({ r, s }) => ({ url: `${base}/api/v1/stories/${s.id}/reply`, token: r.token, body: JSON.stringify({ text: "nice" }) })),
    },
    { name: "GET /stories/feed", method: "GET", requests: readers.map((r) => ({ url: `${base}/api/v1/stories/feed`, token: r.token })) },
    { name: "GET /stories/{id}", method: "GET", requests: pairs.map(({ r, s }) => ({ url: `${base}/api/v1/stories/${s.id}`, token: r.token })) },
  ];

  /**
   * Commands for one request of the kind, sent alone after a warm-up by the same reader on another
   * story of the same author (GETs: the same request), so per-reader caches are warm as in a session.
   */
  const reader = 5;
  const author = 10;
  const pairIndex = (storyIndex: number) => reader * stories.length + ((storyIndex - reader * 37) % stories.length + stories.length) % stories.length;
  const commandsFor = async (t: Target): Promise<{ commands: number; followUps: number }> => {
    const [warm, probe] =
      t.requests.length === pairs.length ? [t.requests[pairIndex(3 * author)]!, t.requests[pairIndex(3 * author + 1)]!] : [t.requests[reader]!, t.requests[reader]!];
    const send = (r: (typeof t.requests)[number], probing = false) =>
      fetch(r.url, {
        method: t.method,
        headers: { ...(r.token ? { authorization: `Bearer ${r.token}` } : {}), ...(r.body ? { "content-type": "application/json" } : {}), ...(probing ? { "x-bench-probe": "1" } : {}) },
        body: r.body,
      }).then((x) => x.arrayBuffer());
    // the previous load's backlog drained first, so the warm-up's caches (account check 2 s,
    // relationship facts and profiles 5 s) are still warm when the probe follows right after
    await quiet();
    await send(warm);
    await new Promise((r) => setTimeout(r, 50));
    const before = probeCommands;
    trace.length = 0;
    const t0 = performance.now();
    await send(probe, true);
    const answered = probeCommands - before;
    const answeredTrace = trace.join(", ");
    await quiet();
    if (process.env.BENCH_TRACE) console.log(t.name, (performance.now() - t0).toFixed(1), "ms", answeredTrace, "| after:", trace.slice(answered).join(", "));
    return { commands: answered, followUps: probeCommands - before - answered };
  };

  /**
   * Wait until no command has been sent for a while: the previous load's follow-ups (XP awards,
   * leaderboard events, notifications) must not be counted as the next request's.
   */
  const quiet = async (ms = 300) => {
    for (let last = -1; last !== commands; ) {
      last = commands;
      await new Promise((r) => setTimeout(r, ms));
    }
  };
  const rows: (Measured & { commands: number; followUps: number; cpuUs: number; storeUs: number })[] = [];
  const only = process.env.BENCH_ONLY; // e.g. "feed": that kind (and the baseline) only, for profiling
  for (const t of targets.filter((x, i) => i === 0 || !only || x.name.includes(only))) {
    const cmds = await commandsFor(t);
    // the server's own CPU over the measured seconds (this thread: Express, the app, the driver), not the load generator's
    let cpu0 = process.threadCpuUsage();
    let all0 = process.cpuUsage();
    const m = await inWorker(t, SECONDS, () => {
      cpu0 = process.threadCpuUsage();
      all0 = process.cpuUsage();
    });
    const cpu = process.threadCpuUsage(cpu0);
    const all = process.cpuUsage(all0);
    const n = m.rps * SECONDS;
    // the rest of the process: the store's thread, GC helpers and libuv's pool (fsync), not the load thread
    const rest = all.user + all.system - (cpu.user + cpu.system) - m.clientCpuUs;
    rows.push({ ...m, ...cmds, cpuUs: (cpu.user + cpu.system) / n, storeUs: Math.max(0, rest) / n });
  }

  // a room join: the commands the onAuth check and the join's reel decision send
  const sdk = new ColyseusSDK(base);
  sdk.auth.token = readers[0]!.token;
  const warmRoom = await sdk.joinOrCreate("story", { authorId: authors[0]!.id });
  const other = new ColyseusSDK(base);
  other.auth.token = readers[1]!.token;
  await quiet();
  const beforeJoin = commands;
  trace.length = 0;
  tracingAll = true;
  const joined = await other.joinOrCreate("story", { authorId: authors[0]!.id });
  await quiet();
  const joinCommands = commands - beforeJoin;
  if (process.env.BENCH_TRACE) console.log("room join", trace.join(", "));
  await Promise.all([joined.leave(), warmRoom.leave()]);

  const base0 = rows[0]!;
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`\nbench:api — ${CONNECTIONS} connections, ${SECONDS} s per request kind after ${WARMUP_SECONDS} s of warm-up, embedded store on disk (batch fsync)\n`);
  console.log(`${"request".padEnd(34)}${pad("req/s", 9)}${pad("× base", 8)}${pad("p50 ms", 8)}${pad("p99 ms", 8)}${pad("p99 ×", 7)}${pad("cpu µs", 8)}${pad("store µs", 10)}${pad("cmds", 6)}${pad("after", 7)}${pad("errors", 8)}`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(34)}${pad(r.rps.toFixed(0), 9)}${pad((r.rps / base0.rps).toFixed(2), 8)}${pad(r.p50.toFixed(1), 8)}${pad(r.p99.toFixed(1), 8)}${pad((r.p99 / base0.p99).toFixed(1), 7)}${pad(r.cpuUs.toFixed(0), 8)}${pad(r.storeUs.toFixed(0), 10)}${pad(r.commands, 6)}${pad(r.followUps, 7)}${pad(r.errors, 8)}`,
    );
  }
  console.log(`${"room join (story, 3 stories)".padEnd(34)}${pad("", 9)}${pad("", 8)}${pad("", 8)}${pad("", 8)}${pad("", 7)}${pad("", 8)}${pad("", 10)}${pad(joinCommands, 6)}`);
  console.log(
    "\ncpu µs: the server thread's CPU per request during the load (app, Express, the driver);" +
      "\nstore µs: the rest of the process's CPU per request, the load thread's excluded: the embedded store's thread, GC helpers, fsync;" +
      "\ncmds: store commands one warm request sends before its answer (driver command monitoring), beside the baseline's 1;" +
      "\nafter: the follow-ups its events trigger once answered (XP, leaderboards, notifications), off the request's path.",
  );

  baselineServer.close();
  await server.gracefullyShutdown(false);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
