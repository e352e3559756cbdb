/**
 * `npm run bench:live` — one live room with VIEWERS SDK clients (spread over CLIENT_PROCS child
 * processes) receiving chat lines sent at RATE/s and reactions at RATE/4 per second, beside a plain
 * `ws` broadcast server delivering the same chat events as JSON to the same number of clients, in
 * one run on this machine. Reported for both: events delivered/s, p50/p99 send→receipt latency,
 * server CPU µs per delivered event (process.cpuUsage of the server process, which runs nothing
 * else), server memory per idle viewer (RSS growth while the viewers join). For the room also the
 * state a late joiner receives. Env: BENCH_VIEWERS (200), BENCH_RATE (20), BENCH_SECONDS (8),
 * BENCH_CLIENT_PROCS (2).
 */
import { fork, type ChildProcess } from "node:child_process";

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PROCS = Number(process.env.BENCH_CLIENT_PROCS ?? 2);

type ToClient =
  | { cmd: "connect"; kind: "live" | "ws"; url: string; tokens: string[]; streamId: string }
  | { cmd: "start" }
  | { cmd: "stop" }
  | { cmd: "send"; kind: "live" | "ws"; url: string; token: string; streamId: string; rate: number; seconds: number };
type FromClient = { cmd: "connected" } | { cmd: "report"; received: number; latencies: number[] } | { cmd: "sent"; count: number };

