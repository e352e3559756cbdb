import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { postStory } from "../support/stories";
import { resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { joinStory, stateOf, untilState } from "../support/sdk";
import { commandsDuring } from "../support/store-commands";

/**
 * What a story-room join costs in store round trips (README, bench:api): a viewer nobody has seen
 * yet (no cached account, plan or relationship facts) joins an author's open room in 4 commands —
 * the account with its plan, the relationship facts, the reel, what the viewer saw and answered —
 * and in 2 once those caches are warm.
 */
describe("story room: the cost of a join", () => {
  const open: Room<any>[] = [];
  before(testServer);
  beforeEach(resetState);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
  });

  it("a cold viewer joins in 4 store commands, a warm one in 2, and sees the reel", async () => {
    const author = await createUser({ roles: ["creator"] });
    const viewer = await createUser();
    for (let i = 0; i < 3; i++) await postStory(author, { privacy: "public" });
    open.push(await joinStory(author, author.id)); // the room is open: only the join is measured
    await commandsDuring(async () => undefined); // the posts' follow-ups (XP) have landed

    let room!: Room<any>;
    const cold = await commandsDuring(async () => {
      room = await joinStory(viewer, author.id);
      await untilState(room, (s) => Object.keys(s.stories ?? {}).length === 3, "the 3 stories");
    });
    assert.ok(cold.length <= 4, `a cold join sent ${cold.length}: ${cold.join(", ")}`);
    assert.equal(Object.keys(stateOf(room).stories).length, 3);
    await room.leave();

    const warm = await commandsDuring(async () => {
      room = await joinStory(viewer, author.id);
      await untilState(room, (s) => Object.keys(s.stories ?? {}).length === 3, "the 3 stories");
    });
    open.push(room);
    assert.ok(warm.length <= 2, `a warm join sent ${warm.length}: ${warm.join(", ")}`);
  });
});
