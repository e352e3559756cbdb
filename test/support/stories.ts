import assert from "node:assert/strict";
import { api } from "./http";
import type { TestUser } from "./factories";

/** The create body from the original service's README ("Create a Story with Poll"), as written there. */
export const SEED_POLL_STORY = {
  story_type: "image",
  media_id: "media-uuid",
  duration: 10,
  privacy: "followers",
  stickers: [
    {
      sticker_type: "poll",
      x: 0.5,
      y: 0.7,
      width: 0.8,
      height: 0.3,
      poll: {
        question: "Best programming language?",
        options: [
          { text: "Python", votes: 0 },
          { text: "Go", votes: 0 },
          { text: "Rust", votes: 0 },
        ],
      },
    },
  ],
};

/** A minimal valid story body: public text. */
export const textStory = (extra: Record<string, unknown> = {}) => ({ story_type: "text", text_content: "hello", privacy: "public", ...extra });

/** A REST call that must succeed (2xx); returns the body. */
export async function call(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await api(method, path, { token, body });
  assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Create a story over REST (201 asserted); returns the story JSON. */
export async function createStory(author: TestUser, body: Record<string, unknown>): Promise<any> {
  const res = await api("POST", "/api/v1/stories", { token: author.token, body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** A sticker's position and size (fractions of the frame), for building sticker bodies. */
export const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };

/** Post a public text story (plus `body`) as `author`; returns its id. */
export async function postStory(author: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  return (await createStory(author, textStory(body))).id;
}

/** `user` follows `target` over REST (204 asserted). */
export async function follow(user: TestUser, target: Pick<TestUser, "id">): Promise<void> {
  const res = await api("POST", `/api/v1/users/${target.id}/follow`, { token: user.token });
  assert.equal(res.status, 204, JSON.stringify(res.body));
}
