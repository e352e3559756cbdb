/**
 * The client side of `npm run bench:live`, run in child processes (src/bench/live.ts forks this
 * file): viewers that count the chat lines and gifts they receive (send→receipt latency from the
 * time stamp in each chat line), and one sender process that drives the load: chat lines, gifts
 * and mood reactions at stated rates, into the live room (SDK) or the plain `ws` server (JSON).
 */
export type Kind = "live" | "ws";
export interface Load {
  chatPerS: number;
  giftsPerS: number;
  reactionsPerS: number;
  seconds: number;
  giftCode: string;
  giftCost: number;
}
export type ToClient =
  | { cmd: "connect"; kind: Kind; url: string; tokens: string[]; streamId: string }
  | { cmd: "start" }
  | { cmd: "stop" }
  | { cmd: "count" }
  | { cmd: "send"; kind: Kind; url: string; streamId: string; chatToken: string; giftToken: string; reactorTokens: string[]; load: Load };
export type FromClient =
  | { cmd: "connected" }
  | { cmd: "count"; received: number }
  | { cmd: "report"; chat: number; gifts: number; latencies: number[]; cpuUs: number; wallMs: number; loopDelayP99Ms: number; frameUs: number[] }
  | { cmd: "sent"; chat: number; gifts: number; reactions: number; refused: Record<string, number> };

/** A chat line's text starts with the sender's clock (ms): the receiver measures latency from it. */
const chatText = (n: number) => `${Date.now()} hello everyone, this is line ${n}`;

