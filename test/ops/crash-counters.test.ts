import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { spawnServer, type ServerProcess } from "../support/process";

/**
 * kill -9 in the middle of a burst of votes, views, reactions and replies on the embedded default
 * (disk): after a restart every story's counters (view_count, reply_count, reaction_count,
 * interaction_count and each sticker's tallies) equal what its records say — a record whose
 * counter write the crash cut off is counted at boot, so a repeat's `already: true` and the
 * tallies agree.
 */
describe("counters after kill -9 mid-burst", function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: ServerProcess | undefined;

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "limelight-crash-"));
  });
  after(async () => {
    await server?.stop("SIGKILL").catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({ DATA_DIR: dataDir, EMBEDDED_DB: "disk", AUTH_RATE_LIMIT_PER_MINUTE: "10000", JWT_SECRET: "x".repeat(40), STORY_SWEEP_INTERVAL_MS: "600000" });

  async function call(method: string, p: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(server!.url + p, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  it("every story's counters and tallies match its records after a restart", async () => {
    server = await spawnServer(env());
    const register = async (username: string) => {
      const r = await call("POST", "/api/v1/auth/register", undefined, { username, password: "s3cret-pass" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.access_token as string;
    };
    const author = await register("crash_author");
    const viewers = await Promise.all(Array.from({ length: 24 }, (_, i) => register(`crash_viewer_${i}`)));
    const at = { x: 0.5, y: 0.5, width: 0.5, height: 0.2 };
    const storyIds: string[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await call("POST", "/api/v1/stories", author, {
        story_type: "text",
        text_content: `story ${k}`,
        privacy: "public",
        stickers: [
          { sticker_type: "poll", ...at, poll: { question: "Best?", options: [{ text: "A" }, { text: "B" }, { text: "C" }] } },
          { sticker_type: "quiz", ...at, quiz: { question: "2+2?", options: [{ text: "3" }, { text: "4" }], correct_answer_index: 1 } },
          { sticker_type: "slider", ...at, slider: { question: "How much?", emoji: "🔥" } },
          { sticker_type: "question", ...at, question: { text: "Ask me" } },
        ],
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      storyIds.push(r.body.id);
    }

    // the burst: every viewer does everything on every story at once; the process dies part-way
    const actions = viewers.flatMap((token, i) =>
      storyIds.flatMap((id) => [
        () => call("POST", `/api/v1/stories/${id}/view`, token, {}),
        () => call("POST", `/api/v1/stories/${id}/interact`, token, { sticker_index: 0, option_index: i % 3 }),
        () => call("POST", `/api/v1/stories/${id}/interact`, token, { sticker_index: 1, option_index: i % 2 }),
        () => call("POST", `/api/v1/stories/${id}/interact`, token, { sticker_index: 2, value: (i * 7) % 101 }),
        () => call("POST", `/api/v1/stories/${id}/interact`, token, { sticker_index: 3, answer: `answer ${i}` }),
        () => call("POST", `/api/v1/stories/${id}/reactions`, token, { emoji: "🔥" }),
        () => call("POST", `/api/v1/stories/${id}/reply`, token, { text: `reply ${i}` }),
      ]),
    );
    // 64 requests kept in flight (a pool), so the server is mid-work when it dies
    let answered = 0;
    let next = 0;
    const worker = async () => {
      while (next < actions.length) {
        const act = actions[next++]!;
        try {
          await act();
          answered += 1;
        } catch {
          return; // the server is gone
        }
      }
    };
    const pool = Promise.all(Array.from({ length: 64 }, worker));
    while (answered < actions.length / 3) await new Promise((r) => setTimeout(r, 1));
    server.child.kill("SIGKILL");
    await pool;
    await server.stop("SIGKILL");
    assert.ok(answered < actions.length, `the kill landed mid-burst (${answered} of ${actions.length} answered)`);

    // restart on the same data (the boot recount runs), then stop it and read the store directly
    server = await spawnServer(env());
    const again = await call("POST", `/api/v1/stories/${storyIds[0]}/interact`, viewers[0], { sticker_index: 0, option_index: 0 });
    assert.ok([200, 409].includes(again.status), JSON.stringify(again.body));
    assert.equal(await server.stop("SIGTERM"), 0, server.output());
    server = undefined;

    const store = await startEmbeddedMongo({ port: 0, dataDir: path.join(dataDir, "db") });
    const client = await MongoClient.connect(store.uri);
    try {
      const db = client.db("limelight");
      const count = (coll: string, filter: object) => db.collection(coll).countDocuments(filter);
      for (const id of storyIds) {
        const story: any = await db.collection("stories").findOne({ _id: new (require("bson").ObjectId)(id) });
        const answers = await db.collection("story_interactions").find({ story_id: id }).toArray();
        const on = (i: number) => answers.filter((a) => a.sticker_index === i);
        const msg = `story ${id}`;
        assert.equal(story.view_count, await count("story_views", { story_id: id }), `${msg} view_count`);
        assert.equal(story.reply_count, await count("story_replies", { story_id: id }), `${msg} reply_count`);
        assert.equal(story.reaction_count, await count("story_reactions", { story_id: id }), `${msg} reaction_count`);
        assert.equal(story.interaction_count, answers.length, `${msg} interaction_count`);
        const [poll, quiz, slider, question] = story.stickers;
        assert.equal(poll.poll.total_votes, on(0).length, `${msg} poll total_votes`);
        poll.poll.options.forEach((o: any, j: number) => assert.equal(o.votes, on(0).filter((a) => a.option_index === j).length, `${msg} poll option ${j}`));
        assert.equal(quiz.quiz.total_answers, on(1).length, `${msg} quiz total_answers`);
        assert.equal(quiz.quiz.correct_answers, on(1).filter((a) => a.is_correct).length, `${msg} quiz correct_answers`);
        quiz.quiz.options.forEach((o: any, j: number) => assert.equal(o.votes, on(1).filter((a) => a.option_index === j).length, `${msg} quiz option ${j}`));
        assert.equal(slider.slider.response_count, on(2).length, `${msg} slider response_count`);
        assert.equal(slider.slider.value_sum, on(2).reduce((s, a) => s + a.value, 0), `${msg} slider value_sum`);
        assert.equal(question.question.answer_count, on(3).length, `${msg} question answer_count`);
      }
    } finally {
      await client.close();
      await store.stop();
    }
  });
});
