import assert from "node:assert/strict";
import mongoose from "mongoose";
import { matchMaker } from "@colyseus/core";
import { ColyseusTestServer } from "@colyseus/testing";
import { createServer } from "../../src/app.config";
import { useClock, ManualClock } from "../../src/shared/clock";
import { storyEngagementSettled } from "../../src/progression/progression.job";

/**
 * The real app definition booted once per mocha process on an in-memory embedded store
 * (on TEST_PORT, default 2568). Specs call `testServer()` in `before` and
 * `resetState()` in `beforeEach`.
 */
let booted: Promise<ColyseusTestServer> | undefined;

// TEST_PORT lets two test runs share a machine (parallel work trees); CI uses the default
export const TEST_PORT = Number(process.env.TEST_PORT ?? 2568);
export const baseUrl = `http://127.0.0.1:${TEST_PORT}`;

export function testServer(): Promise<ColyseusTestServer> {
  // not boot(server, port): given a Server instance, @colyseus/testing 0.18 listens on 2568 whatever the port
  booted ??= (async () => {
    const server = createServer();
    await server.listen(TEST_PORT);
    return new ColyseusTestServer(server);
  })();
  return booted;
}

/** Clean slate: no rooms, empty collections (indexes kept), the real clock. */
export async function resetState(): Promise<void> {
  const colyseus = await testServer();
  await colyseus.cleanup();
  // background XP awards of the previous test's story events land before the wipe, not after
  await storyEngagementSettled();
  const db = mongoose.connection.db;
  assert.ok(db, "database connected");
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(collections.map((c) => db.collection(c.name).deleteMany({})));
  assert.deepEqual(await matchMaker.query({}), [], "no rooms left over from a previous test");
  restoreClock?.();
  restoreClock = undefined;
}

let restoreClock: (() => void) | undefined;

/** Replace the process clock for the current test (restored by resetState). */
export function manualClock(start: Date | number = Date.now()): ManualClock {
  const clock = new ManualClock(start);
  restoreClock?.();
  restoreClock = useClock(clock);
  return clock;
}

export async function shutdownTestServer(): Promise<void> {
  if (!booted) return;
  const colyseus = await booted;
  booted = undefined;
  await colyseus.shutdown();
}
