import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { SignJWT } from "jose";
import { api } from "../support/http";
import { at, call, postStory } from "../support/stories";
import { manualClock, resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { joinStory, nextMessage, sdkClient, stateOf, untilState } from "../support/sdk";
import { config } from "../../src/config";
import { StoryModel } from "../../src/stories/story.model";

/**
 * The `story` room through real SDK clients: who may join, what each client's decoded state
 * holds (privacy and author-only parts via StateView), and that changes made through the room or
 * REST reach everyone watching without reconnecting.
 */

const pollSticker = { sticker_type: "poll", ...at, poll: { question: "Best?", options: [{ text: "A" }, { text: "B" }] } };
const quizSticker = {
  sticker_type: "quiz",
  ...at,
  quiz: { question: "Capital of France?", options: [{ text: "London" }, { text: "Paris" }], correct_answer_index: 1 },
};

const join = joinStory;

function storyIds(room: Room<any>): string[] {
  return Object.keys(stateOf(room).stories ?? {}).sort();
}

/** Wait until the client's decoded state satisfies `check` (after each patch). */
const until = untilState;

/** Give the room a few patch intervals to (not) send something. */
const settle = (ms = 250) => new Promise((r) => setTimeout(r, ms));

describe("story room", () => {
  const open: Room<any>[] = [];
  const track = async (p: Promise<Room<any>>) => {
    const room = await p;
    open.push(room);
    return room;
  };

  before(testServer);
  beforeEach(resetState);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
    await settle(50);
  });

  describe("joining", () => {
    it("refuses a missing or forged token, a bad authorId, and a viewer with nothing visible", async () => {
      const author = await createUser({ roles: ["creator"] });
      const stranger = await createUser();
      await postStory(author, { privacy: "followers" });

      await assert.rejects(sdkClient().joinOrCreate("story", { authorId: author.id }), /required|token/i);
      const cfg = config();
      const forged = await new SignJWT({ username: stranger.username, roles: ["viewer"] })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(stranger.id)
        .setIssuer(cfg.JWT_ISSUER)
        .setAudience(cfg.JWT_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(new TextEncoder().encode("f".repeat(48)));
      await assert.rejects(sdkClient(forged).joinOrCreate("story", { authorId: author.id }), /not valid/);
      await assert.rejects(sdkClient(stranger.token).joinOrCreate("story", { authorId: "nope" }), /authorId/);
      await assert.rejects(join(stranger, author.id), /no active story you can see/);
    });

    it("lets the author into their own room even with no story, and counts who is watching", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const own = await track(join(author, author.id));
      const state = await until(own, (s) => s.authorId === author.id, "authorId");
      assert.deepEqual(state.stories ?? {}, {});
      assert.equal(state.watchingNow, 1);

      await postStory(author);
      await until(own, (s) => Object.keys(s.stories ?? {}).length === 1, "the new story");
      const second = await track(join(viewer, author.id));
      assert.equal(second.roomId, own.roomId, "one room per author");
      await until(own, (s) => s.watchingNow === 2, "two watching");
      await second.leave();
      await until(own, (s) => s.watchingNow === 1, "one watching after a leave");

      const otherAuthor = await createUser({ roles: ["creator"] });
      const otherRoom = await track(join(otherAuthor, otherAuthor.id));
      assert.notEqual(otherRoom.roomId, own.roomId, "another author's reel is another room");
      await until(otherRoom, (s) => s.authorId === otherAuthor.id, "the other author's id");
    });
  });

  describe("privacy", () => {
    it("shows each viewer exactly the stories the service lets them see", async () => {
      const author = await createUser({ roles: ["creator"] });
      const [stranger, follower, closeFriend, listed, blocked] = await Promise.all([
        createUser(),
        createUser(),
        createUser(),
        createUser(),
        createUser(),
      ]);
      await call("POST", `/api/v1/users/${author.id}/follow`, follower.token);
      await call("POST", `/api/v1/users/${author.id}/follow`, blocked.token);
      await call("POST", `/api/v1/close-friends/${closeFriend.id}`, author.token);
      await call("POST", `/api/v1/users/${blocked.id}/block`, author.token);
      const pub = await postStory(author, { privacy: "public" });
      const fol = await postStory(author, { privacy: "followers" });
      const cf = await postStory(author, { privacy: "close_friends" });
      const custom = await postStory(author, { privacy: "custom", custom_viewer_ids: [listed.id] });

      const expected: [TestUser, string[]][] = [
        [author, [pub, fol, cf, custom]],
        [stranger, [pub]],
        [follower, [pub, fol]],
        [closeFriend, [pub, cf]],
        [listed, [pub, custom]],
      ];
      for (const [user, ids] of expected) {
        const room = await track(join(user, author.id));
        await until(room, (s) => Object.keys(s.stories ?? {}).length === ids.length, `${ids.length} stories`);
        await settle(100);
        assert.deepEqual(storyIds(room), [...ids].sort(), `stories visible to ${user.username}`);
      }
      // a block hides the whole reel, whatever the privacy of each story
      await assert.rejects(join(blocked, author.id), /no active story you can see/);
    });

    it("never sends seen-by, insights or audience lists to a viewer, and keeps them live for the author", async () => {
      const author = await createUser({ roles: ["creator"] });
      const [listed, other] = await Promise.all([createUser(), createUser()]);
      const id = await postStory(author, { privacy: "custom", custom_viewer_ids: [listed.id, other.id] });
      const authorRoom = await track(join(author, author.id));
      const viewerRoom = await track(join(listed, author.id));
      await until(viewerRoom, (s) => s.stories?.[id], "the story for the viewer");

      assert.deepEqual(await viewerRoom.request("view", { storyId: id }), { counted: true, viewCount: 1 });

      const authorState = await until(authorRoom, (s) => s.stories[id].seenBy?.length === 1, "seen-by for the author");
      const story = authorState.stories[id];
      assert.equal(story.seenBy[0].userId, listed.id);
      assert.equal(story.seenBy[0].username, listed.username);
      assert.ok(story.seenBy[0].viewedAt > 0);
      assert.equal(story.insights.uniqueViewers, 1);
      assert.deepEqual([...story.customViewerIds].sort(), [listed.id, other.id].sort());

      await until(viewerRoom, (s) => s.stories[id].viewCount === 1, "viewCount for the viewer");
      const seen = stateOf(viewerRoom).stories[id];
      for (const hidden of ["seenBy", "insights", "customViewerIds", "hiddenFrom"]) {
        assert.ok(!(hidden in seen) || (Array.isArray(seen[hidden]) && seen[hidden].length === 0), `${hidden} must not reach a viewer: ${JSON.stringify(seen[hidden])}`);
      }
      assert.equal(seen.insights, undefined);
      assert.deepEqual(seen.seenBy ?? [], []);
    });
  });

  describe("content", () => {
    it("a viewer's state carries media id, music, workout and achievement data, and nothing for a story without them", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const workout = await postStory(author, {
        story_type: "workout",
        text_content: undefined,
        media_id: "run-clip-1",
        music: { track_id: "spotify:track:42", title: "Eye of the Tiger" },
        workout_data: {
          activity: "Strength",
          duration_minutes: 45,
          distance_km: 0,
          exercises: [
            { name: "Squat", sets: 5, reps: 5, weight_kg: 100 },
            { name: "Plank", sets: 3 },
          ],
        },
      });
      const achievement = await postStory(author, {
        story_type: "achievement",
        text_content: undefined,
        achievement_data: { title: "First marathon", description: "42.2 km in 3:59", badge_emoji: "🏅" },
      });
      const plain = await postStory(author);

      const room = await track(join(viewer, author.id));
      const state = await until(room, (s) => Object.keys(s.stories ?? {}).length === 3, "three stories");
      const w = state.stories[workout];
      assert.equal(w.storyType, "workout");
      assert.equal(w.mediaId, "run-clip-1");
      // unset optional figures are absent, not 0 (distance 0 was sent and is kept)
      assert.deepEqual(w.music, { trackId: "spotify:track:42", title: "Eye of the Tiger", startMs: 0 });
      assert.deepEqual(w.workout, {
        activity: "Strength",
        durationMinutes: 45,
        distanceKm: 0,
        exercises: [
          { name: "Squat", sets: 5, reps: 5, weightKg: 100 },
          { name: "Plank", sets: 3 },
        ],
      });
      assert.equal(w.achievement, undefined);

      const a = state.stories[achievement];
      assert.deepEqual(a.achievement, { title: "First marathon", description: "42.2 km in 3:59", badgeEmoji: "🏅" });
      assert.equal(a.workout, undefined);
      assert.equal(a.music, undefined);

      const p = state.stories[plain];
      assert.equal(p.mediaId, "");
      for (const absent of ["music", "workout", "achievement"]) assert.equal(p[absent], undefined, `${absent} on a text story`);
    });
  });

  describe("messages", () => {
    it("a view through the room raises viewCount for everyone watching", async () => {
      const author = await createUser({ roles: ["creator"] });
      const [a, b] = await Promise.all([createUser(), createUser()]);
      const id = await postStory(author);
      const roomA = await track(join(a, author.id));
      const roomB = await track(join(b, author.id));
      await until(roomB, (s) => s.stories?.[id], "the story");

      await roomA.request("view", { storyId: id });
      await until(roomB, (s) => s.stories[id].viewCount === 1, "viewCount 1 for the other viewer");
      await roomB.request("view", { storyId: id });
      await until(roomA, (s) => s.stories[id].viewCount === 2, "viewCount 2");
      // a repeat view is not a new viewer
      assert.deepEqual(await roomA.request("view", { storyId: id }), { counted: false, viewCount: 2 });
      assert.equal((await StoryModel.findById(id).lean())!.view_count, 2);
    });

    it("poll results reach viewers who answered, update live, and a changed vote is refused", async () => {
      const author = await createUser({ roles: ["creator"] });
      const [a, b, c] = await Promise.all([createUser(), createUser(), createUser()]);
      const id = await postStory(author, { stickers: [pollSticker] });
      const roomA = await track(join(a, author.id));
      const roomB = await track(join(b, author.id));
      const roomC = await track(join(c, author.id));
      const authorRoom = await track(join(author, author.id));
      await until(roomC, (s) => s.stories?.[id], "the story");

      // B votes over REST; B now sees results, C (no answer yet) sees only the options
      await call("POST", `/api/v1/stories/${id}/interact`, b.token, { sticker_index: 0, option_index: 1 });
      await until(roomB, (s) => s.stories[id].stickers[0].totalVotes === 1, "B's results");
      await until(authorRoom, (s) => s.stories[id].stickers[0].totalVotes === 1, "the author's results");

      // the reply is camelCase like the rest of the room (REST keeps snake_case)
      const reply = await roomA.request("interact", { storyId: id, stickerIndex: 0, optionIndex: 0 });
      const results = {
        stickerType: "poll",
        totalVotes: 2,
        options: [
          { text: "A", votes: 1, percentage: 50 },
          { text: "B", votes: 1, percentage: 50 },
        ],
      };
      assert.deepEqual(reply, { stickerIndex: 0, result: results });
      assert.deepEqual(await roomA.request("interact", { storyId: id, stickerIndex: 0, optionIndex: 0 }), { stickerIndex: 0, result: results, already: true });
      const seenByB = await until(roomB, (s) => s.stories[id].stickers[0].totalVotes === 2, "B sees A's vote");
      assert.deepEqual(
        seenByB.stories[id].stickers[0].options.map((o: any) => [o.text, o.votes, o.percentage]),
        [
          ["A", 1, 50],
          ["B", 1, 50],
        ],
      );
      await until(roomA, (s) => s.stories[id].stickers[0].totalVotes === 2, "A sees results after answering");
      await until(authorRoom, (s) => s.stories[id].insights.interactions === 2, "author insights");

      const unanswered = stateOf(roomC).stories[id].stickers[0];
      assert.equal(unanswered.totalVotes, undefined, "no tallies before answering");
      assert.deepEqual(
        unanswered.options.map((o: any) => o),
        [{ text: "A" }, { text: "B" }],
      );

      // a different answer is refused with the service's code; counts are unchanged
      await assert.rejects(roomA.request("interact", { storyId: id, stickerIndex: 0, optionIndex: 1 }), (err: any) => {
        assert.equal(err.code, "sticker_already_answered");
        return true;
      });
      const doc = await StoryModel.findById(id).lean();
      assert.equal((doc!.stickers[0] as any).poll.total_votes, 2);
      await settle(150);
      assert.equal(stateOf(roomB).stories[id].stickers[0].totalVotes, 2);
    });

    it("a quiz answer through the room tells the voter whether it was right", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const id = await postStory(author, { stickers: [quizSticker] });
      const room = await track(join(viewer, author.id));
      await until(room, (s) => s.stories?.[id], "the story");
      assert.equal(stateOf(room).stories[id].stickers[0].correctAnswerIndex, undefined, "the quiz does not answer itself");

      const reply = await room.request("interact", { storyId: id, stickerIndex: 0, optionIndex: 1 });
      assert.deepEqual(reply, {
        stickerIndex: 0,
        isCorrect: true,
        result: {
          stickerType: "quiz",
          totalAnswers: 1,
          correctAnswers: 1,
          correctRate: 100,
          correctAnswerIndex: 1,
          options: [
            { text: "London", votes: 0, percentage: 0, isCorrect: false },
            { text: "Paris", votes: 1, percentage: 100, isCorrect: true },
          ],
        },
      });
      const state = await until(room, (s) => s.stories[id].stickers[0].totalAnswers === 1, "quiz results");
      assert.equal(state.stories[id].stickers[0].correctRate, 100);
      assert.equal(state.stories[id].stickers[0].correctAnswerIndex, 1);
    });

    it("answering a question or countdown through the room returns no counts (they are the author's)", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const id = await postStory(author, {
        stickers: [
          { sticker_type: "question", ...at, question: { text: "Ask me" } },
          { sticker_type: "countdown", ...at, countdown: { title: "Launch", end_time: new Date(Date.now() + 3600_000).toISOString() } },
        ],
      });
      const room = await track(join(viewer, author.id));
      const authorRoom = await track(join(author, author.id));
      await until(room, (s) => s.stories?.[id], "the story");

      assert.deepEqual(await room.request("interact", { storyId: id, stickerIndex: 0, answer: "why?" }), { stickerIndex: 0, result: null });
      assert.deepEqual(await room.request("interact", { storyId: id, stickerIndex: 1 }), { stickerIndex: 1, result: null });
      await until(authorRoom, (s) => s.stories[id].stickers[1].subscriberCount === 1 && s.stories[id].stickers[0].answerCount === 1, "the author's counts");
      await settle(150);
      const stickers = stateOf(room).stories[id].stickers;
      assert.equal(stickers[0].answerCount, undefined);
      assert.equal(stickers[1].subscriberCount, undefined);
    });

    it("answers an invalid payload with an error and keeps the client connected", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const id = await postStory(author);
      const room = await track(join(viewer, author.id));

      await assert.rejects(room.request("view", { storyId: "x" }), (err: any) => err.code === "invalid_message");
      await assert.rejects(room.request("interact", { storyId: id, stickerIndex: 0, optionIndex: 0, value: 3 }), (err: any) => err.code === "invalid_message");
      await assert.rejects(room.request("react", { storyId: id, emoji: "not an emoji" }), (err: any) => err.code === "invalid_message");
      const error = nextMessage<{ code: string }>(room, "error");
      room.send("reply", { storyId: id });
      assert.equal((await error).code, "invalid_message");
      await settle(100);
      assert.ok(room.connection.isOpen, "still connected");
      assert.deepEqual(await room.request("view", { storyId: id }), { counted: true, viewCount: 1 });
    });

    it("react and reply go through the service; the author is notified live and sees the counts", async () => {
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const id = await postStory(author);
      const authorRoom = await track(join(author, author.id));
      const room = await track(join(viewer, author.id));
      await until(room, (s) => s.stories?.[id], "the story");

      const notification = nextMessage<any>(authorRoom, "notification");
      assert.deepEqual(await room.request("reply", { storyId: id, text: "love it" }), { ok: true });
      const n = await notification;
      assert.equal(n.type, "story_reply");
      assert.equal(n.actorId, viewer.id);
      assert.equal(n.storyId, id);

      await room.request("react", { storyId: id, emoji: "🔥" });
      const state = await until(authorRoom, (s) => s.stories[id].reactionCount === 1 && s.stories[id].insights.replies === 1, "counts");
      assert.equal(state.stories[id].insights.reactions, 1);
      await until(room, (s) => s.stories[id].reactionCount === 1, "reactionCount for the viewer");
    });
  });

  describe("live reel", () => {
    it("a story created over REST appears, and one deleted over REST disappears, without reconnecting", async () => {
      const author = await createUser({ roles: ["creator"] });
      const [viewer, follower] = await Promise.all([createUser(), createUser()]);
      await call("POST", `/api/v1/users/${author.id}/follow`, follower.token);
      const first = await postStory(author);
      const viewerRoom = await track(join(viewer, author.id));
      const followerRoom = await track(join(follower, author.id));

      const second = await postStory(author, { text_content: "second" });
      const forFollowers = await postStory(author, { privacy: "followers" });
      const state = await until(viewerRoom, (s) => s.stories?.[second], "the new public story");
      assert.equal(state.stories[second].textContent, "second");
      await until(followerRoom, (s) => Object.keys(s.stories ?? {}).length === 3, "all three for the follower");
      await settle(150);
      assert.deepEqual(storyIds(viewerRoom), [first, second].sort(), "a followers-only story stays out of a stranger's state");

      const del = await api("DELETE", `/api/v1/stories/${first}`, { token: author.token });
      assert.equal(del.status, 204);
      await until(viewerRoom, (s) => !s.stories?.[first], "the deleted story gone");
      await until(followerRoom, (s) => !s.stories?.[first], "gone for the follower too");
      assert.deepEqual(storyIds(followerRoom), [second, forFollowers].sort());
    });

    it("removes a story when it expires (injected clock)", async () => {
      const clock = manualClock(Date.now());
      const author = await createUser({ roles: ["creator"] });
      const viewer = await createUser();
      const short = await postStory(author, { expires_in_hours: 1 });
      const long = await postStory(author, { expires_in_hours: 2 });
      const room = await track(join(viewer, author.id));
      await until(room, (s) => Object.keys(s.stories ?? {}).length === 2, "both stories");

      clock.advance(60 * 60 * 1000 + 1);
      await until(room, (s) => !s.stories?.[short], "the expired story removed", 3000);
      assert.deepEqual(storyIds(room), [long]);
    });
  });
});
