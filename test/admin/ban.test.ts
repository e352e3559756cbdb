import assert from "node:assert/strict";
import { api } from "../support/http";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, FACTORY_PASSWORD, type TestUser } from "../support/factories";
import { sdkClient } from "../support/sdk";
import { createStory, textStory } from "../support/stories";
import { CLOSE_ACCOUNT_REFUSED } from "../../src/realtime/app-room";

/**
 * Platform bans (POST/DELETE /admin/users/:id/ban) on one process: REST, sign-in, refresh, room
 * joins and a connected client; unban restores; an expired ban lifts by itself; roles bind tokens
 * already issued. Two processes: ban.processes.test.ts.
 */
describe("admin: platform ban and roles", () => {
  before(testServer);
  beforeEach(resetState);

  const login = (u: TestUser) => api("POST", "/api/v1/auth/login", { body: { username: u.username, password: FACTORY_PASSWORD } });
  const ban = (admin: TestUser, u: TestUser, body: object = { reason: "spam" }) => api("POST", `/api/v1/admin/users/${u.id}/ban`, { token: admin.token, body });
  const unban = (admin: TestUser, u: TestUser) => api("DELETE", `/api/v1/admin/users/${u.id}/ban`, { token: admin.token });

  it("refuses a banned user's REST calls, sign-in and refresh at once; unban restores all three", async () => {
    const [admin, user] = [await createUser({ roles: ["admin"] }), await createUser()];
    const session = (await login(user)).body;
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: user.token })).status, 200, "confirmed and cached before the ban");

    const banned = await ban(admin, user, { reason: "spam links" });
    assert.equal(banned.status, 200, JSON.stringify(banned.body));
    assert.equal(banned.body.ban.reason, "spam links");
    assert.equal(banned.body.ban.until, null);

    const rest = await api("POST", "/api/v1/stories", { token: user.token, body: textStory() });
    assert.equal(rest.status, 403);
    assert.equal(rest.body.error.code, "account_banned");
    assert.equal(rest.body.error.details.reason, "spam links");
    const signIn = await login(user);
    assert.equal(signIn.status, 403);
    assert.equal(signIn.body.error.code, "account_banned");
    const refresh = await api("POST", "/api/v1/auth/refresh", { body: { refresh_token: session.refresh_token } });
    assert.equal(refresh.status, 403);
    assert.equal(refresh.body.error.code, "account_banned");
    const wrongPassword = await api("POST", "/api/v1/auth/login", { body: { username: user.username, password: "not-the-password" } });
    assert.equal(wrongPassword.body.error.code, "invalid_credentials", "the ban is told only to whoever knows the password");

    assert.equal((await unban(admin, user)).status, 200);
    assert.equal((await api("POST", "/api/v1/stories", { token: user.token, body: textStory() })).status, 201, "the old access token works again");
    assert.equal((await login(user)).status, 200);
    const refreshed = await api("POST", "/api/v1/auth/refresh", { body: { refresh_token: session.refresh_token } });
    assert.equal(refreshed.status, 200, "the refresh token refused during the ban was not consumed");
    assert.equal((await unban(admin, user)).body.error.code, "user_not_banned");
  });

  it("disconnects the banned user's connected client with a clear close code and refuses a new join", async () => {
    const [admin, author, user] = [await createUser({ roles: ["admin"] }), await createUser(), await createUser()];
    await createStory(author, textStory());
    const authorRoom = await sdkClient(author.token).joinOrCreate("story", { authorId: author.id });
    const room = await sdkClient(user.token).joinOrCreate("story", { authorId: author.id });
    try {
      const left = new Promise<{ code: number; reason?: string }>((resolve) => room.onLeave((code, reason) => resolve({ code, reason })));
      assert.equal((await ban(admin, user)).status, 200);
      const { code, reason } = await Promise.race([left, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("not disconnected within 3 s")), 3000))]);
      assert.equal(code, CLOSE_ACCOUNT_REFUSED);
      assert.equal(reason, "account_banned");
      await assert.rejects(sdkClient(user.token).joinOrCreate("story", { authorId: author.id }), /account_banned/);
      assert.equal(authorRoom.connection.isOpen, true, "other users stay connected");
    } finally {
      await authorRoom.leave();
      if (room.connection.isOpen) await room.leave();
    }
  });

  it("a ban with `until` lifts by itself once the time has passed", async () => {
    const clock = manualClock();
    const [admin, user] = [await createUser({ roles: ["admin"] }), await createUser()];
    const until = new Date(clock.now().getTime() + 60_000).toISOString();
    const banned = await ban(admin, user, { reason: "cool off", until });
    assert.equal(banned.body.ban.until, until);
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: user.token })).body.error.code, "account_banned");
    clock.advance(60_000);
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: user.token })).status, 200);
    assert.equal((await login(user)).status, 200);
    const listed = await api("GET", `/api/v1/admin/users/${user.id}`, { token: admin.token });
    assert.equal(listed.body.ban, null, "an expired ban is shown as none");
  });

  it("refuses bad bans: non-admins, self, past until, unknown user, malformed body", async () => {
    const [admin, user] = [await createUser({ roles: ["admin"] }), await createUser()];
    const mallory = await createUser({ roles: ["creator"] });
    for (const [method, path, body] of [
      ["POST", `/api/v1/admin/users/${user.id}/ban`, { reason: "x" }],
      ["DELETE", `/api/v1/admin/users/${user.id}/ban`, undefined],
      ["PUT", `/api/v1/admin/users/${mallory.id}/roles`, { roles: ["admin"] }],
      ["GET", `/api/v1/admin/users/${user.id}`, undefined],
    ] as const) {
      const res = await api(method, path, { token: mallory.token, body });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.error.code, "forbidden_role");
    }
    assert.equal((await api("GET", "/api/v1/admin/audit", { token: mallory.token })).status, 403, "not even the audit of it");
    assert.equal((await ban(admin, admin)).body.error.code, "cannot_ban_self");
    assert.equal((await ban(admin, user, { reason: "x", until: "2001-01-01T00:00:00Z" })).body.error.code, "ban_until_past");
    assert.equal((await api("POST", `/api/v1/admin/users/0123456789abcdef01234567/ban`, { token: admin.token, body: { reason: "x" } })).status, 404);
    assert.equal((await ban(admin, user, { reason: "" })).status, 400);
    assert.equal((await ban(admin, user, { reason: "x", extra: 1 })).status, 400);
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: user.token })).status, 200, "nothing was banned");
  });

  it("role changes bind tokens already issued; an admin cannot demote themself", async () => {
    const [admin, user] = [await createUser({ roles: ["admin"] }), await createUser()];
    assert.equal((await api("GET", "/api/v1/admin/audit", { token: user.token })).status, 403);
    const promoted = await api("PUT", `/api/v1/admin/users/${user.id}/roles`, { token: admin.token, body: { roles: ["viewer", "admin"] } });
    assert.deepEqual(promoted.body.roles, ["viewer", "admin"]);
    assert.equal((await api("GET", "/api/v1/admin/audit", { token: user.token })).status, 200, "the old token now carries admin");
    await api("PUT", `/api/v1/admin/users/${user.id}/roles`, { token: admin.token, body: { roles: ["viewer"] } });
    assert.equal((await api("GET", "/api/v1/admin/audit", { token: user.token })).status, 403, "and loses it at once");
    assert.equal((await api("PUT", `/api/v1/admin/users/${admin.id}/roles`, { token: admin.token, body: { roles: ["viewer"] } })).body.error.code, "cannot_demote_self");
    assert.equal((await api("PUT", `/api/v1/admin/users/${user.id}/roles`, { token: admin.token, body: { roles: ["viewer", "viewer"] } })).status, 400);
  });

  it("lists users by username prefix, role and ban, paged", async () => {
    const admin = await createUser({ roles: ["admin"], username: "boss_admin" });
    const alice = await createUser({ username: "alice_one", roles: ["creator"] });
    await createUser({ username: "alice_two" });
    await createUser({ username: "bob" });
    await ban(admin, alice);
    const byPrefix = await api("GET", "/api/v1/admin/users?q=ALICE", { token: admin.token });
    assert.deepEqual(byPrefix.body.items.map((u: any) => u.username).sort(), ["alice_one", "alice_two"]);
    const creators = await api("GET", "/api/v1/admin/users?role=creator", { token: admin.token });
    assert.deepEqual(creators.body.items.map((u: any) => u.username), ["alice_one"]);
    const banned = await api("GET", "/api/v1/admin/users?banned=true", { token: admin.token });
    assert.deepEqual(banned.body.items.map((u: any) => u.username), ["alice_one"]);
    assert.equal(banned.body.items[0].ban.reason, "spam");
    const notBanned = await api("GET", "/api/v1/admin/users?banned=false", { token: admin.token });
    assert.equal(notBanned.body.items.length, 3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api("GET", `/api/v1/admin/users?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: admin.token });
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((u: any) => u.username));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.equal(new Set(seen).size, 4, "every user once across pages");
    assert.equal((await api("GET", "/api/v1/admin/users?role=king", { token: admin.token })).status, 400);
    assert.equal((await api("GET", "/api/v1/admin/users", { token: alice.token })).status, 403, "banned, and not an admin anyway");
    assert.equal((await api("GET", "/api/v1/admin/users", { token: (await createUser()).token })).status, 403);
  });
});