// ---------------------------------------------------------------------------------------------
// client processes
// ---------------------------------------------------------------------------------------------
async function clientMain(): Promise<void> {
  const { ColyseusSDK } = await import("@colyseus/sdk");
  const { default: WebSocket } = await import("ws");
  let measuring = false;
  let received = 0;
  const latencies: number[] = [];
  const record = (sentAt: number) => {
    if (!measuring) return;
    received += 1;
    if (latencies.length < 200_000) latencies.push(Date.now() - sentAt);
  };
  const closers: (() => void)[] = [];
  process.on("message", async (m: ToClient) => {
    if (m.cmd === "connect") {
      for (const token of m.tokens) {
        if (m.kind === "live") {
          const sdk = new ColyseusSDK(m.url);
          sdk.auth.token = token;
          const room = await sdk.joinOrCreate("live", { streamId: m.streamId });
          room.onMessage("*", () => undefined);
          let lastSeq = 0;
          room.onStateChange((state: any) => {
            const chat = state.chat;
            for (let i = chat.length - 1; i >= 0; i--) {
              const line = chat[i];
              if (line.seq <= lastSeq) break;
              record(Number(line.text.split(" ")[0]));
            }
            if (chat.length) lastSeq = Math.max(lastSeq, chat[chat.length - 1].seq);
          });
          closers.push(() => void room.leave().catch(() => undefined));
        } else {
          const ws = new WebSocket(m.url);
          await new Promise((r) => ws.once("open", r));
          ws.on("message", (data: Buffer) => record(JSON.parse(data.toString()).sentAt));
          closers.push(() => ws.close());
        }
      }
      process.send!({ cmd: "connected" } satisfies FromClient);
    } else if (m.cmd === "start") {
      measuring = true;
    } else if (m.cmd === "stop") {
      measuring = false;
      process.send!({ cmd: "report", received, latencies } satisfies FromClient);
      received = 0;
      latencies.length = 0;
      for (const c of closers.splice(0)) c();
    } else if (m.cmd === "send") {
      let count = 0;
      const end = Date.now() + m.seconds * 1000;
      if (m.kind === "live") {
        const sdk = new ColyseusSDK(m.url);
        sdk.auth.token = m.token;
        const room = await sdk.joinOrCreate("live", { streamId: m.streamId });
        room.onMessage("*", () => undefined);
        while (Date.now() < end) {
          room.send("chat", { text: `${Date.now()} hello everyone, this is line ${count}` });
          if (count % 4 === 0) room.send("react", { reaction: "hype" });
          count += 1;
          await new Promise((r) => setTimeout(r, 1000 / m.rate));
        }
        await room.leave();
      } else {
        const ws = new WebSocket(m.url);
        await new Promise((r) => ws.once("open", r));
        while (Date.now() < end) {
          ws.send(JSON.stringify({ type: "chat", sentAt: Date.now(), text: `hello everyone, this is line ${count}`, seq: count, user: "sender" }));
          count += 1;
          await new Promise((r) => setTimeout(r, 1000 / m.rate));
        }
        ws.close();
      }
      process.send!({ cmd: "sent", count } satisfies FromClient);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// coordinator + servers (this process)
// ---------------------------------------------------------------------------------------------
const once = <T extends FromClient["cmd"]>(child: ChildProcess, cmd: T) =>
  new Promise<Extract<FromClient, { cmd: T }>>((resolve) => {
    const on = (m: FromClient) => {
      if (m.cmd === cmd) {
        child.off("message", on);
        resolve(m as Extract<FromClient, { cmd: T }>);
      }
    };
    child.on("message", on);
  });

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

interface Result {
  name: string;
  deliveredPerS: number;
  p50: number;
  p99: number;
  cpuUsPerEvent: number;
  memPerViewerKb: number;
  sent: number;
}

async function runOne(kind: "live" | "ws", url: string, tokens: string[], senderToken: string, streamId: string): Promise<Result> {
  const children = Array.from({ length: PROCS }, () => fork(__filename, ["client"], { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  // two halves: the growth between them is per viewer, without the room's (and JIT's) fixed costs
  const connect = (part: 0 | 1) =>
    Promise.all(children.map((c, i) => {
      const mine = tokens.filter((_, k) => k % PROCS === i && (k < tokens.length / 2 ? 0 : 1) === part);
      c.send({ cmd: "connect", kind, url, tokens: mine, streamId } satisfies ToClient);
      return once(c, "connected");
    }));
  await connect(0);
  await new Promise((r) => setTimeout(r, 1000));
  global.gc?.();
  const rssHalf = process.memoryUsage().rss;
  await connect(1);
  await new Promise((r) => setTimeout(r, 1000));
  global.gc?.();
  const memPerViewerKb = (process.memoryUsage().rss - rssHalf) / 1024 / (tokens.length - Math.ceil(tokens.length / 2));
  const sender = fork(__filename, ["client"], { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  for (const c of children) c.send({ cmd: "start" } satisfies ToClient);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  sender.send({ cmd: "send", kind, url, token: senderToken, streamId, rate: RATE, seconds: SECONDS } satisfies ToClient);
  const { count } = await once(sender, "sent");
  await new Promise((r) => setTimeout(r, 500)); // the last events land
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  const reports = await Promise.all(children.map((c) => (c.send({ cmd: "stop" } satisfies ToClient), once(c, "report"))));
  for (const c of [...children, sender]) c.kill();
  const received = reports.reduce((s, r) => s + r.received, 0);
  const lat = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    name: kind === "live" ? "live room (Colyseus)" : "plain ws broadcast",
    deliveredPerS: received / elapsed,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    cpuUsPerEvent: (cpu.user + cpu.system) / Math.max(1, received),
    memPerViewerKb,
    sent: count,
  };
}

async function main(): Promise<void> {
  process.env.EMBEDDED_DB = "memory";
  process.env.LOG_LEVEL = "warn";
  process.env.LIVE_CHAT_BURST = "100";
  process.env.LIVE_CHAT_REFILL_PER_S = "100";
  process.env.LIVE_ROOM_MAX_CLIENTS = String(VIEWERS + 10);
  process.env.PORT ??= "2790";
  process.env.JWT_SECRET ??= require("node:crypto").randomBytes(32).toString("hex");
  const [{ createServer }, { config }, users, tokens, streams, { WebSocketServer }] = await Promise.all([
    import("../app.config"),
    import("../config"),
    import("../auth/user.repository"),
    import("../auth/tokens"),
    import("../live/stream.service"),
    import("ws"),
  ]);
  const server = createServer();
  const port = config().PORT;
  await server.listen(port);
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
  const sender = await mk("bench_sender", ["viewer"]);

  const live = await runOne("live", `http://127.0.0.1:${port}`, viewerTokens, sender.token, stream.id);

  // the state a late joiner receives: the full encoded state of the room as it is now
  // require, not import(): the app loaded the CommonJS build, and import() would load a second, empty copy
  const { matchMaker } = require("@colyseus/core") as typeof import("@colyseus/core");
  const [listing] = await matchMaker.query({ name: "live" });
  const room = listing ? matchMaker.getLocalRoomById(listing.roomId) : undefined;
  const stateBytes = room ? (room as any)._serializer.getFullState().length : NaN;

  const wss = new WebSocketServer({ port: port + 1 });
  wss.on("connection", (ws) => ws.on("message", (data) => { for (const c of wss.clients) c.send(data.toString()); }));
  const plain = await runOne("ws", `ws://127.0.0.1:${port + 1}`, viewerTokens, "", "");
  wss.close();

  const row = (r: Result) =>
    `| ${r.name} | ${r.sent} | ${r.deliveredPerS.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.cpuUsPerEvent.toFixed(2)} | ${r.memPerViewerKb.toFixed(1)} |`;
  console.log(`\nbench:live — ${VIEWERS} viewers over ${PROCS} client processes, ${RATE} chat lines/s (+${RATE / 4} reactions/s on the room) for ${SECONDS} s\n`);
  console.log("| server | events sent | delivered/s | p50 ms | p99 ms | server CPU µs / delivered event | server RSS KB / viewer |");
  console.log("|---|---|---|---|---|---|---|");
  console.log(row(live));
  console.log(row(plain));
  console.log(`\nlate joiner's full state: ${stateBytes} bytes (chat window full, ${VIEWERS} viewers connected)`);
  await server.gracefullyShutdown(false).catch(() => undefined);
  process.exit(0);
}

if (process.argv[2] === "client") void clientMain();
else void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
