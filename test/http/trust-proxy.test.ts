import assert from "node:assert/strict";
import { Room, matchMaker, type AuthContext, type Client } from "@colyseus/core";
import WebSocket from "ws";
import { api } from "../support/http";
import { baseUrl, manualClock, resetState, testServer } from "../support/server";
import { config, parseConfig, setConfig, type Config } from "../../src/config";

/** Records the client IP Colyseus hands to onAuth, then refuses the join (nothing else to do). */
let seenIp: string | undefined;
class IpProbeRoom extends Room {
  static override async onAuth(_token: string, _options: unknown, context: AuthContext) {
    seenIp = context.ip;
    return true;
  }
}

/** Authenticates at WebSocket connect (instance onAuth), recording the IP of the upgrade. */
let seenUpgradeIp: string | undefined;
class UpgradeIpProbeRoom extends Room {
  override async onAuth(_client: Client, _options: unknown, context: AuthContext) {
    seenUpgradeIp = context.ip;
    return true;
  }
}

const register = (i: number, forwardedFor: string) =>
  api("POST", "/api/v1/auth/register", {
    body: { username: `probe_${i}_${Math.random().toString(36).slice(2, 8)}`, password: "long enough password" },
    headers: { "x-forwarded-for": forwardedFor },
  });

describe("TRUST_PROXY: whose X-Forwarded-For counts", () => {
  let saved: Config;
  before(async () => {
    await testServer();
    matchMaker.defineRoomType("ip_probe", IpProbeRoom);
    matchMaker.defineRoomType("upgrade_ip_probe", UpgradeIpProbeRoom);
  });
  after(() => {
    matchMaker.removeRoomType("ip_probe");
    matchMaker.removeRoomType("upgrade_ip_probe");
  });
  beforeEach(async () => {
    await resetState();
    saved = config();
    manualClock(Date.UTC(2026, 0, 1, 12, 0, 10)); // one minute window for the whole test
    seenIp = undefined;
  });
  afterEach(() => setConfig(saved));

  const use = (trust: string | undefined) => setConfig({ ...saved, AUTH_RATE_LIMIT_PER_MINUTE: 5, TRUST_PROXY: parseConfig({ TRUST_PROXY: trust }).TRUST_PROXY });

  it("by default trusts nobody: a same-host client cannot pick its IP to escape the per-IP auth limit", async () => {
    use(undefined);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await register(i, `203.0.113.${i + 1}`)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429, 429]);
  });

  it("with TRUST_PROXY=loopback, the local proxy's X-Forwarded-For names the client", async () => {
    use("loopback");
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await register(i, `203.0.113.${i + 1}`)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 201]);
  });

  it("with a hop count, only the last hop our proxy added counts, not what the client prepended", async () => {
    use("1");
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await register(i, `198.51.100.${i + 1}, 203.0.113.9`)).status);
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
  });

  it("resolves the IP Colyseus gives onAuth by the same rule, ignoring client-set X-Real-IP", async () => {
    const join = () =>
      fetch(`${baseUrl}/matchmake/joinOrCreate/ip_probe`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.7", "x-real-ip": "6.6.6.6", "x-client-ip": "7.7.7.7" },
        body: "{}",
      });
    use(undefined);
    assert.equal((await join()).status, 200);
    assert.match(seenIp ?? "", /^(::ffff:)?127\.0\.0\.1$|^::1$/, `onAuth saw ${seenIp}`);
    use("loopback");
    assert.equal((await join()).status, 200);
    assert.equal(seenIp, "203.0.113.7");
  });

  it("resolves the IP of the WebSocket upgrade (joining the reserved seat) by the same rule", async () => {
    const connect = async () => {
      seenUpgradeIp = undefined;
      const res = await fetch(`${baseUrl}/matchmake/joinOrCreate/upgrade_ip_probe`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      const seat = (await res.json()) as { sessionId: string; roomId: string; processId: string };
      const ws = new WebSocket(`${baseUrl.replace("http", "ws")}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`, {
        headers: { "x-forwarded-for": "203.0.113.8", "x-real-ip": "6.6.6.6" },
      });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      for (let i = 0; i < 50 && seenUpgradeIp === undefined; i++) await new Promise((r) => setTimeout(r, 20));
      ws.close();
      return seenUpgradeIp;
    };
    use(undefined);
    assert.match((await connect()) ?? "", /^(::ffff:)?127\.0\.0\.1$|^::1$/);
    use("loopback");
    assert.equal(await connect(), "203.0.113.8");
  });

  it("parses Express's forms and stops the boot on anything else, naming the variable", () => {
    assert.equal(parseConfig({}).TRUST_PROXY, false);
    assert.equal(parseConfig({ TRUST_PROXY: "false" }).TRUST_PROXY, false);
    assert.equal(parseConfig({ TRUST_PROXY: "2" }).TRUST_PROXY, 2);
    assert.deepEqual(parseConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8,192.168.1.4" }).TRUST_PROXY, ["loopback", "10.0.0.0/8", "192.168.1.4"]);
    assert.throws(() => parseConfig({ TRUST_PROXY: "everyone" }), /TRUST_PROXY/);
    assert.throws(() => parseConfig({ TRUST_PROXY: "10.0.0.0/99" }), /TRUST_PROXY/);
  });
});
