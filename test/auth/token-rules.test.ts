import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { Types } from "mongoose";
import { api } from "../support/http";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { sdkClient } from "../support/sdk";
import { createStory, textStory } from "../support/stories";
import { config, setConfig, type Config } from "../../src/config";
import { issueAccessToken, resetTokenKeys } from "../../src/auth/tokens";
import { UserModel } from "../../src/auth/user.model";
import { USER_EXISTS_TTL_MS, forgetUser } from "../../src/auth/user-existence";

const SECRET = "s".repeat(48);

describe("access tokens: exp is required, and a deleted user's token stops working", () => {
  let saved: Config;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    saved = config();
    setConfig({ ...saved, JWT_SECRET: SECRET });
    resetTokenKeys();
  });
  afterEach(() => {
    setConfig(saved);
    resetTokenKeys();
  });

  /** A correctly signed token for `user` with the given exp (none when undefined). */
  const signed = (user: TestUser, exp?: number) => {
    const jwt = new SignJWT({ username: user.username, roles: user.roles })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user.id)
      .setIssuer(saved.JWT_ISSUER)
      .setAudience(saved.JWT_AUDIENCE)
      .setIssuedAt();
    return (exp === undefined ? jwt : jwt.setExpirationTime(exp)).sign(new TextEncoder().encode(SECRET));
  };

  it("refuses a correctly signed token without exp, on REST and in rooms", async () => {
    const user = await createUser();
    const withExp = await signed(user, Math.floor(Date.now() / 1000) + 300);
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: withExp })).status, 200, "the same token with exp is fine");

    const noExp = await signed(user);
    const res = await api("POST", "/api/v1/stories", { token: noExp, body: textStory() });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, "invalid_token");
    await assert.rejects(sdkClient(noExp).joinOrCreate("story", { authorId: user.id }), /invalid_token/);
  });

  it("refuses a deleted user's token for stories, follows and room joins at once on the deleting process", async () => {
    const [gone, other] = [await createUser(), await createUser()];
    await createStory(other, textStory());
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: gone.token })).status, 200); // now confirmed and cached
    await UserModel.deleteOne({ _id: new Types.ObjectId(gone.id) });
    forgetUser(gone.id); // what an account deletion does

    const story = await api("POST", "/api/v1/stories", { token: gone.token, body: textStory() });
    assert.equal(story.status, 401);
    assert.equal(story.body.error.code, "account_not_found");
    const follow = await api("POST", `/api/v1/users/${other.id}/follow`, { token: gone.token });
    assert.equal(follow.status, 401);
    assert.equal(follow.body.error.code, "account_not_found");
    await assert.rejects(sdkClient(gone.token).joinOrCreate("story", { authorId: other.id }), /account_not_found/);
    assert.equal((await api("GET", `/api/v1/users/${other.id}/followers`, { token: other.token })).body.items.length, 0, "no follow was written");
  });

  it(`bounds the window on another process (which cannot forget) to ${USER_EXISTS_TTL_MS} ms`, async () => {
    const clock = manualClock();
    const gone = await createUser();
    const token = await issueAccessToken({ userId: gone.id, username: gone.username, roles: gone.roles });
    assert.equal((await api("GET", "/api/v1/auth/profile", { token })).status, 200);
    await UserModel.deleteOne({ _id: new Types.ObjectId(gone.id) });
    clock.advance(USER_EXISTS_TTL_MS);
    const after = await api("POST", "/api/v1/stories", { token, body: textStory() });
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, "account_not_found");
  });

  it("refuses room messages from a client whose account was deleted after joining", async () => {
    const [author, viewer] = [await createUser(), await createUser()];
    const story = await createStory(author, textStory());
    const room = await sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id });
    try {
      assert.deepEqual(await room.request("view", { storyId: story.id }), { counted: true, viewCount: 1 });
      await UserModel.deleteOne({ _id: new Types.ObjectId(viewer.id) });
      forgetUser(viewer.id);
      await assert.rejects(room.request("react", { storyId: story.id, emoji: "🔥" }), (err: { code?: string }) => err.code === "account_not_found");
      const reactions = await api("GET", `/api/v1/stories/${story.id}`, { token: author.token });
      assert.equal(reactions.body.reaction_count, 0, "the reaction was not written");
    } finally {
      await room.leave();
    }
  });
});
