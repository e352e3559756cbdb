/**
 * `npm run bench:live` — one live room with BENCH_VIEWERS SDK clients (spread over child
 * processes, ~250 each), beside a plain `ws` broadcast server delivering the same chat lines and
 * gifts as JSON to the same number of clients, in one run on this machine. Load, from one sender
 * process: chat lines at BENCH_RATE/s, gifts (through the economy: the gifter holds tokens) at
 * BENCH_GIFTS_PER_S, mood reactions at BENCH_REACTIONS_PER_S (room only: the plain server has no
 * mood). A delivered event is one chat line or gift reaching one viewer.
 * Reported for both: events delivered/s, p50/p99 send→receipt latency (chat lines), server CPU µs
 * per delivered event (process.cpuUsage of this process, which runs the servers and nothing else),
 * server memory per idle viewer (heap + external after GC, and RSS, grown while the second half of
 * the viewers joined); for the room also the patch bytes per tick against the same events as JSON,
 * and the state a late joiner receives. Env: BENCH_VIEWERS (200), BENCH_RATE (20),
 * BENCH_GIFTS_PER_S (2), BENCH_REACTIONS_PER_S (8), BENCH_SECONDS (8), BENCH_CLIENT_PROCS.
 */
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import { clientMain, type FromClient, type Kind, type Load, type ToClient } from "./live-clients";
import type { LiveSignal } from "../live/live-events";

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 200);
const PROCS = Number(process.env.BENCH_CLIENT_PROCS ?? Math.max(2, Math.ceil(VIEWERS / 250)));
const LOAD: Load = {
  chatPerS: Number(process.env.BENCH_RATE ?? 20),
  giftsPerS: Number(process.env.BENCH_GIFTS_PER_S ?? 2),
  reactionsPerS: Number(process.env.BENCH_REACTIONS_PER_S ?? 8),
  seconds: Number(process.env.BENCH_SECONDS ?? 8),
  giftCode: "rose",
  giftCost: 5,
};
/** a viewer may react 2/s (ReactionGate): enough reactors for the stated rate */
const REACTORS = Math.max(1, Math.ceil(LOAD.reactionsPerS / 2));

