import assert from "node:assert/strict";
import mongoose from "mongoose";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { api } from "../support/http";
import { StoryInteractionModel, StoryModel, StoryViewModel, StoryReplyModel } from "../../src/stories/story.model";
import { NotificationModel } from "../../src/notifications/notification.model";
import { runStorySweepOnce } from "../../src/stories/story-sweeper.job";
import { config } from "../../src/config";
import { issueAccessToken } from "../../src/auth/tokens";

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };
const START = new Date("2030-03-01T10:00:00.000Z");

/** Access tokens are short-lived on the injected clock too: re-issue them after moving time. */
async function refresh(...users: TestUser[]): Promise<void> {
  for (const u of users) u.token = await issueAccessToken({ userId: u.id, username: u.username, roles: u.roles });
}

async function createStory(author: TestUser, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await api("POST", "/api/v1/stories", { token: author.token, body: { story_type: "text", text_content: "hi", privacy: "public", ...extra } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

describe("Stories expiry, sweep and retention", () => {
  before(async () => {
    await testServer();
  });
  beforeEach(async () => {
    await resetState();
  });

  it("an expired story leaves get, reel and feed exactly at expires_at, before any sweep", async () => {
    const clock = manualClock(START);
    const author = await createUser();
    const viewer = await createUser();
    const story = await createStory(author, { stickers: [{ sticker_type: "poll", ...at, poll: { question: "?", options: [{ text: "a" }, { text: "b" }] } }] });
    assert.equal(new Date(story.expires_at).getTime(), START.getTime() + config().STORY_EXPIRY_HOURS * HOUR);

    clock.set(new Date(story.expires_at).getTime() - 1);
    await refresh(viewer);
    assert.equal((await api("GET", `/api/v1/stories/${story.id}`, { token: viewer.token })).status, 200);
    const feedBefore = await api("GET", "/api/v1/stories/feed", { token: viewer.token });
    assert.equal(feedBefore.body.groups.length, 1);

    clock.set(new Date(story.expires_at));
    assert.equal((await api("GET", `/api/v1/stories/${story.id}`, { token: viewer.token })).status, 404);
    assert.deepEqual((await api("GET", "/api/v1/stories/feed", { token: viewer.token })).body.groups, []);
    assert.deepEqual((await api("GET", `/api/v1/stories/user/${author.id}`, { token: viewer.token })).body.items, []);
    for (const [path, body] of [
      ["view", {}],
      ["interact", { sticker_index: 0, option_index: 0 }],
      ["reply", { text: "late" }],
      ["reactions", { emoji: "🔥" }],
    ] as const) {
      const res = await api("POST", `/api/v1/stories/${story.id}/${path}`, { token: viewer.token, body });
      assert.equal(res.status, 410, path);
      assert.equal(res.body.error.code, "story_expired");
    }
    const stored = await StoryModel.findById(story.id).lean();
    assert.equal(stored!.is_expired, false, "nothing was swept yet");
    assert.equal(stored!.view_count, 0);
    assert.equal(await StoryViewModel.countDocuments({}), 0);
  });

  it("the admin cleanup marks expired stories expired and archived, once", async () => {
    const clock = manualClock(START);
    const author = await createUser();
    const admin = await createUser({ roles: ["admin"] });
    const old = await createStory(author, { expires_in_hours: 1 });
    const live = await createStory(author);
    clock.advance(2 * HOUR);
    await refresh(author, admin);

    assert.equal((await api("POST", "/api/v1/stories/admin/cleanup", { token: author.token, body: {} })).status, 403);
    const run = await api("POST", "/api/v1/stories/admin/cleanup", { token: admin.token, body: {} });
    assert.equal(run.status, 200);
    assert.deepEqual(run.body, { expired: 1, hard_deleted: 0 });
    const swept = await StoryModel.findById(old.id).lean();
    assert.equal(swept!.is_expired, true);
    assert.equal(swept!.is_archived, true);
    assert.equal((await StoryModel.findById(live.id).lean())!.is_expired, false);
    assert.deepEqual((await api("POST", "/api/v1/stories/admin/cleanup", { token: admin.token, body: {} })).body, { expired: 0, hard_deleted: 0 });
  });

  it("retention purges stories and their engagement rows, except those in a highlight", async () => {
    const clock = manualClock(START);
    const author = await createUser();
    const viewer = await createUser();
    const admin = await createUser({ roles: ["admin"] });
    const kept = await createStory(author);
    const purged = await createStory(author);
    const deleted = await createStory(author);
    await api("POST", `/api/v1/stories/${purged.id}/view`, { token: viewer.token, body: {} });
    await api("POST", `/api/v1/stories/${purged.id}/reply`, { token: viewer.token, body: { text: "nice" } });
    assert.equal((await api("DELETE", `/api/v1/stories/${deleted.id}`, { token: author.token })).status, 204);
    await mongoose.connection.collection("highlights").insertOne({ user_id: author.id, title: "Keep", story_ids: [kept.id] });

    const retention = config().STORY_RETENTION_DAYS * DAY;
    const cleanup = async () => {
      await refresh(admin);
      const res = await api("POST", "/api/v1/stories/admin/cleanup", { token: admin.token, body: {} });
      assert.equal(res.status, 200);
      return res.body;
    };
    // a deleted story goes `retention` after its deletion (START), the others `retention` after expiry
    clock.set(START.getTime() + retention - 1000);
    assert.deepEqual(await cleanup(), { expired: 2, hard_deleted: 0 });
    clock.advance(2000);
    assert.deepEqual(await cleanup(), { expired: 0, hard_deleted: 1 });
    assert.equal(await StoryModel.countDocuments({ _id: deleted.id }), 0);

    clock.set(new Date(kept.expires_at).getTime() + retention - 1000);
    assert.deepEqual(await cleanup(), { expired: 0, hard_deleted: 0 });
    clock.advance(2000);
    assert.deepEqual(await cleanup(), { expired: 0, hard_deleted: 1 });
    assert.deepEqual((await StoryModel.find({}).lean()).map((s) => String(s._id)), [kept.id]);
    assert.equal(await StoryViewModel.countDocuments({ story_id: purged.id }), 0);
    assert.equal(await StoryReplyModel.countDocuments({ story_id: purged.id }), 0);
  });

  it("the author's archive lists their expired stories newest first, paged; only the author may open one", async () => {
    const clock = manualClock(START);
    const [author, viewer, admin] = [await createUser(), await createUser(), await createUser({ roles: ["admin"] })];
    const first = await createStory(author, { expires_in_hours: 1, privacy: "public" });
    clock.advance(60_000);
    const second = await createStory(author, { expires_in_hours: 1, text_content: "second" });
    clock.advance(60_000);
    const deleted = await createStory(author, { expires_in_hours: 1 });
    const unarchived = await createStory(author, { expires_in_hours: 1 });
    const live = await createStory(author);
    await createStory(viewer, { expires_in_hours: 1 });
    assert.equal((await api("DELETE", `/api/v1/stories/${deleted.id}`, { token: author.token })).status, 204);
    await api("POST", `/api/v1/stories/${first.id}/view`, { token: viewer.token, body: {} });
    const archive = async (user: TestUser, query = "") => {
      const res = await api("GET", `/api/v1/stories/archive${query}`, { token: user.token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    assert.deepEqual((await archive(author)).items, [], "nothing has expired yet");

    clock.advance(2 * HOUR);
    await refresh(author, viewer, admin);
    // swept with the "save to archive" setting off: expired, but not in the archive
    await StoryModel.updateOne({ _id: unarchived.id }, { $set: { is_expired: true, is_archived: false } });
    const page1 = await archive(author, "?limit=1");
    assert.deepEqual(page1.items.map((s: any) => s.id), [second.id]);
    assert.equal(page1.items[0].is_expired, true);
    assert.equal(page1.items[0].text_content, "second");
    const page2 = await archive(author, `?limit=1&cursor=${page1.next_cursor}`);
    assert.deepEqual(page2.items.map((s: any) => s.id), [first.id]);
    assert.equal(page2.items[0].view_count, 1);
    assert.equal(page2.items[0].interaction_count, 0, "the author's own figures");
    assert.equal(page2.next_cursor, null);
    assert.notEqual((await archive(viewer)).items[0].user_id, author.id, "each caller gets only their own archive");
    assert.equal((await api("GET", "/api/v1/stories/archive")).status, 401);
    assert.equal((await api("GET", "/api/v1/stories/archive?cursor=nonsense", { token: author.token })).body.error.code, "invalid_cursor");

    // the author opens an archived story; for anyone else it is gone, as is a deleted one for the author
    const own = await api("GET", `/api/v1/stories/${first.id}`, { token: author.token });
    assert.equal(own.status, 200);
    assert.equal(own.body.is_expired, true);
    assert.equal((await api("GET", `/api/v1/stories/${first.id}`, { token: viewer.token })).status, 404);
    assert.equal((await api("GET", `/api/v1/stories/${deleted.id}`, { token: author.token })).status, 404);
    assert.equal((await api("GET", `/api/v1/stories/${unarchived.id}`, { token: author.token })).status, 404);
    assert.equal((await api("GET", `/api/v1/stories/${live.id}`, { token: author.token })).status, 200);

    // the sweep archives them (they stay listed) and a highlight can be made from the archive
    assert.equal((await api("POST", "/api/v1/stories/admin/cleanup", { token: admin.token, body: {} })).body.expired, 3);
    assert.deepEqual((await archive(author)).items.map((s: any) => s.id), [second.id, first.id]);
    const highlight = await api("POST", "/api/v1/highlights", { token: author.token, body: { title: "Old days", story_ids: [first.id] } });
    assert.equal(highlight.status, 201, JSON.stringify(highlight.body));

    // past retention the un-highlighted ones are purged and leave the archive; the once-live story has expired into it
    clock.advance(config().STORY_RETENTION_DAYS * DAY);
    await refresh(author, admin);
    const purge = await api("POST", "/api/v1/stories/admin/cleanup", { token: admin.token, body: {} });
    assert.deepEqual(purge.body, { expired: 1, hard_deleted: 4 }, "second, unarchived, deleted and the viewer's story");
    assert.deepEqual((await archive(author)).items.map((s: any) => s.id), [live.id, first.id]);
  });

  it("the sweeper job runs under a lease, and countdown subscribers are reminded exactly once", async () => {
    const clock = manualClock(START);
    const author = await createUser();
    const [fan, other] = [await createUser(), await createUser()];
    const end = new Date(START.getTime() + 2 * HOUR);
    const story = await createStory(author, { stickers: [{ sticker_type: "countdown", ...at, countdown: { title: "Launch", end_time: end.toISOString() } }] });
    for (const u of [fan, other]) {
      assert.equal((await api("POST", `/api/v1/stories/${story.id}/interact`, { token: u.token, body: { sticker_index: 0 } })).status, 200);
    }
    assert.deepEqual(await runStorySweepOnce(), { ran: true, expired: 0, hardDeleted: 0, reminders: 0 });

    clock.set(end);
    // another process holds the lease: this one does nothing
    const locks = mongoose.connection.collection<{ _id: string; owner: string; locked_until: Date }>("job_locks");
    await locks.updateOne({ _id: "story-sweep" }, { $set: { owner: "other-process", locked_until: new Date(end.getTime() + 60_000) } }, { upsert: true });
    assert.equal((await runStorySweepOnce()).ran, false);
    assert.equal(await NotificationModel.countDocuments({}), 0);

    clock.advance(61_000); // the other holder's lease ran out
    assert.deepEqual(await runStorySweepOnce(), { ran: true, expired: 0, hardDeleted: 0, reminders: 2 });
    assert.equal((await runStorySweepOnce()).reminders, 0);
    const notes = await NotificationModel.find({ type: "countdown_ended" }).lean();
    assert.deepEqual(notes.map((n) => n.user_id).sort(), [fan.id, other.id].sort());
    assert.equal(notes[0]!.story_id, story.id);
    assert.equal((notes[0]!.data as any).title, "Launch");
  });

  it("no countdown reminder for a deleted story: its subscriptions are marked handled, the live story's are sent", async () => {
    const clock = manualClock(START);
    const [author, fan] = [await createUser(), await createUser()];
    const end = new Date(START.getTime() + 2 * HOUR);
    const countdown = { sticker_type: "countdown", ...at, countdown: { title: "Launch", end_time: end.toISOString() } };
    const kept = await createStory(author, { stickers: [countdown] });
    const withdrawn = await createStory(author, { stickers: [{ ...countdown, countdown: { ...countdown.countdown, title: "Cancelled" } }] });
    for (const story of [kept, withdrawn]) {
      assert.equal((await api("POST", `/api/v1/stories/${story.id}/interact`, { token: fan.token, body: { sticker_index: 0 } })).status, 200);
    }
    assert.equal((await api("DELETE", `/api/v1/stories/${withdrawn.id}`, { token: author.token })).status, 204);

    clock.set(end);
    assert.equal((await runStorySweepOnce()).reminders, 1);
    const notes = await NotificationModel.find({ type: "countdown_ended" }).lean();
    assert.deepEqual(notes.map((n) => [n.user_id, n.story_id, (n.data as any).title]), [[fan.id, kept.id, "Launch"]]);
    const handled = await StoryInteractionModel.findOne({ story_id: withdrawn.id, user_id: fan.id }).lean();
    assert.ok(handled!.reminded_at instanceof Date, "marked handled, so it never comes due again");
    assert.equal((await runStorySweepOnce()).reminders, 0);
    assert.equal(await NotificationModel.countDocuments({}), 1);
  });
});
