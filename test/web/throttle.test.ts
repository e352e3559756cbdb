import assert from "node:assert/strict";
import { throttled } from "../../src/web/client/throttle";

/** The client's live reloads: a burst of room changes costs one request, and then one per interval at most. */
describe("browser client: throttled reloads", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until(check: () => boolean, ms = 3000): Promise<void> {
    for (const end = Date.now() + ms; !check(); await sleep(10)) if (Date.now() > end) throw new Error("timed out");
  }

  it("runs a burst once, holds later pokes to the interval, and runs at once when asked", async () => {
    let runs = 0;
    const t = throttled(() => runs++, 400, 20);
    for (let i = 0; i < 10; i++) t.poke();
    await until(() => runs === 1);
    for (let i = 0; i < 10; i++) t.poke();
    await sleep(100);
    assert.equal(runs, 1, "timers never fire early: the second burst waits for the interval");
    await until(() => runs === 2);
    t.now();
    assert.equal(runs, 3, "a user's click does not wait");
    t.poke();
    t.cancel();
    await sleep(500);
    assert.equal(runs, 3, "cancelled when the page goes away");
  });
});
