import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { baseEnv, freePort, spawnScript, spawnServer, waitReady, type ScriptProcess, callProcess as call } from "../support/process";
import { testRedisUrl } from "../support/redis";

/**
 * PM2 on one machine: ecosystem.config.js's layouts, then a real run of its definitions (the store
 * app and two workers, spawned as PM2 would spawn them) sharing one embedded store, and the refusal
 * when two processes open the same data directory.
 */
interface AppDef {
  name: string;
  script: string;
  args?: string[];
  env: Record<string, string>;
}
const { forEnv } = require("../../ecosystem.config.js") as { forEnv: (env: Record<string, string | undefined>) => { apps: AppDef[] } };

/** A port whose successor is free too (workers listen on PORT, PORT+1). */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port + 1, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

describe("PM2 layouts (ecosystem.config.js)", function () {
  this.timeout(120_000);

  describe("the generated definition", () => {
    it("REDIS_URL without MONGODB_URI: the store runs once as its own app on DATA_DIR/db, every worker connects to it", () => {
      const { apps } = forEnv({ REDIS_URL: "redis://r:6379", WEB_CONCURRENCY: "3", DATA_DIR: "/srv/limelight", PORT: "3000", PUBLIC_HOST: "game.example.com" });
      assert.deepEqual(apps.map((a) => a.name), ["limelight-db", "limelight-0", "limelight-1", "limelight-2"]);
      const [db, ...workers] = apps;
      assert.equal(db!.script, "dist/src/embedded-mongo/cli.js");
      assert.deepEqual(db!.args, ["--port", "27017", "--data", "/srv/limelight/db", "--fsync", "batch"]);
      assert.deepEqual(
        workers.map((w) => [w.script, w.env.PORT, w.env.PUBLIC_ADDRESS, w.env.MONGODB_URI]),
        [0, 1, 2].map((i) => ["dist/src/index.js", String(3000 + i), `game.example.com:${3000 + i}`, "mongodb://127.0.0.1:27017/limelight"]),
      );
      const custom = forEnv({ REDIS_URL: "redis://r", WEB_CONCURRENCY: "2", EMBEDDED_DB_PORT: "27999", EMBEDDED_DB_FSYNC: "always" });
      assert.deepEqual(custom.apps[0]!.args, ["--port", "27999", "--data", path.resolve("data", "db"), "--fsync", "always"]);
      assert.equal(custom.apps[1]!.env.MONGODB_URI, "mongodb://127.0.0.1:27999/limelight");
    });

    it("with MONGODB_URI: workers only, on that database (no store app, no URI of ours)", () => {
      const { apps } = forEnv({ REDIS_URL: "redis://r:6379", MONGODB_URI: "mongodb://db1,db2/limelight?replicaSet=rs0", WEB_CONCURRENCY: "2" });
      assert.deepEqual(apps.map((a) => a.name), ["limelight-0", "limelight-1"]);
      assert.ok(apps.every((a) => a.script === "dist/src/index.js" && a.env.MONGODB_URI === undefined), "the environment's MONGODB_URI reaches them unchanged");
    });

    it("without REDIS_URL: one process with its in-process store; asking for more refuses with what to do", () => {
      const { apps } = forEnv({});
      assert.deepEqual(apps.map((a) => [a.name, a.env.PORT, a.env.MONGODB_URI]), [["limelight", "2567", undefined]]);
      assert.throws(() => forEnv({ WEB_CONCURRENCY: "4" }), /WEB_CONCURRENCY=4 needs REDIS_URL/);
    });
  });

  describe("real processes", () => {
    const running: ScriptProcess[] = [];
    let dataDir: string;
    beforeEach(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), "limelight-pm2-"));
    });
    afterEach(async () => {
      // workers first, then the store they use
      for (const p of running.splice(0).reverse()) await p.stop("SIGTERM").catch(() => p.stop("SIGKILL"));
      await rm(dataDir, { recursive: true, force: true });
    });

    it("the store app and two workers from the definitions share one embedded store: written via one, read via the other", async function () {
      const redisUrl = await testRedisUrl();
      if (!redisUrl) {
        console.warn("\n  !!! SKIPPING the PM2 two-worker run: no Redis reachable\n");
        this.skip();
      }
      const basePort = await twoFreePorts();
      const env = { REDIS_URL: redisUrl, WEB_CONCURRENCY: "2", DATA_DIR: dataDir, PORT: String(basePort), PUBLIC_HOST: "127.0.0.1", EMBEDDED_DB_PORT: String(await freePort()) };
      const { apps } = forEnv(env);
      assert.deepEqual(apps.map((a) => a.name), ["limelight-db", "limelight-0", "limelight-1"]);
      // what PM2 gives each app: the shell's environment with the app's env over it
      const shell = { ...baseEnv(), ...env, NODE_ENV: "test", LOG_LEVEL: "info", JWT_SECRET: randomBytes(32).toString("hex") };
      const run = (app: AppDef) => {
        const p = spawnScript(app.script, app.args ?? [], { ...shell, ...app.env, NODE_ENV: "test" });
        running.push(p);
        return p;
      };
      const store = run(apps[0]!);
      const workers = apps.slice(1).map((app) => ({ proc: run(app), url: `http://127.0.0.1:${app.env.PORT}` }));
      await Promise.all(workers.map((w) => waitReady(w.proc, w.url)));
      assert.match(store.output(), /mongodb:\/\/127\.0\.0\.1:\d+/, "the store app printed its address");

      const [w0, w1] = workers;
      const reg = await call(w0!.url, "POST", "/api/v1/auth/register", undefined, { username: "pm2_author", password: "s3cret-pass", roles: ["creator"] });
      assert.equal(reg.status, 201, JSON.stringify(reg.body));
      const story = await call(w0!.url, "POST", "/api/v1/stories", reg.body.access_token, { story_type: "text", text_content: "written on worker 0", privacy: "public" });
      assert.equal(story.status, 201, JSON.stringify(story.body));
      const read = await call(w1!.url, "GET", `/api/v1/stories/${story.body.id}`, reg.body.access_token);
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.equal(read.body.text_content, "written on worker 0");
      const login = await call(w1!.url, "POST", "/api/v1/auth/login", undefined, { username: "pm2_author", password: "s3cret-pass" });
      assert.equal(login.status, 200, "the account made on worker 0 signs in on worker 1");
      assert.doesNotMatch(workers.map((w) => w.proc.output()).join(""), /embedded MongoDB-compatible store started/, "no worker opened a store of its own");
    });

    it("a second process opening the same embedded data directory refuses to start, saying what to do", async () => {
      const first = await spawnServer({ DATA_DIR: dataDir, JWT_SECRET: randomBytes(32).toString("hex") });
      running.push(first);
      const second = spawnServer({ DATA_DIR: dataDir, JWT_SECRET: randomBytes(32).toString("hex") });
      await assert.rejects(second, (err: Error) => {
        assert.match(err.message, /server exited early \(1\)/);
        assert.match(err.message, /DATA_DIR: the embedded store's .*db is already open in another process/);
        assert.match(err.message, /npm run db -- --data .* --port 27017/);
        assert.match(err.message, /MONGODB_URI=mongodb:\/\/127\.0\.0\.1:27017\/limelight on every process/);
        return true;
      });
      assert.equal((await fetch(`${first.url}/health/ready`)).status, 200, "the first one keeps serving");
    });
  });
});
