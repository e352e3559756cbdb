import assert from "node:assert/strict";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { assertDocumentedResponse as check } from "../support/openapi";
import { admin } from "../support/marketplace";
import { createStream, goLive } from "../support/live";
import { postStory, textStory } from "../support/stories";
import { pngBytes, uploadFile, useMediaConfig } from "../support/media";

/**
 * Real responses of the communities, media, admin users and audit, moderation reports, story
 * metrics and recommended-streams routes, checked against the (strict) response schemas they document.
 */
describe("OpenAPI samples: communities, media, admin, moderation and recommendations answer what they document", () => {
  let user: TestUser;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    user = await createUser();
  });
  const as = (u: TestUser, method: string, path: string, body?: unknown) => api(method, path, { token: u.token, body });

  it("communities: create, list, one, invite, join with the code, members, leave", async () => {
    const owner = await createUser();
    const created = await check("POST", "/api/v1/communities", await as(owner, "POST", "/api/v1/communities", { name: "Iron Temple", description: "Our gym", join_policy: "invite" }));
    assert.deepEqual(created.my_membership, { role: "owner", status: "active" });
    const invite = await check("POST", "/api/v1/communities/:id/invites", await as(owner, "POST", `/api/v1/communities/${created.id}/invites`, { max_uses: 5 }));
    const joined = await check("POST", "/api/v1/communities/:id/join", await as(user, "POST", `/api/v1/communities/${created.id}/join`, { invite_code: invite.code }));
    assert.equal(joined.member_count, 2);
    await check("GET", "/api/v1/communities", await as(user, "GET", "/api/v1/communities?mine=true"));
    await check("GET", "/api/v1/communities/:id", await as(user, "GET", `/api/v1/communities/${created.id}`));
    const members = await check("GET", "/api/v1/communities/:id/members", await as(user, "GET", `/api/v1/communities/${created.id}/members`));
    assert.equal(members.items.length, 2);
    assert.equal((await as(user, "POST", `/api/v1/communities/${created.id}/leave`, {})).status, 204);
  });

  describe("media", () => {
    useMediaConfig();
    it("an upload answers the documented Media view", async () => {
      const media = await check("POST", "/api/v1/media", await uploadFile(user.token, await pngBytes(), "dot.png", "image/png"));
      assert.equal(media.kind, "image");
    });
  });

  it("admin users and audit: list, one, ban, unban, roles, then the audit log of those actions", async () => {
    const boss = await admin();
    await check("GET", "/api/v1/admin/users", await as(boss, "GET", "/api/v1/admin/users"));
    await check("GET", "/api/v1/admin/users/:id", await as(boss, "GET", `/api/v1/admin/users/${user.id}`));
    const banned = await check("POST", "/api/v1/admin/users/:id/ban", await as(boss, "POST", `/api/v1/admin/users/${user.id}/ban`, { reason: "spam" }));
    assert.equal(banned.ban?.reason, "spam");
    await check("DELETE", "/api/v1/admin/users/:id/ban", await as(boss, "DELETE", `/api/v1/admin/users/${user.id}/ban`));
    await check("PUT", "/api/v1/admin/users/:id/roles", await as(boss, "PUT", `/api/v1/admin/users/${user.id}/roles`, { roles: ["viewer", "creator"] }));
    const audit = await check("GET", "/api/v1/admin/audit", await as(boss, "GET", "/api/v1/admin/audit"));
    assert.deepEqual(audit.items.map((e: { action: string }) => e.action).sort(), ["user.ban", "user.roles", "user.unban"]);
  });

  it("reports and story admin: report, my report, the queue, resolve; metrics; the cleanup alias; the reaction alias", async () => {
    const author = await createUser();
    const storyId = await postStory(author, textStory());
    await check("POST", "/api/v1/stories/:id/reaction", await as(user, "POST", `/api/v1/stories/${storyId}/reaction`, { story_id: storyId, emoji: "🔥", message: "nice" }));
    await check("POST", "/api/v1/stories/:id/report", await as(user, "POST", `/api/v1/stories/${storyId}/report`, { reason: "spam", note: "a link farm" }));
    await check("GET", "/api/v1/stories/:id/report", await as(user, "GET", `/api/v1/stories/${storyId}/report`));
    const boss = await admin();
    const queue = await check("GET", "/api/v1/admin/reports", await as(boss, "GET", "/api/v1/admin/reports"));
    assert.equal(queue.items.length, 1);
    const resolved = await check("POST", "/api/v1/admin/reports/:id/resolve", await as(boss, "POST", `/api/v1/admin/reports/${queue.items[0].id}/resolve`, { action: "dismiss", note: "fine" }));
    assert.equal(resolved.reports_closed, 1);
    const metrics = await check("GET", "/api/v1/admin/stories/metrics", await as(boss, "GET", "/api/v1/admin/stories/metrics"));
    assert.equal(metrics.total_reactions, 1);
    await check("DELETE", "/api/v1/stories/admin/cleanup", await as(boss, "DELETE", "/api/v1/stories/admin/cleanup"));
  });

  it("recommended streams: a live stream of someone else, ranked with a score", async () => {
    const creator = await createUser({ roles: ["creator"] });
    await goLive(creator, await createStream(creator));
    const rec = await check("GET", "/api/v1/streams/recommended", await as(user, "GET", "/api/v1/streams/recommended"));
    assert.equal(rec.items.length, 1);
    assert.equal(typeof rec.items[0].score, "number");
  });
});
