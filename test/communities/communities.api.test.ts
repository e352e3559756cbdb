import { strict as assert } from "node:assert";
import mongoose from "mongoose";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, createUsers, type TestUser } from "../support/factories";
import { call } from "../support/stories";

/** Communities over REST: create, list, join (open / invite), leave, moderation, admins, members. */

async function createCommunity(owner: TestUser, body: Record<string, unknown> = {}): Promise<any> {
  const res = await api("POST", "/api/v1/communities", { token: owner.token, body: { name: "Iron Gym", ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

const memberRow = (communityId: string, userId: string) =>
  mongoose.connection.db!.collection("community_members").findOne({ community_id: communityId, user_id: userId });
const memberCount = async (communityId: string) => (await call("GET", `/api/v1/communities/${communityId}`, (await createUser()).token)).member_count;

describe("communities API", () => {
  before(testServer);
  beforeEach(resetState);

  it("creates a community owned by its creator, lists it and answers the caller's standing", async () => {
    const [owner, other] = await createUsers(2);
    const c = await createCommunity(owner, { description: "Downtown", join_policy: "invite" });
    assert.equal(c.owner_id, owner.id);
    assert.equal(c.member_count, 1);
    assert.equal(c.join_policy, "invite");
    assert.deepEqual(c.my_membership, { role: "owner", status: "active" });

    const seen = await call("GET", `/api/v1/communities/${c.id}`, other.token);
    assert.equal(seen.my_membership, null);
    assert.equal(seen.description, "Downtown");

    await createCommunity(other, { name: "Climbing Club" });
    const all = await call("GET", "/api/v1/communities", owner.token);
    assert.deepEqual(all.items.map((x: any) => x.name), ["Climbing Club", "Iron Gym"]);
    const mine = await call("GET", "/api/v1/communities?mine=true", owner.token);
    assert.deepEqual(mine.items.map((x: any) => x.name), ["Iron Gym"]);
  });

  it("refuses bad input and unknown communities", async () => {
    const user = await createUser();
    for (const body of [{}, { name: "" }, { name: "x".repeat(81) }, { name: "Gym", join_policy: "secret" }, { name: "Gym", owner_id: user.id }]) {
      const res = await api("POST", "/api/v1/communities", { token: user.token, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, "invalid_body");
    }
    assert.equal((await api("GET", "/api/v1/communities/not-an-id", { token: user.token })).status, 400);
    const missing = await api("GET", `/api/v1/communities/${"a".repeat(24)}`, { token: user.token });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "community_not_found");
    assert.equal((await api("GET", "/api/v1/communities")).status, 401);
    assert.equal(await mongoose.connection.db!.collection("communities").countDocuments(), 0, "nothing was created");
  });

  it("open join, leave and join again; member_count follows", async () => {
    const [owner, u] = await createUsers(2);
    const c = await createCommunity(owner);
    const joined = await call("POST", `/api/v1/communities/${c.id}/join`, u.token, {});
    assert.deepEqual(joined.my_membership, { role: "member", status: "active" });
    assert.equal(joined.member_count, 2);

    const again = await api("POST", `/api/v1/communities/${c.id}/join`, { token: u.token, body: {} });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "already_member");

    assert.equal((await api("POST", `/api/v1/communities/${c.id}/leave`, { token: u.token, body: {} })).status, 204);
    assert.equal(await memberCount(c.id), 1);
    assert.equal((await memberRow(c.id, u.id))?.status, "left");
    const twice = await api("POST", `/api/v1/communities/${c.id}/leave`, { token: u.token, body: {} });
    assert.equal(twice.body.error.code, "not_community_member");

    await call("POST", `/api/v1/communities/${c.id}/join`, u.token, {});
    assert.equal(await memberCount(c.id), 2);

    const ownerLeaves = await api("POST", `/api/v1/communities/${c.id}/leave`, { token: owner.token, body: {} });
    assert.equal(ownerLeaves.status, 409);
    assert.equal(ownerLeaves.body.error.code, "owner_cannot_leave");
  });

  it("invite-only: a code is required, works up to max_uses, and only admins make codes", async () => {
    const [owner, a, b, c2] = await createUsers(4);
    const c = await createCommunity(owner, { join_policy: "invite" });
    const noCode = await api("POST", `/api/v1/communities/${c.id}/join`, { token: a.token, body: {} });
    assert.equal(noCode.status, 403);
    assert.equal(noCode.body.error.code, "invite_required");

    const invite = await call("POST", `/api/v1/communities/${c.id}/invites`, owner.token, { max_uses: 1 });
    assert.match(invite.code, /^[A-Za-z0-9_-]{16}$/);
    assert.equal(invite.max_uses, 1);

    const wrong = await api("POST", `/api/v1/communities/${c.id}/join`, { token: a.token, body: { invite_code: "nope" } });
    assert.equal(wrong.body.error.code, "invalid_invite");
    await call("POST", `/api/v1/communities/${c.id}/join`, a.token, { invite_code: invite.code });
    const usedUp = await api("POST", `/api/v1/communities/${c.id}/join`, { token: b.token, body: { invite_code: invite.code } });
    assert.equal(usedUp.status, 403);
    assert.equal(usedUp.body.error.code, "invalid_invite");
    assert.equal(await memberCount(c.id), 2);

    const byMember = await api("POST", `/api/v1/communities/${c.id}/invites`, { token: a.token, body: {} });
    assert.equal(byMember.status, 403);
    assert.equal(byMember.body.error.code, "not_community_admin");
    const byStranger = await api("POST", `/api/v1/communities/${c.id}/invites`, { token: c2.token, body: {} });
    assert.equal(byStranger.body.error.code, "not_community_member");
  });

  it("concurrent joins with a one-use invite admit exactly one user", async () => {
    const owner = await createUser();
    const joiners = await createUsers(5);
    const c = await createCommunity(owner, { join_policy: "invite" });
    const { code } = await call("POST", `/api/v1/communities/${c.id}/invites`, owner.token, { max_uses: 1 });
    const results = await Promise.all(joiners.map((u) => api("POST", `/api/v1/communities/${c.id}/join`, { token: u.token, body: { invite_code: code } })));
    assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(await memberCount(c.id), 2);
  });

  it("remove, ban and unban follow the role table", async () => {
    const [owner, admin, m1, m2, outsider] = await createUsers(5);
    const c = await createCommunity(owner);
    for (const u of [admin, m1, m2]) await call("POST", `/api/v1/communities/${c.id}/join`, u.token, {});
    assert.equal((await api("PUT", `/api/v1/communities/${c.id}/admins/${admin.id}`, { token: owner.token })).status, 204);
    assert.equal((await memberRow(c.id, admin.id))?.role, "admin");

    // a member cannot remove anyone; an admin cannot remove the owner or grant admin
    const byMember = await api("DELETE", `/api/v1/communities/${c.id}/members/${m2.id}`, { token: m1.token });
    assert.equal(byMember.body.error.code, "not_community_admin");
    assert.equal((await api("DELETE", `/api/v1/communities/${c.id}/members/${owner.id}`, { token: admin.token })).body.error.code, "not_community_admin");
    assert.equal((await api("PUT", `/api/v1/communities/${c.id}/admins/${m1.id}`, { token: admin.token })).body.error.code, "not_community_admin");

    assert.equal((await api("DELETE", `/api/v1/communities/${c.id}/members/${m1.id}`, { token: admin.token })).status, 204);
    assert.equal((await memberRow(c.id, m1.id))?.status, "removed");
    // removed is not banned: they may join again
    await call("POST", `/api/v1/communities/${c.id}/join`, m1.token, {});

    assert.equal((await api("PUT", `/api/v1/communities/${c.id}/bans/${m2.id}`, { token: admin.token })).status, 204);
    const rejoin = await api("POST", `/api/v1/communities/${c.id}/join`, { token: m2.token, body: {} });
    assert.equal(rejoin.status, 403);
    assert.equal(rejoin.body.error.code, "community_banned");
    // a pre-emptive ban of someone who never joined
    assert.equal((await api("PUT", `/api/v1/communities/${c.id}/bans/${outsider.id}`, { token: owner.token })).status, 204);
    assert.equal((await api("POST", `/api/v1/communities/${c.id}/join`, { token: outsider.token, body: {} })).body.error.code, "community_banned");

    assert.equal((await api("DELETE", `/api/v1/communities/${c.id}/bans/${m2.id}`, { token: admin.token })).status, 204);
    await call("POST", `/api/v1/communities/${c.id}/join`, m2.token, {});
    const notBanned = await api("DELETE", `/api/v1/communities/${c.id}/bans/${m2.id}`, { token: admin.token });
    assert.equal(notBanned.status, 409);
    assert.equal(notBanned.body.error.code, "not_banned");

    // revoking: the admin is a member again and loses moderation
    assert.equal((await api("DELETE", `/api/v1/communities/${c.id}/admins/${admin.id}`, { token: owner.token })).status, 204);
    assert.equal((await api("DELETE", `/api/v1/communities/${c.id}/members/${m2.id}`, { token: admin.token })).body.error.code, "not_community_admin");
    const self = await api("DELETE", `/api/v1/communities/${c.id}/members/${owner.id}`, { token: owner.token });
    assert.equal(self.body.error.code, "cannot_moderate_self");
    assert.equal(await memberCount(c.id), 4);
  });

  it("members are listed to members only, newest first, cursor-paged", async () => {
    const owner = await createUser();
    const members = await createUsers(3);
    const outsider = await createUser();
    const c = await createCommunity(owner);
    for (const u of members) await call("POST", `/api/v1/communities/${c.id}/join`, u.token, {});
    const first = await call("GET", `/api/v1/communities/${c.id}/members?limit=2`, members[0]!.token);
    assert.equal(first.items.length, 2);
    assert.ok(first.next_cursor);
    const second = await call("GET", `/api/v1/communities/${c.id}/members?limit=2&cursor=${first.next_cursor}`, members[0]!.token);
    const ids = [...first.items, ...second.items].map((m: any) => m.user.id);
    assert.deepEqual(ids, [members[2]!.id, members[1]!.id, members[0]!.id, owner.id]);
    assert.equal(second.next_cursor, null);
    assert.equal(second.items.at(-1).role, "owner");

    const refused = await api("GET", `/api/v1/communities/${c.id}/members`, { token: outsider.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "not_community_member");
    const bad = await api("GET", `/api/v1/communities/${c.id}/members?cursor=zzz`, { token: owner.token });
    assert.equal(bad.body.error.code, "invalid_cursor");
  });
});
