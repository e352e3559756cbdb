import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A real server process (`src/index.ts` under tsx), for shutdown and scale-out tests. */
export interface ServerProcess {
  port: number;
  url: string;
  child: ChildProcess;
  output: () => string;
  /** send a signal and resolve with the exit code (or reject after ms) */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
}

const ROOT = path.resolve(__dirname, "../..");
// the tsx loader in this process rather than the tsx CLI: the CLI runs the server in a grandchild,
// so a SIGKILL to `child` would orphan the real server instead of killing it
const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function spawnServer(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ServerProcess> {
  const port = await freePort();
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of ["EMBEDDED_DB", "MONGODB_URI", "REDIS_URL", "AUTH_RATE_LIMIT_PER_MINUTE"]) delete base[k];
  const child = spawn(process.execPath, ["--import", TSX_LOADER, "src/index.ts"], {
    cwd: ROOT,
    env: { ...base, NODE_ENV: "test", LOG_LEVEL: "info", PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    child,
    output: () => out,
    stop: async (signal = "SIGTERM", ms = 15_000) => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms after ${signal}:\n${out}`)), ms).unref());
      return Promise.race([exited, timer]);
    },
  };
}

/** A JSON call against a spawned server: `callServer(a.url, "POST", "/api/v1/stories", token, body)`. */
export async function callServer(base: string, method: string, p: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + p, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
