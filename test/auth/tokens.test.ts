import assert from "node:assert/strict";
import { SignJWT, UnsecuredJWT } from "jose";
import { Room, matchMaker, type Client } from "@colyseus/core";
import { api } from "../support/http";
import { resetState, testServer, manualClock } from "../support/server";
import { createUser } from "../support/factories";
import { sdkClient } from "../support/sdk";
import { authenticateRoomClient } from "../../src/realtime/room-auth";
import { config } from "../../src/config";

/** A room guarded exactly like the product rooms: the shared verifier, a role requirement. */
class CreatorOnlyRoom extends Room {
  static override async onAuth(token: string) {
    return authenticateRoomClient(token, "creator");
  }
  override onJoin(_client: Client) {}
}

async function forge(claims: object, key: Uint8Array, alg = "HS256") {
  const cfg = config();
  return new SignJWT({ username: "x", roles: ["admin"], ...claims })
    .setProtectedHeader({ alg })
    .setSubject("64b000000000000000000001")
    .setIssuer(cfg.JWT_ISSUER)
    .setAudience(cfg.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(key);
}

describe("access tokens on REST and in rooms", () => {
  before(async () => {
    await testServer();
    matchMaker.defineRoomType("creator_only", CreatorOnlyRoom);
  });
  after(() => matchMaker.removeRoomType("creator_only"));
  beforeEach(resetState);

  const profile = (token?: string) => api("GET", "/api/v1/auth/profile", { token });

  it("refuses a missing, garbage, forged, unsigned or expired token on REST", async () => {
    const u = await createUser();
    assert.equal((await profile()).body.error.code, "missing_token");
    assert.equal((await profile("not.a.jwt")).status, 401);

    const wrongKey = await forge({}, new TextEncoder().encode("x".repeat(48)));
    const forged = await profile(wrongKey);
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error.code, "invalid_token");

    const cfg = config();
    const none = new UnsecuredJWT({ username: u.username, roles: ["admin"] })
      .setSubject(u.id)
      .setIssuer(cfg.JWT_ISSUER)
      .setAudience(cfg.JWT_AUDIENCE)
      .setExpirationTime("10m")
      .encode();
    assert.equal((await profile(none)).status, 401, "alg:none is refused");

    assert.equal((await profile(u.token)).status, 200);
    const clock = manualClock();
    clock.advance((cfg.ACCESS_TOKEN_TTL_SECONDS + 1) * 1000);
    const expired = await profile(u.token);
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, "token_expired");
  });

  it("refuses the wrong role on REST (admin monitor) with 403", async () => {
    const viewer = await createUser({ roles: ["viewer"] });
    const res = await api("GET", "/admin/monitor/", { token: viewer.token });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "forbidden_role");
    const admin = await createUser({ roles: ["admin"] });
    assert.equal((await api("GET", "/admin/monitor/", { token: admin.token })).status, 200);
  });

  it("refuses forged, expired and wrong-role tokens in a room's onAuth", async () => {
    const creator = await createUser({ roles: ["creator"] });
    const viewer = await createUser({ roles: ["viewer"] });

    const joined = await sdkClient(creator.token).joinOrCreate("creator_only");
    assert.ok(joined.roomId);
    await joined.leave();

    await assert.rejects(sdkClient(viewer.token).joinOrCreate("creator_only"), /roles: creator/);
    await assert.rejects(sdkClient(await forge({ roles: ["creator"] }, new TextEncoder().encode("y".repeat(48)))).joinOrCreate("creator_only"), /not valid/);
    await assert.rejects(sdkClient().joinOrCreate("creator_only"), /required/);
    const clock = manualClock();
    clock.advance((config().ACCESS_TOKEN_TTL_SECONDS + 1) * 1000);
    await assert.rejects(sdkClient(creator.token).joinOrCreate("creator_only"), /expired/);
  });
});