export async function clientMain(): Promise<void> {
  const { ColyseusSDK } = await import("@colyseus/sdk");
  const { default: WebSocket } = await import("ws");
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  // how busy this viewer process is while measuring: its CPU time, and how late its event loop runs
  // (a frame that arrived waits that long before it is decoded)
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  let cpu0 = process.cpuUsage();
  let wall0 = performance.now();
  // the CPU used up to the last receipt (sampled at most every 100 ms): the busy span, not the quiet tail
  let busy = { cpuUs: 0, wallMs: 1, sampledAt: 0 };
  let measuring = false;
  let chat = 0;
  let gifts = 0;
  const latencies: number[] = [];
  /** µs this process spends handling one incoming frame (SDK decode + state callback, or JSON.parse) */
  const frameUs: number[] = [];
  const timed = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
    const t = performance.now();
    fn(...a);
    if (measuring && frameUs.length < 400_000) frameUs.push((performance.now() - t) * 1000);
  };
  const onChat = (sentAt: number) => {
    if (!measuring) return;
    chat += 1;
    if (latencies.length < 400_000) latencies.push(Date.now() - sentAt);
    const now = performance.now();
    if (now - busy.sampledAt > 100) {
      const c = process.cpuUsage(cpu0);
      busy = { cpuUs: c.user + c.system, wallMs: now - wall0, sampledAt: now };
    }
  };
  const closers: (() => void)[] = [];
  const joinLive = async (url: string, token: string, streamId: string) => {
    const sdk = new ColyseusSDK(url);
    sdk.auth.token = token;
    const room = await sdk.joinOrCreate("live", { streamId });
    room.onMessage("*", () => undefined);
    return room;
  };

  const connect = async (m: Extract<ToClient, { cmd: "connect" }>, token: string) => {
    if (m.kind === "live") {
      const room = await joinLive(m.url, token, m.streamId);
      let lastSeq = 0;
      let giftTokens = -1;
      room.onStateChange((state: any) => {
        const lines = state.chat;
        for (let i = lines.length - 1; i >= 0; i--) {
          const line = lines[i];
          if (line.seq <= lastSeq) break;
          onChat(Number(line.text.split(" ")[0]));
        }
        if (lines.length) lastSeq = Math.max(lastSeq, lines[lines.length - 1].seq);
        // one gift sender with a fixed gift: its total on the gifter board grows one gift at a time
        let total = 0;
        for (const g of state.topGifters) total += g.tokens;
        if (giftTokens >= 0 && total > giftTokens && measuring) gifts += Math.round((total - giftTokens) / current.giftCost);
        giftTokens = total;
      });
      const connection = (room as any).connection;
      connection.events.onmessage = timed(connection.events.onmessage);
      closers.push(() => void room.leave().catch(() => undefined));
    } else {
      const ws = new WebSocket(m.url);
      await new Promise((r) => ws.once("open", r));
      ws.on("message", timed((data: Buffer) => {
        const e = JSON.parse(data.toString());
        if (e.type === "chat") onChat(e.sentAt);
        else if (e.type === "gift" && measuring) gifts += 1;
      }));
      closers.push(() => ws.close());
    }
  };
  const current = { giftCost: 1 };

  process.on("message", async (m: ToClient & { giftCost?: number }) => {
    if (m.cmd === "connect") {
      // joins in small parallel batches: fast, without a thundering herd on the matchmaker
      for (let i = 0; i < m.tokens.length; i += 10) await Promise.all(m.tokens.slice(i, i + 10).map((t) => connect(m, t)));
      process.send!({ cmd: "connected" } satisfies FromClient);
    } else if (m.cmd === "start") {
      if (m.giftCost) current.giftCost = m.giftCost;
      measuring = true;
      cpu0 = process.cpuUsage();
      wall0 = performance.now();
      busy = { cpuUs: 0, wallMs: 1, sampledAt: 0 };
      loopDelay.reset();
      loopDelay.enable();
    } else if (m.cmd === "count") {
      process.send!({ cmd: "count", received: chat + gifts } satisfies FromClient);
    } else if (m.cmd === "stop") {
      measuring = false;
      loopDelay.disable();
      const loopDelayP99Ms = loopDelay.percentile(99) / 1e6;
      process.send!({ cmd: "report", chat, gifts, latencies, cpuUs: busy.cpuUs, wallMs: busy.wallMs, loopDelayP99Ms, frameUs } satisfies FromClient);
      frameUs.length = 0;
      chat = gifts = 0;
      latencies.length = 0;
      for (const c of closers.splice(0)) c();
    } else if (m.cmd === "send") {
      process.send!({ cmd: "sent", ...(await drive(m)) } satisfies FromClient);
    }
  });

  /** Chat, gifts and reactions, each on its own steady timer, for `seconds`. */
  async function drive(m: Extract<ToClient, { cmd: "send" }>) {
    const { load } = m;
    const sent = { chat: 0, gifts: 0, reactions: 0, refused: {} as Record<string, number> };
    const end = Date.now() + load.seconds * 1000;
    const every = async (perS: number, fn: (n: number) => void | Promise<void>) => {
      if (perS <= 0) return;
      for (let n = 0, next = Date.now(); Date.now() < end; n++) {
        await fn(n);
        next += 1000 / perS;
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
    };
    if (m.kind === "live") {
      const [chatRoom, giftRoom, ...reactors] = await Promise.all([m.chatToken, m.giftToken, ...m.reactorTokens].map((t) => joinLive(m.url, t, m.streamId)));
      const reactions = ["hype", "love", "laugh", "wow"] as const;
      for (const r of [chatRoom, giftRoom, ...reactors]) r!.onMessage("error", (e: { type: string; code: string }) => void (sent.refused[`${e.type}:${e.code}`] = (sent.refused[`${e.type}:${e.code}`] ?? 0) + 1));
      await Promise.all([
        every(load.chatPerS, (n) => (chatRoom!.send("chat", { text: chatText(n) }), void (sent.chat += 1))),
        every(load.giftsPerS, (n) => (giftRoom!.send("gift", { giftCode: load.giftCode, quantity: 1, idempotencyKey: `bench-${process.pid}-${n}` }), void (sent.gifts += 1))),
        every(load.reactionsPerS, (n) => (reactors[n % reactors.length]!.send("react", { reaction: reactions[n % 7 < 4 ? 0 : n % 4]! }), void (sent.reactions += 1))),
      ]);
      await new Promise((r) => setTimeout(r, 300)); // replies in flight
      await Promise.all([chatRoom, giftRoom, ...reactors].map((r) => r!.leave().catch(() => undefined)));
    } else {
      const ws = new WebSocket(m.url);
      await new Promise((r) => ws.once("open", r));
      await Promise.all([
        every(load.chatPerS, (n) => (ws.send(JSON.stringify({ type: "chat", sentAt: Date.now(), seq: n, user: "bench_sender", text: chatText(n) })), void (sent.chat += 1))),
        every(load.giftsPerS, (n) => (ws.send(JSON.stringify({ type: "gift", seq: n, user: "bench_gifter", gift: load.giftCode, quantity: 1, tokens: load.giftCost })), void (sent.gifts += 1))),
      ]);
      ws.close();
    }
    return sent;
  }
}
