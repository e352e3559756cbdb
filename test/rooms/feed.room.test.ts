import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { api } from "../support/http";
import { follow, postStory } from "../support/stories";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { nextMessage, sdkClient } from "../support/sdk";

/**
 * The `feed` room through real SDK clients: a viewer looking at the tray hears about each new
 * story they may see — and only those — without being in the author's room.
 */
describe("feed room", () => {
  const open: Room<any>[] = [];
  const joinFeed = async (token: string, options: unknown = {}) => {
    const room = await sdkClient(token).joinOrCreate("feed", options);
    open.push(room);
    return room;
  };
  /** Every story_posted message the room receives, in order. */
  const collect = (room: Room<any>) => {
    const got: any[] = [];
    room.onMessage("story_posted", (m) => got.push(m));
    return got;
  };

  before(testServer);
  beforeEach(resetState);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
  });

  it("tells a follower about a followers-only story, and not a stranger", async () => {
    const [author, fan, stranger] = await Promise.all([createUser(), createUser(), createUser()]);
    await follow(fan, author);
    const fanFeed = await joinFeed(fan.token);
    const strangerFeed = await joinFeed(stranger.token);
    const strangerGot = collect(strangerFeed);
    const announced = nextMessage(fanFeed, "story_posted");
    const storyId = await postStory(author, { privacy: "followers" });
    assert.deepEqual(await announced, { storyId, authorId: author.id });
    // a public story reaches the stranger: their earlier silence was the privacy rule, not a lost message
    const publicId = await postStory(author, { privacy: "public" });
    const strangerHears = await nextMessage<{ storyId: string }>(strangerFeed, "story_posted");
    assert.equal(strangerHears.storyId, publicId);
    assert.deepEqual(strangerGot.map((m) => m.storyId), [publicId], "the followers-only story was never announced to a stranger");
  });

  it("says nothing to a user the author blocked, even for a public story", async () => {
    const [author, blocked, other] = await Promise.all([createUser(), createUser(), createUser()]);
    assert.equal((await api("POST", `/api/v1/users/${blocked.id}/block`, { token: author.token })).status, 204);
    const blockedFeed = await joinFeed(blocked.token);
    const otherFeed = await joinFeed(other.token);
    const blockedGot = collect(blockedFeed);
    const heard = nextMessage<{ storyId: string }>(otherFeed, "story_posted");
    const storyId = await postStory(author, { privacy: "public" });
    assert.equal((await heard).storyId, storyId);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(blockedGot, []);
  });

  it("refuses join options and an anonymous client", async () => {
    const user = await createUser();
    await assert.rejects(joinFeed(user.token, { authorId: user.id }), /invalid_join_options/);
    await assert.rejects(sdkClient().joinOrCreate("feed", {}), /missing_token/);
  });
});
