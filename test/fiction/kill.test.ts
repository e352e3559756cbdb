import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ColyseusSDK, type Room } from "@colyseus/sdk";
import { spawnServer, type ServerProcess } from "../support/process";
import { untilState } from "../support/sdk";

/**
 * Progress and money survive kill -9: a real server process on the embedded store on disk is
 * killed right after a premium Ink choice is acknowledged; after a restart on the same DATA_DIR
 * the progress, the balances and the Ink state are intact, and the player continues from the
 * same line.
 */

const ROOT = path.resolve(__dirname, "../..");

function runSeed(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const base: Record<string, string | undefined> = { ...process.env };
    for (const k of ["EMBEDDED_DB", "MONGODB_URI", "REDIS_URL"]) delete base[k];
    const child = spawn(process.execPath, ["--import", pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href, "src/fiction/seed.ts"], {
      cwd: ROOT,
      env: { ...base, NODE_ENV: "test", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`seed exited ${code}:\n${out}`))));
  });
}

async function call(server: ServerProcess, method: string, url: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(server.url + url, {
    method,
    headers: { "content-type": "application/json", ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

async function register(server: ServerProcess, username: string): Promise<{ token: string; id: string }> {
  const res = await call(server, "POST", "/api/v1/auth/register", { body: { username, password: "s3cret-pass-word" } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { token: res.body.access_token, id: res.body.user.id };
}

async function joinPlay(server: ServerProcess, token: string, bookId: string, userId: string): Promise<Room<any>> {
  const sdk = new ColyseusSDK(server.url);
  sdk.auth.token = token;
  const room = await sdk.joinOrCreate("playthrough", { bookId, userId });
  room.onMessage("error", () => undefined);
  return room;
}

const until = (room: Room<any>, check: (s: any) => boolean, what: string) => untilState(room, check, what, 5000);

describe("fiction progress across kill -9", function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: ServerProcess | undefined;

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "limelight-fiction-kill-"));
  });
  after(async () => {
    await server?.stop("SIGKILL").catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the acknowledged premium choice, the balances and the Ink state; the player continues from the same line", async () => {
    const env = { DATA_DIR: dataDir, EMBEDDED_DB: "disk", ADMIN_USERNAMES: "fiction_admin", JWT_SECRET: "fiction-kill-test-secret-0123456789abcdef" };
    assert.match(await runSeed(env), /sample book seeded/);
    server = await spawnServer(env);

    const admin = await register(server, "fiction_admin");
    const reader = await register(server, "fiction_reader");
    const books = await call(server, "GET", "/api/v1/books?sort=new");
    const bookId = books.body.items[0].id as string;
    const grant = await call(server, "POST", "/api/v1/admin/economy/grants", {
      token: admin.token,
      headers: { "idempotency-key": "fiction-kill-grant-1" },
      body: { user_id: reader.id, currency: "diamonds", amount: 40, reason: "test_grant" },
    });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));

    let room = await joinPlay(server, reader.token, bookId, reader.id);
    await room.request("start", { chapter: 1 });
    await room.request("choose", { optionId: "persuade" });
    await room.request("advance", {});
    await room.request("choose", { optionId: "flirt" });
    await room.request("advance", {});
    await until(room, (s) => s.completedChapters.length === 1, "chapter 1 done");
    await room.request("start", { chapter: 2 }); // the Ink chapter
    await room.request("choose", { optionId: "dance_liam" });
    await room.request("advance", {});
    const before = await until(room, (s) => s.sceneId === "balcony" && s.line === 1, "the balcony, second line");
    assert.ok(before.options.some((o: any) => o.id === "passage" && o.cost === 25 && o.affordable));

    const ack = await room.request("choose", { optionId: "passage", step: before.step });
    assert.deepEqual(ack, { applied: true, optionId: "passage", cost: 25, effects: { flags: { found_passage: true } } });
    await server.stop("SIGKILL"); // right after the acknowledgement

    server = await spawnServer(env);
    const progress = await call(server, "GET", `/api/v1/play/progress/${bookId}`, { token: reader.token });
    assert.equal(progress.status, 200, JSON.stringify(progress.body));
    assert.equal(progress.body.chapter, 2);
    assert.equal(progress.body.step, 2);
    assert.equal(progress.body.scene.line, 0);
    assert.equal(progress.body.scene.current.text, "Behind the tapestry, stone steps lead down into the dark.");
    assert.deepEqual(progress.body.stats, { relationships: { drake: 5, liam: 15 }, flags: { found_passage: true }, outfits: [] });
    assert.deepEqual(progress.body.wallet, { keys: 3, key_cap: 5, next_key_at: progress.body.wallet.next_key_at, diamonds: 15 });
    const inventory = await call(server, "GET", "/api/v1/inventory", { token: reader.token });
    assert.equal(inventory.body.diamonds, 15);

    room = await joinPlay(server, reader.token, bookId, reader.id);
    const resumed = await until(room, (s) => Boolean(s.sceneId), "the resumed state");
    assert.deepEqual([resumed.chapter, resumed.step, resumed.line, resumed.current.text], [2, 2, 0, "Behind the tapestry, stone steps lead down into the dark."]);
    await room.request("advance", {});
    const next = await until(room, (s) => s.line === 1, "the next line from the restored Ink state");
    assert.equal(next.current.text, "Tomorrow the council meets. Whatever happens, stay close.");
    await room.request("advance", {});
    const done = await until(room, (s) => s.ended, "the end of chapter 2");
    assert.deepEqual(done.completedChapters, [1, 2]);
    assert.equal(done.flags.found_passage, true);
    await room.leave();
    assert.equal(await server.stop("SIGTERM"), 0);
    server = undefined;
  });
});
