import { strict as assert } from "node:assert";
import type { Room } from "@colyseus/sdk";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { call, createStory, follow } from "../support/stories";
import { sdkClient, untilState } from "../support/sdk";

/**
 * Stories inside a community: the privacy matrix extended with the viewer's standing (member,
 * non-member, banned, left) on REST, in the community feed and in a connected story room.
 */

const PRIVACIES = ["public", "community", "followers", "close_friends", "custom"] as const;
type Standing = "author" | "member" | "non_member" | "banned" | "left";

/** The policy in words: members see the community's stories as their privacy allows; outsiders only public ones; banned users none. */
function visible(standing: Standing, privacy: (typeof PRIVACIES)[number]): boolean {
  if (standing === "author" || standing === "member") return true;
  if (standing === "banned") return false;
  return privacy === "public";
}

interface World {
  owner: TestUser;
  author: TestUser;
  viewers: Record<Exclude<Standing, "author">, TestUser>;
  communityId: string;
  stories: Record<(typeof PRIVACIES)[number], string>;
  outside: string;
}

const join = (u: TestUser, id: string) => call("POST", `/api/v1/communities/${id}/join`, u.token, {});

/**
 * Every viewer follows the author, is on their close-friends list and on the custom list, so the
 * only thing that differs between them is their standing in the community.
 */
async function world(): Promise<World> {
  const owner = await createUser();
  const author = await createUser({ roles: ["creator"] });
  const viewers = { member: await createUser(), non_member: await createUser(), banned: await createUser(), left: await createUser() };
  const { id: communityId } = await call("POST", "/api/v1/communities", owner.token, { name: "Iron Gym" });
  await join(author, communityId);
  for (const v of Object.values(viewers)) {
    await follow(v, author);
    await call("POST", `/api/v1/close-friends/${v.id}`, author.token);
  }
  for (const v of [viewers.member, viewers.banned, viewers.left]) await join(v, communityId);
  const customIds = Object.values(viewers).map((v) => v.id);
  const stories = {} as World["stories"];
  for (const privacy of PRIVACIES) {
    const body = { story_type: "text", text_content: privacy, privacy, community_id: communityId, ...(privacy === "custom" ? { custom_viewer_ids: customIds } : {}) };
    stories[privacy] = (await createStory(author, body)).id;
  }
  const outside = (await createStory(author, { story_type: "text", text_content: "not in a community", privacy: "followers" })).id;
  await call("POST", `/api/v1/communities/${communityId}/leave`, viewers.left.token, {});
  await call("PUT", `/api/v1/communities/${communityId}/bans/${viewers.banned.id}`, owner.token);
  return { owner, author, viewers, communityId, stories, outside };
}

