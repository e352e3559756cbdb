import assert from "node:assert/strict";
import type express from "express";
import { api } from "../support/http";
import { baseUrl, resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { createStory, call } from "../support/stories";
import { sdkClient } from "../support/sdk";
import { mountedRoutes, type MountedRoute } from "../support/routes";

/**
 * Prototype pollution, end to end: every mounted REST route (found by walking the router stack)
 * and every story-room message and join option gets `__proto__` / `constructor` / `prototype`
 * as keys at several depths, as query strings and as path params, with a valid token. Nothing
 * may answer 5xx, and the process's prototypes must be exactly as before.
 */
const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype };
const snapshot = () => Object.fromEntries(Object.entries(PROTOTYPES).map(([name, proto]) => [name, Object.getOwnPropertyNames(proto).sort()]));

function assertPrototypesUntouched(before: ReturnType<typeof snapshot>) {
  assert.deepEqual(snapshot(), before, "no prototype gained or lost a property");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** Raw JSON texts: JSON.parse turns `"__proto__"` into an own key, which is how attacks arrive. */
const BODIES = [
  `{"__proto__":{"polluted":"body-1"}}`,
  `{"constructor":{"prototype":{"polluted":"body-2"}}}`,
  `{"prototype":{"polluted":"body-3"}}`,
  `{"story_type":"text","text_content":"x","privacy":"public","stickers":[{"sticker_type":"poll","x":0.5,"y":0.5,"width":0.5,"height":0.2,"poll":{"question":"q","options":[{"text":"a","__proto__":{"polluted":"body-4"}},{"text":"b"}]}}]}`,
  `{"sticker_index":0,"option_index":0,"__proto__":{"polluted":"body-5"},"ids":[{"__proto__":{"polluted":"body-5b"}}]}`,
  `[{"__proto__":{"polluted":"body-6"}}]`,
  `{"a":{"b":{"c":{"constructor":{"prototype":{"polluted":"body-7"}}}}}}`,
  `{"title":"t","story_ids":["000000000000000000000000"],"cover":{"__proto__":{"polluted":"body-8"}}}`,
];
const QUERIES = [
  "__proto__[polluted]=q1",
  "a[__proto__][polluted]=q2",
  "constructor[prototype][polluted]=q3",
  "__proto__=q4&constructor=q4&prototype=q4",
  "__proto__.polluted=q5",
];
const CURSOR_PROBE = `cursor=${b64(`{"__proto__":{"polluted":"q6"},"t":1,"id":"6b0f0d659386aeee5b2ce7fe"}`)}`;
const RESERVED = ["__proto__", "constructor", "prototype"];

describe("prototype pollution: reserved keys on every REST route and every room message", () => {
  let alice: TestUser;
  let bob: TestUser;
  let ids: { bobStory: string; aliceStory: string; highlight: string };
  before(testServer);
  beforeEach(async () => {
    await resetState();
    alice = await createUser({ roles: ["creator", "admin"] });
    bob = await createUser();
    const stickers = [
      { sticker_type: "poll", x: 0.5, y: 0.5, width: 0.5, height: 0.2, poll: { question: "Best?", options: [{ text: "A" }, { text: "B" }] } },
      { sticker_type: "question", x: 0.5, y: 0.5, width: 0.5, height: 0.2, question: { text: "Ask" } },
    ];
    const bobStory = await createStory(bob, { story_type: "text", text_content: "b", privacy: "public", stickers });
    const aliceStory = await createStory(alice, { story_type: "text", text_content: "a", privacy: "public", stickers });
    const highlight = await call("POST", "/api/v1/highlights", alice.token, { title: "mine", story_ids: [aliceStory.id] });
    ids = { bobStory: bobStory.id, aliceStory: aliceStory.id, highlight: highlight.id };
  });

  /** A concrete path: each param a real id (so requests get past lookups), or `override` for all. */
  const fill = (route: MountedRoute, override?: string) =>
    route.path.replace(/:(\w+)/g, (_m, name: string) => {
      if (override !== undefined) return encodeURIComponent(override);
      if (name === "user_id") return bob.id;
      if (name === "index") return "0";
      return route.path.startsWith("/api/v1/highlights") ? ids.highlight : ids.bobStory;
    });

  it("answers every REST route with 4xx or success, never 5xx, and leaves the prototypes alone", async () => {
    const colyseus = await testServer();
    const app = (colyseus.server.transport as unknown as { getExpressApp(): express.Application }).getExpressApp();
    const found = mountedRoutes(app);
    // deletions last, so the other routes still find what they act on
    const routes = [...new Map(found.map((r) => [`${r.method} ${r.path}`, r])).values()].sort((a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"));
    assert.ok(routes.length >= 45, `the walk found ${routes.length} routes`);
    for (const known of ["POST /api/v1/stories", "POST /api/v1/stories/:id/interact", "PATCH /api/v1/auth/profile", "GET /api/v1/notifications"]) {
      assert.ok(routes.some((r) => `${r.method} ${r.path}` === known), `found ${known}`);
    }

    const before = snapshot();
    const failures: string[] = [];
    let sent = 0;
    const send = async (method: string, path: string, rawBody?: string) => {
      sent++;
      const res = await api(method, path, { token: alice.token, ...(rawBody !== undefined ? { rawBody } : {}) });
      if (res.status >= 500) failures.push(`${method} ${path} ${rawBody ?? ""} → ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    };
    for (const route of routes) {
      const methods = route.method === "USE" ? ["GET", "POST"] : [route.method];
      for (const method of methods) {
        const path = fill(route);
        const inApi = path.startsWith("/api/v1/");
        for (const q of QUERIES) {
          const res = await send(method, `${path}?${q}`);
          if (inApi && res.status !== 400) failures.push(`${method} ${path}?${q} → ${res.status}, expected 400`);
        }
        // a cursor is decoded only by paged lists (400 there); elsewhere it is ignored, so only "not 5xx" applies
        await send(method, `${path}?${CURSOR_PROBE}`);
        if (method !== "GET") {
          for (const body of BODIES) {
            const res = await send(method, path, body);
            if (inApi && res.status !== 400) failures.push(`${method} ${path} ${body} → ${res.status}, expected 400`);
          }
        }
        if (route.path.includes(":")) for (const word of RESERVED) await send(method, fill(route, word));
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${sent} requests`);
    assertPrototypesUntouched(before);
    // and the routes still work for ordinary input afterwards
    assert.equal((await api("GET", "/api/v1/auth/profile", { token: alice.token })).status, 200);
  });

  it("refuses join options with reserved keys and answers reserved-key messages with invalid_message, never internal_error", async () => {
    const before = snapshot();
    // raw requests: the SDK would not send an object with an own "constructor" key as JSON at all
    const join = (json: string) =>
      fetch(`${baseUrl}/matchmake/joinOrCreate/story`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${alice.token}` }, body: json });
    const joinBodies = [
      ...RESERVED.map((word) => `{"authorId":"${bob.id}","${word}":{"polluted":"join"}}`),
      `{"authorId":{"__proto__":{"polluted":"join"}}}`,
      `{"authorId":"${bob.id}","x":[{"constructor":{"prototype":{"polluted":"join"}}}]}`,
    ];
    for (const json of joinBodies) {
      const res = await join(json);
      const body = (await res.json()) as { error: string };
      assert.equal(res.status, 400, `${json}: ${JSON.stringify(body)}`);
      assert.match(body.error, /invalid_join_options/);
    }
    await assert.rejects(sdkClient(alice.token).joinOrCreate("story", JSON.parse(`{"authorId":"${bob.id}","__proto__":{"polluted":"join"}}`)), /invalid_join_options/);

    const room = await sdkClient(alice.token).joinOrCreate("story", { authorId: bob.id });
    try {
      const storyId = ids.bobStory;
      const payloads = [
        `{"storyId":"${storyId}","__proto__":{"polluted":"msg-1"}}`,
        `{"storyId":"${storyId}","constructor":{"prototype":{"polluted":"msg-2"}}}`,
        `{"storyId":"${storyId}","prototype":{"polluted":"msg-3"}}`,
        `{"storyId":"${storyId}","stickerIndex":0,"optionIndex":0,"answer":{"__proto__":{"polluted":"msg-4"}}}`,
        `{"storyId":"${storyId}","emoji":"🔥","message":{"constructor":{"prototype":{"polluted":"msg-5"}}}}`,
        `[{"__proto__":{"polluted":"msg-6"}}]`,
        `{"__proto__":{"toString":"msg-7","valueOf":"msg-7"}}`,
      ];
      const failures: string[] = [];
      for (const type of ["view", "interact", "react", "reply", "__proto__", "constructor", "toString", "hasOwnProperty"]) {
        for (const text of payloads) {
          try {
            await room.request(type, JSON.parse(text));
            failures.push(`${type} ${text}: accepted`);
          } catch (err) {
            const e = err as { code?: string; name?: string; message?: string };
            const known = ["view", "interact", "react", "reply"].includes(type);
            if (known ? e.code !== "invalid_message" : e.name !== "no_handler") failures.push(`${type} ${text}: ${JSON.stringify(e)}`);
          }
        }
      }
      assert.deepEqual(failures, []);
      // still connected, and ordinary messages still work
      assert.deepEqual(await room.request("view", { storyId }), { counted: true, viewCount: 1 });
    } finally {
      await room.leave();
    }
    assertPrototypesUntouched(before);
  });
});
