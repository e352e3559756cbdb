import assert from "node:assert/strict";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { createStory } from "../support/stories";

/**
 * Every cursor-paged list answers 400 invalid_cursor for any cursor it did not issue — the outside
 * probe found `t` past the last representable date reaching the query cast as "Invalid Date" (500).
 */
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const ID = "6b0f0d659386aeee5b2ce7fe";

const BAD_CURSORS: Record<string, string> = {
  "t past the last date": b64(JSON.stringify({ t: 8640000000000001, id: ID })),
  "t before the first date": b64(JSON.stringify({ t: -8640000000000001, id: ID })),
  "t negative": b64(JSON.stringify({ t: -1, id: ID })),
  "t fractional": b64(JSON.stringify({ t: 1.5, id: ID })),
  "t a string": b64(JSON.stringify({ t: "1700000000000", id: ID })),
  "t overflowing to Infinity": b64(`{"t":1e400,"id":"${ID}"}`),
  "id not hex": b64(JSON.stringify({ t: 1, id: "zz" })),
  "id a number": b64(JSON.stringify({ t: 1, id: 42 })),
  "an extra key": b64(JSON.stringify({ t: 1, id: ID, x: 1 })),
  "a __proto__ key": b64(`{"__proto__":{"polluted":1},"t":1,"id":"${ID}"}`),
  "a constructor key": b64(`{"constructor":{"prototype":{"polluted":1}},"t":1,"id":"${ID}"}`),
  "JSON null": b64("null"),
  "a JSON array": b64(`[1,"${ID}"]`),
  "not JSON": b64("not json at all"),
  "not base64": "%%%***not-base64***%%%",
  "empty": "",
  "a huge string": "A".repeat(4000), // a longer URL is refused by Node itself (431)
};

describe("cursors: a malformed cursor is 400 invalid_cursor on every paged list", () => {
  let alice: TestUser;
  let bob: TestUser;
  let lists: Record<string, string>;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    [alice, bob] = [await createUser(), await createUser()];
    const story = await createStory(alice, {
      story_type: "text",
      text_content: "ask",
      privacy: "public",
      stickers: [{ sticker_type: "question", x: 0.5, y: 0.5, width: 0.5, height: 0.2, question: { text: "Ask me" } }],
    });
    const community = await api("POST", "/api/v1/communities", { token: alice.token, body: { name: "Club" } });
    lists = {
      communities: "/api/v1/communities",
      "community members": `/api/v1/communities/${community.body.id}/members`,
      notifications: "/api/v1/notifications",
      followers: `/api/v1/users/${bob.id}/followers`,
      following: `/api/v1/users/${bob.id}/following`,
      "close friends": "/api/v1/close-friends",
      "story archive": "/api/v1/stories/archive",
      replies: `/api/v1/stories/${story.id}/replies`,
      "viewers (stories)": `/api/v1/stories/${story.id}/viewers`,
      "viewers (insights)": `/api/v1/viewers/story/${story.id}`,
      "question answers": `/api/v1/stories/${story.id}/stickers/0/answers`,
      feed: "/api/v1/stories/feed",
    };
  });

  it("pages normally with no cursor and with a cursor past the end", async () => {
    const end = b64(JSON.stringify({ t: 0, id: ID }));
    for (const [name, path] of Object.entries(lists)) {
      const first = await api("GET", `${path}?limit=1`, { token: alice.token });
      assert.equal(first.status, 200, `${name}: ${JSON.stringify(first.body)}`);
      if (name === "feed") continue; // the feed's cursor has its own shape
      const past = await api("GET", `${path}?cursor=${end}`, { token: alice.token });
      assert.equal(past.status, 200, `${name} past the end: ${JSON.stringify(past.body)}`);
      assert.deepEqual(past.body.items, [], name);
    }
  });

  it("answers 400 invalid_cursor for every malformed cursor on every list", async () => {
    const failures: string[] = [];
    for (const [name, path] of Object.entries(lists)) {
      for (const [what, cursor] of Object.entries(BAD_CURSORS)) {
        const res = await api("GET", `${path}?cursor=${encodeURIComponent(cursor)}`, { token: alice.token });
        if (res.status !== 400 || res.body?.error?.code !== "invalid_cursor") failures.push(`${name}, ${what}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("refuses a feed cursor whose time is out of range", async () => {
    const res = await api("GET", `/api/v1/stories/feed?cursor=${b64(JSON.stringify({ r: 1, t: 8640000000000001, a: bob.id }))}`, { token: alice.token });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "invalid_cursor");
  });
});
