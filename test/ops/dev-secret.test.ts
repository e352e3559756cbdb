import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnServer, type ServerProcess } from "../support/process";

/**
 * In development a missing JWT_SECRET is generated once into DATA_DIR (with a warning) and reused,
 * so a restart keeps everyone signed in; in production it is required (see shutdown.test.ts).
 */
describe("development JWT secret", function () {
  this.timeout(90_000);
  let dataDir: string;
  let server: ServerProcess | undefined;

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "limelight-devsecret-"));
  });
  after(async () => {
    await server?.stop("SIGKILL").catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is generated once, kept private in DATA_DIR, and survives a restart", async () => {
    const env = { NODE_ENV: "development", DATA_DIR: dataDir, EMBEDDED_DB: "disk", ENABLE_PLAYGROUND: "false" };
    server = await spawnServer(env);
    const reg = await fetch(`${server.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "devuser", password: "s3cret-pass" }),
    }).then((r) => r.json() as Promise<any>);
    const secretFile = path.join(dataDir, "jwt-secret");
    assert.ok(existsSync(secretFile), "secret written to DATA_DIR");
    assert.equal(statSync(secretFile).mode & 0o077, 0, "readable by the owner only");
    assert.match(server.output(), /JWT_SECRET not set: generated a development secret/);
    const secret = readFileSync(secretFile, "utf8");
    assert.equal(await server.stop("SIGTERM"), 0);

    server = await spawnServer(env);
    const profile = await fetch(`${server.url}/api/v1/auth/profile`, { headers: { authorization: `Bearer ${reg.access_token}` } });
    assert.equal(profile.status, 200, "a token issued before the restart still verifies");
    assert.equal(readFileSync(secretFile, "utf8"), secret, "the secret was not regenerated");
    assert.equal(await server.stop("SIGTERM"), 0);
    server = undefined;
  });
});
