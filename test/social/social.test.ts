import assert from "node:assert/strict";
import mongoose from "mongoose";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, createUsers } from "../support/factories";

describe("social graph REST", () => {
  before(testServer);
  beforeEach(resetState);

  it("follows, lists followers and following, counts, unfollows", async () => {
    const [star, a, b] = await createUsers(3);
    for (const fan of [a!, b!]) {
      assert.equal((await api("POST", `/api/v1/users/${star!.id}/follow`, { token: fan.token })).status, 204);
    }
    assert.equal((await api("POST", `/api/v1/users/${star!.id}/follow`, { token: a!.token })).status, 204, "following twice is a no-op");
    const profile = await api("GET", `/api/v1/users/${star!.id}`, { token: a!.token });
    assert.equal(profile.body.follower_count, 2);

    const followers = await api("GET", `/api/v1/users/${star!.id}/followers?limit=1`, { token: star!.token });
    assert.equal(followers.status, 200);
    assert.equal(followers.body.items.length, 1);
    assert.equal(followers.body.items[0].user.id, b!.id, "newest follower first");
    const page2 = await api("GET", `/api/v1/users/${star!.id}/followers?limit=1&cursor=${followers.body.next_cursor}`, { token: star!.token });
    assert.equal(page2.body.items[0].user.id, a!.id);
    assert.equal(page2.body.next_cursor, null);

    const following = await api("GET", `/api/v1/users/${a!.id}/following`, { token: a!.token });
    assert.deepEqual(following.body.items.map((i: any) => i.user.id), [star!.id]);

    assert.equal((await api("DELETE", `/api/v1/users/${star!.id}/follow`, { token: a!.token })).status, 204);
    assert.equal((await api("GET", `/api/v1/users/${star!.id}`, { token: b!.token })).body.follower_count, 1);
  });

  it("refuses following yourself, bad ids and unknown users", async () => {
    const u = await createUser();
    assert.equal((await api("POST", `/api/v1/users/${u.id}/follow`, { token: u.token })).body.error.code, "cannot_follow_self");
    assert.equal((await api("POST", `/api/v1/users/not-an-id/follow`, { token: u.token })).status, 400);
    assert.equal((await api("POST", `/api/v1/users/64b000000000000000000099/follow`, { token: u.token })).status, 404);
    assert.equal((await api("GET", `/api/v1/users/${u.id}/followers?limit=0`, { token: u.token })).status, 400);
    assert.equal(await mongoose.connection.collection("follows").countDocuments(), 0);
  });

  it("a block hides each user from the other and removes follows both ways", async () => {
    const [a, b] = await createUsers(2);
    await api("POST", `/api/v1/users/${b!.id}/follow`, { token: a!.token });
    await api("POST", `/api/v1/users/${a!.id}/follow`, { token: b!.token });
    assert.equal((await api("POST", `/api/v1/users/${b!.id}/block`, { token: a!.token })).status, 204);

    assert.equal(await mongoose.connection.collection("follows").countDocuments(), 0);
    assert.equal((await api("GET", `/api/v1/users/${a!.id}`, { token: b!.token })).status, 404, "the blocked user cannot see the blocker");
    assert.equal((await api("GET", `/api/v1/users/${b!.id}`, { token: a!.token })).status, 404, "nor the other way round");
    assert.equal((await api("POST", `/api/v1/users/${a!.id}/follow`, { token: b!.token })).status, 404, "and cannot follow");

    assert.equal((await api("DELETE", `/api/v1/users/${b!.id}/block`, { token: a!.token })).status, 204);
    assert.equal((await api("GET", `/api/v1/users/${a!.id}`, { token: b!.token })).status, 200);
  });

  it("requires authentication", async () => {
    const u = await createUser();
    assert.equal((await api("GET", `/api/v1/users/${u.id}`)).status, 401);
  });
});
