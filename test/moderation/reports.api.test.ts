import assert from "node:assert/strict";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, createUsers, type TestUser } from "../support/factories";
import { sdkClient, untilState } from "../support/sdk";
import { follow, postStory } from "../support/stories";
import { config } from "../../src/config";

/**
 * Reports and the moderation queue: REPORT_HIDE_THRESHOLD distinct reports hide a story from
 * everyone but its author (GET, feed, a connected room); each resolution does what it says and is
 * audited; only moderators see the queue; reporters never see each other.
 */
describe("moderation: story reports", () => {
  before(testServer);
  beforeEach(resetState);

  const THRESHOLD = () => config().REPORT_HIDE_THRESHOLD;
  const report = (u: TestUser, storyId: string, body: object = { reason: "spam" }) => api("POST", `/api/v1/stories/${storyId}/report`, { token: u.token, body });
  const queue = (u: TestUser, query = "") => api("GET", `/api/v1/admin/reports${query}`, { token: u.token });
  const resolve = (u: TestUser, reportId: string, body: object) => api("POST", `/api/v1/admin/reports/${reportId}/resolve`, { token: u.token, body });
  const visibleIds = (room: any) => Object.keys(room.state.toJSON().stories ?? {});

  /** An author's public story, reported by `n` distinct users; returns who is who. */
  async function reported(n: number) {
    const [admin, author, viewer] = [await createUser({ roles: ["admin"] }), await createUser(), await createUser()];
    const reporters = await createUsers(n);
    const storyId = await postStory(author);
    for (const r of reporters) assert.equal((await report(r, storyId, { reason: "harassment", note: `note by ${r.username}` })).status, 201);
    return { admin, author, viewer, reporters, storyId };
  }

  it(`hides a story from GET, the feed and a connected room at the threshold (${3} distinct reporters), never from its author`, async () => {
    const { author, viewer, reporters, storyId } = await reported(THRESHOLD() - 1);
    await follow(viewer, author);
    const room = await sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id });
    try {
      await untilState(room, () => visibleIds(room).includes(storyId), "story shown before the threshold");
      assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: viewer.token })).status, 200, "one report short: still visible");

      const last = await createUser();
      const res = await report(last, storyId, { reason: "spam" });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ["created_at", "id", "note", "reason", "resolution", "resolved_at", "status", "target_id", "target_type"], "the reporter learns nothing about other reports");

      assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: viewer.token })).status, 404);
      const feed = await api("GET", "/api/v1/stories/feed", { token: viewer.token });
      assert.equal(feed.body.groups.length, 0, "gone from the viewer's feed");
      await untilState(room, () => !visibleIds(room).includes(storyId), "story taken out of the connected viewer's room");
      assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: author.token })).status, 200, "the author still sees it");
      assert.equal((await report(reporters[0]!, storyId)).status, 404, "a hidden story cannot be found to report again");
    } finally {
      await room.leave();
    }
  });

  it("takes one report per user and story (409), refuses reporting your own story and bad reasons", async () => {
    const [author, user] = [await createUser(), await createUser()];
    const storyId = await postStory(author);
    assert.equal((await report(user, storyId)).status, 201);
    const again = await report(user, storyId, { reason: "nudity" });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "already_reported");
    assert.equal((await api("GET", `/api/v1/stories/${storyId}/report`, { token: user.token })).body.reason, "spam", "the first report stands");
    assert.equal((await report(author, storyId)).body.error.code, "cannot_report_own");
    assert.equal((await report(user, storyId, { reason: "boring" })).status, 400);
    assert.equal((await report(user, "0123456789abcdef01234567")).status, 404);
  });

  it("dismiss shows the story again and closes every open report on it", async () => {
    const { admin, viewer, storyId } = await reported(THRESHOLD());
    assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: viewer.token })).status, 404);
    const open = await queue(admin);
    assert.equal(open.body.items.length, THRESHOLD());
    assert.equal(open.body.items[0].open_reports_on_target, THRESHOLD());
    const page1 = await queue(admin, `?limit=${THRESHOLD() - 1}`);
    const page2 = await queue(admin, `?limit=${THRESHOLD() - 1}&cursor=${page1.body.next_cursor}`);
    assert.deepEqual([...page1.body.items, ...page2.body.items].map((r: any) => r.id), open.body.items.map((r: any) => r.id), "paged newest first, each once");
    assert.equal(page2.body.next_cursor, null);
    const done = await resolve(admin, open.body.items[0].id, { action: "dismiss", note: "satire, not harassment" });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual(done.body, { action: "dismiss", target_id: storyId, reports_closed: THRESHOLD(), status: "dismissed" });
    assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: viewer.token })).status, 200, "visible again");
    assert.equal((await queue(admin)).body.items.length, 0, "nothing left open");
    assert.equal((await queue(admin, "?status=dismissed")).body.items.length, THRESHOLD());
    const twice = await resolve(admin, open.body.items[1].id, { action: "remove_story", note: "changed my mind" });
    assert.equal(twice.body.error.code, "report_already_resolved");
    assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: viewer.token })).status, 200, "the refused resolution changed nothing");
  });

  it("remove_story deletes the story and tells the author, without naming reporters", async () => {
    const { admin, author, reporters, storyId } = await reported(THRESHOLD());
    const [item] = (await queue(admin)).body.items;
    assert.equal((await resolve(admin, item.id, { action: "remove_story", note: "targeted harassment" })).status, 200);
    assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: author.token })).status, 404, "deleted for its author too");
    const notes = await api("GET", "/api/v1/notifications", { token: author.token });
    const removal = notes.body.items.find((n: any) => n.type === "story_removed");
    assert.ok(removal, JSON.stringify(notes.body));
    assert.equal(removal.story_id, storyId);
    assert.deepEqual(removal.data, { reasons: ["harassment"] });
    assert.equal(removal.actor_id, null);
    const text = JSON.stringify(removal);
    for (const r of reporters) assert.ok(!text.includes(r.id) && !text.includes(r.username), "no reporter in the notification");
    assert.equal((await queue(admin, "?status=actioned")).body.items.length, THRESHOLD());
    const audit = (await api("GET", "/api/v1/admin/audit", { token: admin.token })).body.items;
    assert.deepEqual(audit.map((e: any) => [e.action, e.target_id]), [["moderation.report_resolve", storyId], ["stories.admin_delete", storyId]]);
  });

  it("ban_author bans the author on the platform and keeps the story hidden; both are audited", async () => {
    const { admin, author, viewer, storyId } = await reported(THRESHOLD());
    const [item] = (await queue(admin)).body.items;
    assert.equal((await resolve(admin, item.id, { action: "ban_author", note: "repeat offender" })).status, 200);
    const refused = await api("GET", "/api/v1/auth/profile", { token: author.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "account_banned");
    assert.equal(refused.body.error.details.reason, "repeat offender");
    assert.equal((await api("GET", `/api/v1/stories/${storyId}`, { token: viewer.token })).status, 404);
    const audit = (await api("GET", "/api/v1/admin/audit", { token: admin.token })).body.items;
    assert.deepEqual(audit.map((e: any) => e.action).sort(), ["moderation.report_resolve", "user.ban"]);
    const ban = audit.find((e: any) => e.action === "user.ban");
    assert.equal(ban.target_id, author.id);
    assert.equal(ban.details.report_id, item.id);
  });

  it("every resolution is audited with the report and the action", async () => {
    const { admin, storyId } = await reported(1);
    const [item] = (await queue(admin)).body.items;
    await resolve(admin, item.id, { action: "dismiss", note: "fine" });
    const [entry] = (await api("GET", "/api/v1/admin/audit?action=moderation.report_resolve", { token: admin.token })).body.items;
    assert.equal(entry.actor_id, admin.id);
    assert.equal(entry.target_id, storyId);
    assert.deepEqual(entry.details, { report_id: item.id, action: "dismiss", note: "fine", reports_closed: 1 });
  });

  it("only moderators see the queue or resolve; reporter ids reach admins only; a reporter reads only their own report", async () => {
    const { admin, author, reporters, storyId } = await reported(2);
    for (const u of [author, reporters[0]!]) {
      assert.equal((await queue(u)).status, 403);
      assert.equal((await queue(u)).body.error.code, "not_a_moderator");
    }
    const items = (await queue(admin)).body.items;
    assert.equal((await resolve(reporters[0]!, items[0].id, { action: "dismiss", note: "mine" })).status, 403);
    assert.equal((await queue(admin)).body.items.length, 2, "the refused resolution closed nothing");
    assert.deepEqual(items.map((i: any) => i.reporter_id).sort(), reporters.map((r) => r.id).sort(), "admins see who reported");
    const mine = await api("GET", `/api/v1/stories/${storyId}/report`, { token: reporters[0]!.token });
    assert.equal(mine.body.note, `note by ${reporters[0]!.username}`);
    assert.equal(mine.body.reporter_id, undefined);
    assert.ok(!JSON.stringify(mine.body).includes(reporters[1]!.id));
    assert.equal((await api("GET", `/api/v1/stories/${storyId}/report`, { token: author.token })).status, 404, "the author has no report and learns of none");
    assert.equal((await queue(admin, "?status=closed")).status, 400);
    assert.equal((await resolve(admin, items[0].id, { action: "nuke", note: "x" })).status, 400);
    assert.equal((await resolve(admin, items[0].id, { action: "dismiss" })).status, 400, "a note is required");
  });
  it("a community's owner and admins moderate the reports on its stories only: queue, remove, and ban_author as a community ban", async () => {
    const [owner, modAdmin, author, member, outsider] = await createUsers(5);
    const created = await api("POST", "/api/v1/communities", { token: owner.token, body: { name: "Iron Gym", join_policy: "open" } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const communityId = created.body.id as string;
    for (const u of [modAdmin, author, member]) assert.equal((await api("POST", `/api/v1/communities/${communityId}/join`, { token: u.token, body: {} })).status, 200);
    assert.ok((await api("PUT", `/api/v1/communities/${communityId}/admins/${modAdmin.id}`, { token: owner.token, body: {} })).status < 300);
    const inGym = await postStory(author, { community_id: communityId, privacy: "community" });
    const inGym2 = await postStory(author, { community_id: communityId, privacy: "community" });
    const elsewhere = await postStory(outsider); // a public story outside the community
    assert.equal((await report(member, inGym)).status, 201);
    assert.equal((await report(member, inGym2)).status, 201);
    assert.equal((await report(member, elsewhere)).status, 201);

    for (const mod of [owner, modAdmin]) {
      const q = await queue(mod, "?status=open");
      assert.equal(q.status, 200, JSON.stringify(q.body));
      assert.deepEqual(q.body.items.map((r: any) => r.target_id).sort(), [inGym, inGym2].sort(), "only the community's stories");
      assert.ok(q.body.items.every((r: any) => r.reporter_id === undefined), "a community moderator sees what, not who");
    }
    assert.equal((await queue(member)).status, 403, "a plain member moderates nothing");
    const elsewhereReport = (await queue(await createUser({ roles: ["admin"] }))).body.items.find((r: any) => r.target_id === elsewhere);
    assert.equal((await resolve(modAdmin, elsewhereReport.id, { action: "dismiss", note: "not ours" })).status, 403, "nor reports outside the community");

    const open = (await queue(modAdmin, "?status=open")).body.items as any[];
    const removed = await resolve(modAdmin, open.find((r) => r.target_id === inGym).id, { action: "remove_story", note: "off-topic" });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal((await api("GET", `/api/v1/stories/${inGym}`, { token: member.token })).status, 404, "taken down");

    const banned = await resolve(owner, open.find((r) => r.target_id === inGym2).id, { action: "ban_author", note: "repeat offender" });
    assert.equal(banned.status, 200, JSON.stringify(banned.body));
    const standing = await api("GET", `/api/v1/communities/${communityId}`, { token: author.token });
    assert.equal(standing.status, 200, "not a platform ban: the author still uses the API");
    assert.equal(standing.body.my_membership?.status, "banned", "banned from the community");
  });
});
