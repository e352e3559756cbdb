import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../src/web/build";

/**
 * The browser client has its own tsconfig (DOM types) and esbuild does not type-check, so the
 * server's `tsc -p .` would never see a type error in it: this test does.
 */
describe("browser client types", () => {
  it("type-checks src/web/client against the DOM, @colyseus/sdk and chart.js", function () {
    this.timeout(60_000);
    const tsc = require.resolve("typescript/bin/tsc");
    const run = spawnSync(process.execPath, [tsc, "-p", path.join(projectRoot(), "src", "web", "client", "tsconfig.json")], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
});
