import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnServer, type ServerProcess } from "../support/process";

/**
 * `npm start` on the embedded default: a real process persisting under DATA_DIR. SIGTERM must dispose
 * rooms, flush the store and exit 0 within the bound; a restart on the same DATA_DIR has the data.
 */
describe("graceful shutdown on the embedded default", function () {
  this.timeout(90_000);
  let dataDir: string;
  let server: ServerProcess | undefined;

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "limelight-shutdown-"));
  });
  after(async () => {
    await server?.stop("SIGKILL").catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({ DATA_DIR: dataDir, EMBEDDED_DB: "disk", SHUTDOWN_TIMEOUT_MS: "8000" });

  it("serves /health/ready, persists, exits 0 on SIGTERM and keeps the data across a restart", async () => {
    server = await spawnServer(env());
    const health = (await fetch(`${server.url}/health/ready`).then((r) => r.json())) as { media: { storage: string; video_posters: string } };
    const { media, ...readiness } = health;
    assert.deepEqual(readiness, { status: "ready", checks: { database: "ok", presence: "ok" } });
    // informational (src/media): where media goes, and whether ffmpeg makes video posters here
    assert.equal(media.storage, "disk");
    assert.ok(["ffmpeg", "placeholder", "detecting"].includes(media.video_posters), media.video_posters);

    const reg = await fetch(`${server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "durable", password: "s3cret-pass" }),
    });
    assert.equal(reg.status, 201);

    const started = Date.now();
    const code = await server.stop("SIGTERM");
    assert.equal(code, 0, server.output());
    assert.ok(Date.now() - started < 8000, "exits within SHUTDOWN_TIMEOUT_MS");
    assert.match(server.output(), /shutdown complete/);

    server = await spawnServer(env());
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "durable", password: "s3cret-pass" }),
    });
    assert.equal(login.status, 200, "the account registered before the restart is still there");
    assert.equal(await server.stop("SIGTERM"), 0);
    server = undefined;
  });

  it("refuses to start with a bad configuration, naming the variable", async () => {
    await assert.rejects(spawnServer({ ...env(), PORT: "not-a-port" }, 15_000), /PORT/);
    await assert.rejects(spawnServer({ ...env(), NODE_ENV: "production", JWT_SECRET: "" }, 15_000), /JWT_SECRET/);
  });
});
