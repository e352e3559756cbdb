import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** A real server process (`src/index.ts` under tsx), for shutdown and scale-out tests. */
export interface ServerProcess extends ScriptProcess {
  port: number;
  url: string;
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

/** A child process with its output collected. */
export interface ScriptProcess {
  child: ChildProcess;
  output: () => string;
  /** send a signal and resolve with the exit code (or reject after ms) */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
}

/**
 * Run a script the way PM2 would run an ecosystem app: `script` with `args`, `env` over this
 * process's environment. A built `dist/src/….js` runs from its `src/….ts` source under tsx, so
 * tests need no build.
 */
export function spawnScript(script: string, args: string[], env: Record<string, string | undefined>): ScriptProcess {
  const source = script.replace(/^dist\/(.*)\.js$/, "$1.ts");
  const child = spawn(process.execPath, ["--import", TSX_LOADER, source, ...args], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
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

/** `npm run seed` against a database (the gift catalog comes from the seed script, as in production). */
export async function runSeed(mongoUri: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, "src/seed.ts"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "test", MONGODB_URI: mongoUri, LOG_LEVEL: "silent" },
      stdio: "ignore",
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`seed exited ${code}`))));
  });
}

/** This process's environment without what would pick a layout for a spawned server. */
export function baseEnv(): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of ["EMBEDDED_DB", "MONGODB_URI", "REDIS_URL", "AUTH_RATE_LIMIT_PER_MINUTE"]) delete base[k];
  return base;
}

/** Resolve when `url`/health/ready answers 200; throw with the output when the process exits first. */
export async function waitReady(proc: ScriptProcess, url: string, readyTimeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`server exited early (${proc.child.exitCode}):\n${proc.output()}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.child.kill("SIGKILL");
      throw new Error(`server not ready within ${readyTimeoutMs} ms:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function spawnServer(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawnScript("src/index.ts", [], { ...baseEnv(), NODE_ENV: "test", LOG_LEVEL: "info", PORT: String(port), PUBLIC_ADDRESS: `127.0.0.1:${port}`, ...env });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(proc, url, readyTimeoutMs);
  return { port, url, ...proc };
}

/** A JSON call against a spawned process: `callProcess(a.url, "POST", "/api/v1/stories", token, body)`. */
export async function callProcess(base: string, method: string, p: string, token?: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(base + p, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}