const once = <T extends FromClient["cmd"]>(child: ChildProcess, cmd: T) =>
  new Promise<Extract<FromClient, { cmd: T }>>((resolve) => {
    const on = (m: FromClient) => {
      if (m.cmd !== cmd) return;
      child.off("message", on);
      resolve(m as Extract<FromClient, { cmd: T }>);
    };
    child.on("message", on);
  });

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
// `node --cpu-prof … src/bench/live.ts` profiles the server process only, not the viewers
const forkClient = () => fork(__filename, ["client"], { execArgv: process.execArgv.filter((a) => !a.startsWith("--cpu-prof")), stdio: ["ignore", "inherit", "inherit", "ipc"] });
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
function heapNow(): { heap: number; rss: number } {
  global.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

interface Result {
  sent: Extract<FromClient, { cmd: "sent" }>;
  deliveredPerS: number;
  gifts: number;
  p50: number;
  p99: number;
  cpuUsPerEvent: number;
  heapKbPerViewer: number;
  rssKbPerViewer: number;
  /** the viewer processes: CPU used / wall time (1.0 = one core), worst event-loop delay p99 */
  clientCores: number;
  clientLoopDelayP99Ms: number;
  /** µs a viewer spends on one incoming frame, p50 / p99 */
  frameUs: [number, number];
  /** the server process: CPU used / wall time over the load */
  serverCores: number;
}

/** ms since the epoch, sub-millisecond (the sender's stamp is Date.now(), on the same machine) */
const preciseNow = () => performance.timeOrigin + performance.now();

interface LineTrace {
  sent: number;
  received: number;
  sequenced?: number;
  published?: number;
  encoded?: number;
  written?: number;
}

interface Senders { chatToken: string; giftToken: string; reactorTokens: string[] }

/** Connect the viewers (in two halves: the growth between them is per viewer), drive the load, collect. */
async function runOne(kind: Kind, url: string, tokens: string[], senders: Senders, streamId: string, around?: () => () => void): Promise<Result> {
  const children = Array.from({ length: PROCS }, forkClient);
  const connect = (part: 0 | 1) =>
    Promise.all(children.map((c, i) => {
      const mine = tokens.filter((_, k) => k % PROCS === i && (k < tokens.length / 2 ? 0 : 1) === part);
      c.send({ cmd: "connect", kind, url, tokens: mine, streamId } satisfies ToClient);
      return once(c, "connected");
    }));
  await connect(0);
  await settle(1000);
  const half = heapNow();
  await connect(1);
  await settle(1000);
  const full = heapNow();
  const idle = tokens.length - Math.ceil(tokens.length / 2);
  const sender = forkClient();
  const finish = around?.();
  for (const c of children) c.send({ cmd: "start", giftCost: LOAD.giftCost } as ToClient);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  sender.send({ cmd: "send", kind, url, streamId, ...senders, load: LOAD } satisfies ToClient);
  const sent = await once(sender, "sent");
  // the last events land: until no viewer received anything for a second (at most 30 s)
  const counted = async () => (await Promise.all(children.map((c) => (c.send({ cmd: "count" } satisfies ToClient), once(c, "count"))))).reduce((s, r) => s + r.received, 0);
  let lastChange = performance.now();
  for (let last = -1, n = await counted(), waited = 0; n !== last && waited < 30_000; waited += 1000) {
    await settle(1000);
    [last, n] = [n, await counted()];
    if (n !== last) lastChange = performance.now();
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const elapsed = (lastChange - t0) / 1000;
  finish?.();
  const reports = await Promise.all(children.map((c) => (c.send({ cmd: "stop" } satisfies ToClient), once(c, "report"))));
  for (const c of [...children, sender]) c.kill();
  const chat = reports.reduce((s, r) => s + r.chat, 0);
  const gifts = reports.reduce((s, r) => s + r.gifts, 0);
  const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    sent,
    deliveredPerS: (chat + gifts) / elapsed,
    gifts,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    cpuUsPerEvent: (cpu.user + cpu.system) / Math.max(1, chat + gifts),
    heapKbPerViewer: (full.heap - half.heap) / 1024 / idle,
    rssKbPerViewer: (full.rss - half.rss) / 1024 / idle,
    clientCores: reports.reduce((s, r) => s + r.cpuUs / 1000 / r.wallMs, 0),
    clientLoopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
    frameUs: ((xs) => [pct(xs, 50), pct(xs, 99)] as [number, number])(reports.flatMap((r) => r.frameUs).sort((a, b) => a - b)),
    serverCores: (cpu.user + cpu.system) / 1000 / wallMs,
  };
}

async function main(): Promise<void> {
  process.env.EMBEDDED_DB = "memory";
  process.env.LOG_LEVEL = "warn";
  process.env.LIVE_CHAT_BURST = "100";
  process.env.LIVE_CHAT_REFILL_PER_S = "100";
  process.env.LIVE_GIFTS_PER_MINUTE = "10000";
  process.env.LIVE_ROOM_MAX_CLIENTS = String(VIEWERS + REACTORS + 10);
  process.env.PORT ??= "2790";
  process.env.JWT_SECRET ??= require("node:crypto").randomBytes(32).toString("hex");
  const [{ createServer }, { config }, users, tokens, streams, gifts, economy, liveEvents, { WebSocketServer }] = await Promise.all([
    import("../app.config"),
    import("../config"),
    import("../auth/user.repository"),
    import("../auth/tokens"),
    import("../live/stream.service"),
    import("../live/gift.service"),
    import("../economy"),
    import("../live/live-events"),
    import("ws"),
  ]);
  const events = await import("../realtime/events");
  const server = createServer();
  const port = config().PORT;
  await server.listen(port);
  await gifts.seedGiftCatalog();
  const mk = async (username: string, roles: ("viewer" | "creator")[]) => {
    const u = await users.insertUser({ username, password_hash: "x", roles });
    return { id: u.id, token: await tokens.issueAccessToken({ userId: u.id, username, roles }) };
  };
  const creator = await mk("bench_creator", ["creator"]);
  const principal = { userId: creator.id, username: "bench_creator", roles: ["creator" as const] };
  const stream = await streams.createStream(principal, { title: "bench", category: "bench", access: "public" });
  await streams.transition(principal, stream.id, "go_live");
  const viewerTokens: string[] = [];
  for (let i = 0; i < VIEWERS; i++) viewerTokens.push((await mk(`bench_viewer_${i}`, ["viewer"])).token);
  const chatter = await mk("bench_sender", ["viewer"]);
  const gifter = await mk("bench_gifter", ["viewer"]);
  const giftBudget = Math.ceil(LOAD.giftsPerS * LOAD.seconds * 2) * LOAD.giftCost;
  const welcome = (await economy.getWallet(gifter.id)).balances.tokens;
  await economy.transfer({ id: `bench-grant:${gifter.id}`, debit: { system: "promo" }, credit: { userId: gifter.id }, currency: "tokens", amount: giftBudget, reason: "bench_grant" });
  const reactorTokens: string[] = [];
  for (let i = 0; i < REACTORS; i++) reactorTokens.push((await mk(`bench_reactor_${i}`, ["viewer"])).token);
  const senders = { chatToken: chatter.token, giftToken: gifter.token, reactorTokens };

  // require, not import(): the app loaded the CommonJS build, and import() would load a second, empty copy
  const { matchMaker } = require("@colyseus/core") as typeof import("@colyseus/core");
  const theRoom = async () => {
    const [listing] = await matchMaker.query({ name: "live" });
    return (listing ? matchMaker.getLocalRoomById(listing.roomId) : undefined) as any;
  };
  // bytes per tick: the patch the room encodes once per tick (sent as the same buffer to every
  // viewer) against the same ordered events as JSON, as a JSON broadcaster would send them
  const ticks = { patches: 0, patchBytes: 0, jsonBytes: 0, events: 0 };
  // where a chat line's time goes on the server, by its text (which starts with the sender's clock):
  // received by the room's chat handler → seq taken (the event's `at`) → published (after the log
  // write) → encoded in a patch → written to every viewer's socket
  const trace = new Map<string, LineTrace>();
  const waitingForPatch: LineTrace[] = [];
  const ticking = { sendMs: [] as number[], encodeMs: [] as number[] };
  let room: any;
  const measureTicks = () => {
    const encoder = room._serializer.encoder;
    const encode = encoder.encode;
    let inPatch: LineTrace[] = [];
    encoder.encode = function (...args: unknown[]) {
      const t = preciseNow();
      const out = encode.apply(this, args) as Uint8Array;
      ticks.patches += 1;
      ticks.patchBytes += out.length;
      ticking.encodeMs.push(preciseNow() - t);
      inPatch = waitingForPatch.splice(0);
      for (const line of inPatch) line.encoded = t;
      return out;
    };
    const broadcastPatch = room.broadcastPatch;
    room.broadcastPatch = function (...args: unknown[]) {
      const t = preciseNow();
      const changed = broadcastPatch.apply(this, args);
      if (changed) {
        const done = preciseNow();
        ticking.sendMs.push(done - t);
        for (const line of inPatch) line.written = done;
        inPatch = [];
      }
      return changed;
    };
    const handlers = room.onMessageEvents.events;
    const chatHandlers = handlers.chat;
    handlers.chat = chatHandlers.map((h: (...a: any[]) => unknown) => (client: unknown, message: { text?: string }, ctx: unknown) => {
      if (typeof message?.text === "string") trace.set(message.text, { sent: Number(message.text.split(" ")[0]), received: preciseNow() });
      return h(client, message, ctx);
    });
    // an observer runs as the event is published, before the room's subscription applies it
    const stop = events.observePublished<LiveSignal>(liveEvents.liveTopic(stream.id), (_topic, s) => {
      if (s.kind !== "event") return;
      ticks.events += 1;
      ticks.jsonBytes += Buffer.byteLength(JSON.stringify(s.event));
      const line = s.event.type === "chat" ? trace.get(s.event.data.text) : undefined;
      if (!line) return;
      line.sequenced = Date.parse(s.event.at);
      line.published = preciseNow();
      waitingForPatch.push(line);
    });
    return () => ((encoder.encode = encode), (room.broadcastPatch = broadcastPatch), (handlers.chat = chatHandlers), stop());
  };
  const wss = new WebSocketServer({ port: port + 1 });
  // a plain broadcaster: each message once into a Buffer, the same Buffer to every client
  wss.on("connection", (ws) => ws.on("message", (data: Buffer) => { for (const c of wss.clients) c.send(data, { binary: false }); }));
  const plain = await runOne("ws", `ws://127.0.0.1:${port + 1}`, viewerTokens, senders, "");
  wss.close();
  // the first viewer creates the room; instrument it once everyone is in
  const live = await runOne("live", `http://127.0.0.1:${port}`, viewerTokens, senders, stream.id, () => {
    const start = measureTicks;
    let stop = () => undefined as unknown;
    void theRoom().then((r) => ((room = r), (stop = start())));
    return () => stop();
  });
  room ??= await theRoom();
  const stateBytes = room ? room._serializer.getFullState().length : NaN;
  // gifts still in the economy when the deliveries stopped: how long until every one is debited
  const debited = async () => (giftBudget + welcome - (await economy.getWallet(gifter.id)).balances.tokens) / LOAD.giftCost;
  const atEnd = await debited();
  const settled = performance.now();
  let giftsDebited = atEnd;
  while (giftsDebited < live.sent.gifts && performance.now() - settled < 60_000) (await settle(500), (giftsDebited = await debited()));
  const giftStats = { atEnd, debited: giftsDebited, settleS: (performance.now() - settled) / 1000 };

  printTable(live, plain, { stateBytes, ticks, gifts: giftStats });
  printBreakdown([...trace.values()], ticking, live);
  // the viewers' leaves (watch-time XP) finish before the store closes
  for (let waited = 0; (await theRoom()) && waited < 30_000; waited += 500) await settle(500);
  await settle(1000);
  await server.gracefullyShutdown(false).catch(() => undefined);
  process.exit(0);
}

function printTable(live: Result, plain: Result, x: { stateBytes: number; ticks: { patches: number; patchBytes: number; jsonBytes: number; events: number }; gifts: { atEnd: number; debited: number; settleS: number } }): void {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "—");
  const yes = (ok: boolean) => (ok ? "met" : "NOT met");
  const at2000 = VIEWERS >= 2000;
  const t = x.ticks;
  const perTick = (n: number) => f(n / Math.max(1, t.patches), 0);
  const rows: string[][] = [
    ["events sent (chat / gifts / reactions)", `${live.sent.chat} / ${live.sent.gifts} / ${live.sent.reactions}`, `${plain.sent.chat} / ${plain.sent.gifts} / —`, "", ""],
    ["events delivered/s (chat + gifts × viewers)", f(live.deliveredPerS, 0), f(plain.deliveredPerS, 0), "", ""],
    ["p50 send→receipt ms (chat)", String(live.p50), String(plain.p50), "", ""],
    ["p99 send→receipt ms (chat)", String(live.p99), String(plain.p99), "≤ 50 at 2,000 viewers, 20 events/s", at2000 ? yes(live.p99 <= 50) : "n/a (run with BENCH_VIEWERS=2000)"],
    ["server process: cores busy", f(live.serverCores, 2), f(plain.serverCores, 2), "", ""],
    ["viewer processes: cores busy, event-loop delay p99", `${f(live.clientCores, 2)} cores, ${f(live.clientLoopDelayP99Ms, 0)} ms`, `${f(plain.clientCores, 2)} cores, ${f(plain.clientLoopDelayP99Ms, 0)} ms`, `of ${os.cpus().length} cores`, ""],
    ["viewer: µs to handle one frame, p50 / p99 (SDK decode + state callback; JSON.parse)", `${f(live.frameUs[0], 0)} / ${f(live.frameUs[1], 0)}`, `${f(plain.frameUs[0], 0)} / ${f(plain.frameUs[1], 0)}`, "", ""],
    ["server CPU µs / delivered event", f(live.cpuUsPerEvent, 2), f(plain.cpuUsPerEvent, 2), "≤ plain ws", `${yes(live.cpuUsPerEvent <= plain.cpuUsPerEvent)} (ratio ${f(live.cpuUsPerEvent / plain.cpuUsPerEvent, 2)})`],
    ["server memory KB / idle viewer (heap+external)", f(live.heapKbPerViewer), f(plain.heapKbPerViewer), "≤ 12", yes(live.heapKbPerViewer <= 12)],
    ["server RSS KB / idle viewer", f(live.rssKbPerViewer), f(plain.rssKbPerViewer), "", ""],
    ["bytes per tick: patch vs same events as JSON", `${perTick(t.patchBytes)} B (${t.patches} patches, ${t.events} events)`, `${perTick(t.jsonBytes)} B as JSON`, "", `ratio ${f(t.patchBytes / Math.max(1, t.jsonBytes), 2)}`],
    ["late joiner's full state", `${x.stateBytes} B`, "—", "≤ 16 KB with 2,000 viewers", at2000 ? yes(x.stateBytes <= 16 * 1024) : `${yes(x.stateBytes <= 16 * 1024)} at ${VIEWERS}`],
  ];
  console.log(`\nbench:live — ${VIEWERS} viewers over ${PROCS} client processes; load for ${LOAD.seconds} s: ${LOAD.chatPerS} chat lines/s, ${LOAD.giftsPerS} gifts/s (${LOAD.giftCode}, ${LOAD.giftCost} tokens, through the economy), ${LOAD.reactionsPerS} reactions/s (room only) from ${REACTORS} reactors`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (absolute figures are noisy under load; compare the ratios)\n`);
  console.log("| measure | live room (Colyseus) | plain ws broadcast | target | |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  const g = x.gifts;
  console.log(`\ngifts: ${live.sent.gifts} sent; ${g.atEnd} debited when the deliveries stopped, ${g.debited} after ${g.settleS.toFixed(1)} s more; ${live.gifts} gift deliveries seen by viewers (${(live.gifts / VIEWERS).toFixed(1)} per viewer); sender refusals: ${JSON.stringify(live.sent.refused)}`);
}

/** A chat line's server-side path, stage by stage (p50 / p99 over the lines of the run), against what the viewers saw. */
function printBreakdown(lines: LineTrace[], ticking: { sendMs: number[]; encodeMs: number[] }, live: Result): void {
  const done = lines.filter((l) => l.written !== undefined);
  const f = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${pct(s, 50).toFixed(1)} / ${pct(s, 99).toFixed(1)}`;
  };
  const stage = (name: string, pick: (l: Required<LineTrace>) => number) => console.log(`| ${name} | ${f((done as Required<LineTrace>[]).map(pick))} |`);
  console.log(`\nwhere a chat line's time goes (live room; ${done.length} of ${lines.length} lines traced to a written patch), ms p50 / p99:\n`);
  console.log("| stage | ms p50 / p99 |");
  console.log("|---|---|");
  stage("sender → room's chat handler (socket, frame, decode)", (l) => l.received - l.sent);
  stage("handler → seq taken (budget, standing, ban/timeout, rules, seq)", (l) => l.sequenced - l.received);
  stage("seq → published (a chat line no longer waits for its log write)", (l) => l.published - l.sequenced);
  stage("published → encoded in a patch (tick wait; or at once)", (l) => l.encoded - l.published);
  stage("encoded → written to every viewer's socket", (l) => l.written - l.encoded);
  stage("**sender → written to every socket (server total)**", (l) => l.written - l.sent);
  console.log(`| viewers: sender → state change seen (the table's latency) | ${live.p50} / ${live.p99} |`);
  console.log(`\npatch ticks with changes: encode ${f(ticking.encodeMs)} ms, encode + write to all sockets ${f(ticking.sendMs)} ms (p50 / p99)`);
}

if (process.argv[2] === "client") void clientMain();
else void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
