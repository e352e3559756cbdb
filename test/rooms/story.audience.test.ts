import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { call } from "../support/stories";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { sdkClient, untilState } from "../support/sdk";

/**
 * Privacy is re-decided while a viewer is watching: an unfollow, a block or a close-friends
 * removal takes the affected stories out of that viewer's state without a reconnect, and a new
 * follow or close-friends add brings them in.
 */

async function postStory(author: TestUser, privacy: string): Promise<string> {
  return (await call("POST", "/api/v1/stories", author.token, { story_type: "text", text_content: privacy, privacy })).id;
}

function storyIds(room: Room<any>): string[] {
  return Object.keys((room.state.toJSON() as any).stories ?? {}).sort();
}

/** Wait (after each patch) until the viewer's state holds exactly `expected`. */
async function until(room: Room<any>, expected: string[], what: string, ms = 3000): Promise<void> {
  const want = JSON.stringify([...expected].sort());
  await untilState(room, () => JSON.stringify(storyIds(room)) === want, `${what}: expected ${want}`, ms);
}

describe("story room: audience changes while watching", () => {
  const open: Room<any>[] = [];
  before(testServer);
  beforeEach(resetState);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.connection.isOpen && r.leave().catch(() => undefined)));
  });

  it("unfollow, close-friends removal and block take stories away live; follow and add bring them back", async () => {
    const author = await createUser({ roles: ["creator"] });
    const viewer = await createUser();
    await call("POST", `/api/v1/users/${author.id}/follow`, viewer.token);
    await call("POST", `/api/v1/close-friends/${viewer.id}`, author.token);
    const pub = await postStory(author, "public");
    const fol = await postStory(author, "followers");
    const close = await postStory(author, "close_friends");

    const room = await sdkClient(viewer.token).joinOrCreate("story", { authorId: author.id });
    open.push(room);
    await until(room, [pub, fol, close], "a follower on the close-friends list sees all three");

    await call("DELETE", `/api/v1/close-friends/${viewer.id}`, author.token);
    await until(room, [pub, fol], "removed from close friends");

    await call("DELETE", `/api/v1/users/${author.id}/follow`, viewer.token);
    await until(room, [pub], "after unfollowing only the public story remains");

    await call("POST", `/api/v1/users/${author.id}/follow`, viewer.token);
    await until(room, [pub, fol], "following again brings the followers story back");

    await call("POST", `/api/v1/users/${viewer.id}/block`, author.token);
    await until(room, [], "a blocked viewer sees nothing, not even the public story");
  });
});