describe("community stories: privacy by membership", () => {
  before(testServer);
  beforeEach(resetState);

  it("GET /stories/{id}: member, non-member, banned and left viewers × every privacy", async () => {
    const w = await world();
    const who: [Standing, TestUser][] = [["author", w.author], ...(Object.entries(w.viewers) as [Standing, TestUser][])];
    for (const [standing, user] of who)
      for (const privacy of PRIVACIES) {
        const res = await api("GET", `/api/v1/stories/${w.stories[privacy]}`, { token: user.token });
        const want = visible(standing, privacy);
        assert.equal(res.status, want ? 200 : 404, `${standing} × ${privacy}: ${JSON.stringify(res.body)}`);
        if (want) assert.equal(res.body.community_id, w.communityId);
        else assert.equal(res.body.error.code, "story_not_found");
      }
    // the story outside the community is unaffected by standing: every viewer follows the author
    for (const user of Object.values(w.viewers)) assert.equal((await api("GET", `/api/v1/stories/${w.outside}`, { token: user.token })).status, 200);
  });

  it("the community feed is its members': only its stories, each by its privacy; others get 403", async () => {
    const w = await world();
    const feed = await call("GET", `/api/v1/stories/feed?community_id=${w.communityId}`, w.viewers.member.token);
    assert.equal(feed.groups.length, 1);
    assert.deepEqual(feed.groups[0].stories.map((s: any) => s.id).sort(), Object.values(w.stories).sort(), "every community story, not the one outside");

    for (const standing of ["non_member", "banned", "left"] as const) {
      const res = await api("GET", `/api/v1/stories/feed?community_id=${w.communityId}`, { token: w.viewers[standing].token });
      assert.equal(res.status, 403, standing);
      assert.equal(res.body.error.code, "not_community_member");
    }
    const missing = await api("GET", `/api/v1/stories/feed?community_id=${"b".repeat(24)}`, { token: w.viewers.member.token });
    assert.equal(missing.body.error.code, "community_not_found");

    // the ordinary tray: a non-member following the author sees the public community story and the outside one only
    const tray = await call("GET", "/api/v1/stories/feed", w.viewers.non_member.token);
    assert.deepEqual(tray.groups[0].stories.map((s: any) => s.id).sort(), [w.stories.public, w.outside].sort());
    const bannedTray = await call("GET", "/api/v1/stories/feed", w.viewers.banned.token);
    assert.deepEqual(bannedTray.groups[0].stories.map((s: any) => s.id), [w.outside]);
  });

  it("posting to a community needs membership; privacy community needs a community", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const { id } = await call("POST", "/api/v1/communities", owner.token, { name: "Club" });
    const notMember = await api("POST", "/api/v1/stories", { token: stranger.token, body: { story_type: "text", text_content: "hi", community_id: id } });
    assert.equal(notMember.status, 403);
    assert.equal(notMember.body.error.code, "not_community_member");
    const noCommunity = await api("POST", "/api/v1/stories", { token: owner.token, body: { story_type: "text", text_content: "hi", privacy: "community" } });
    assert.equal(noCommunity.status, 400);
    assert.deepEqual(noCommunity.body.error.details.map((d: any) => d.path), ["community_id"]);
    const unknown = await api("POST", "/api/v1/stories", { token: owner.token, body: { story_type: "text", text_content: "hi", community_id: "c".repeat(24) } });
    assert.equal(unknown.body.error.code, "community_not_found");
    const posted = await createStory(owner, { story_type: "text", text_content: "hi", privacy: "community", community_id: id });
    assert.equal(posted.community_id, id);
    assert.equal(posted.privacy, "community");
    assert.equal((await call("GET", "/api/v1/stories/archive", stranger.token)).items.length, 0);
  });

  describe("in a connected story room", () => {
    const open: Room<any>[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
    });

    const ids = (room: Room<any>) => Object.keys((room.state.toJSON() as any).stories ?? {}).sort();
    const until = (room: Room<any>, expected: string[], what: string) =>
      untilState(room, () => JSON.stringify(ids(room)) === JSON.stringify([...expected].sort()), `${what}: expected ${[...expected].sort()}`);

    it("leaving, being removed or banned hides members-only stories at once; joining brings them back", async () => {
      const owner = await createUser();
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const { id } = await call("POST", "/api/v1/communities", owner.token, { name: "Iron Gym" });
      await join(author, id);
      await join(viewer, id);
      await follow(viewer, author);
      const pub = (await createStory(author, { story_type: "text", text_content: "a", privacy: "public", community_id: id })).id;
      const members = (await createStory(author, { story_type: "text", text_content: "b", privacy: "community", community_id: id })).id;
      const followers = (await createStory(author, { story_type: "text", text_content: "c", privacy: "followers", community_id: id })).id;

      const room = await sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id });
      open.push(room);
      await until(room, [pub, members, followers], "a member sees all three");
      assert.equal((room.state.toJSON() as any).stories[members].communityId, id);

      await call("POST", `/api/v1/communities/${id}/leave`, viewer.token, {});
      await until(room, [pub], "after leaving only the public story remains");

      await join(viewer, id);
      await until(room, [pub, members, followers], "joining again brings them back");

      await call("DELETE", `/api/v1/communities/${id}/members/${viewer.id}`, owner.token);
      await until(room, [pub], "removed");

      await join(viewer, id);
      await until(room, [pub, members, followers], "back after a removal");

      await call("PUT", `/api/v1/communities/${id}/bans/${viewer.id}`, owner.token);
      await until(room, [], "a banned viewer sees none of the community's stories");
    });

    it("a non-member cannot join a reel whose only stories are members-only", async () => {
      const owner = await createUser();
      const outsider = await createUser();
      const { id } = await call("POST", "/api/v1/communities", owner.token, { name: "Iron Gym" });
      await createStory(owner, { story_type: "text", text_content: "members", privacy: "community", community_id: id });
      await assert.rejects(sdkClient(outsider.token).joinOrCreate("story", { authorId: owner.id }), /reel_not_visible/);
    });
  });
});
