import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser, type TestUser } from "../support/factories";
import { sampleNativeChapter } from "../../src/fiction/sample-book";
import { resetState, testServer } from "../support/server";
import { seedSampleBook } from "../../src/fiction/seed";
import { getProgressionProfile } from "../../src/progression/progression.service";
import { getLeaderboard } from "../../src/leaderboards/leaderboard.service";
import { createReader, grantDiamonds, play, playChapterRest } from "./fiction.fixtures";

describe("fiction playthrough REST", () => {
  let reader: TestUser;
  let bookId: string;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    reader = await createReader();
    bookId = (await seedSampleBook()).book_id;
  });

  const inventory = async () => (await api("GET", "/api/v1/inventory", { token: reader.token })).body;
  const progress = async () => (await api("GET", `/api/v1/play/progress/${bookId}`, { token: reader.token })).body;

  it("starts chapter 1 for a key and shows the first line; a second start resumes without a key", async () => {
    assert.equal((await inventory()).keys.balance, 5, "the welcome keys");
    const start = await play(reader.token, "start", { book_id: bookId, chapter: 1 });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    assert.equal(start.body.mode, "story");
    assert.equal(start.body.scene.id, "gate");
    assert.deepEqual(start.body.scene.current, { type: "dialogue", character: "Drake", text: "Halt! Who goes there?", expression: "stern" });
    assert.equal(start.body.wallet.keys, 4);
    assert.deepEqual(start.body.options.map((o: any) => [o.id, o.cost, o.affordable]), [["demand", 0, true], ["persuade", 0, true], ["bribe", 20, false]]);
    const again = await play(reader.token, "start", { book_id: bookId, chapter: 1 });
    assert.equal(again.body.wallet.keys, 4, "resuming costs nothing");
    assert.equal((await inventory()).keys.balance, 4);
    const locked = await play(reader.token, "start", { book_id: bookId, chapter: 2 });
    assert.equal(locked.status, 409);
    assert.equal(locked.body.error.code, "chapter_locked");
  });

  it("debits a premium choice with the progress, refuses it without diamonds, and refuses what is not available", async () => {
    await play(reader.token, "start", { book_id: bookId, chapter: 1 });
    const broke = await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "bribe" });
    assert.equal(broke.status, 409);
    assert.equal(broke.body.error.code, "insufficient_funds");
    const unchanged = await progress();
    assert.equal(unchanged.scene.id, "gate");
    assert.equal(unchanged.step, 0);

    const cheat = await play(reader.token, "choice", { book_id: bookId, scene_id: "courtyard", choice_id: "gown" });
    assert.equal(cheat.body.error.code, "choice_not_available", "a scene behind a choice cannot be named");
    const unknown = await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "fly_over_the_wall" });
    assert.equal(unknown.body.error.code, "choice_not_available");

    await grantDiamonds(reader.id, 50);
    const bribe = await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "bribe" });
    assert.equal(bribe.status, 200, JSON.stringify(bribe.body));
    assert.equal(bribe.body.applied, true);
    assert.equal(bribe.body.cost, 20);
    assert.deepEqual(bribe.body.effects, { flags: { bribed_guard: true }, relationships: { drake: 10 } });
    assert.equal(bribe.body.view.wallet.diamonds, 30);
    assert.equal(bribe.body.view.scene.id, "bribe");
    assert.deepEqual(bribe.body.view.stats.flags, { bribed_guard: true });
    const repeat = await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "bribe" });
    assert.equal(repeat.status, 200);
    assert.equal(repeat.body.applied, false, "the same choice again is acknowledged, not applied");
    assert.equal((await inventory()).diamonds, 30);
  });

  it("completes chapters: XP, the book's readers board, popularity, the next chapter unlocked", async () => {
    await grantDiamonds(reader.id, 100);
    const end1 = await playChapterRest(reader.token, bookId, 1, [["gate", "persuade"], ["courtyard", "gown"]]);
    assert.deepEqual(end1.completed_chapters, [1]);
    assert.equal(end1.scene.id, "ch1_end");
    assert.deepEqual(end1.stats, { relationships: { drake: 5, liam: 15 }, flags: {}, outfits: ["silver_gown"] });
    assert.equal((await getProgressionProfile(reader.id)).xp, 25);
    const board = await getLeaderboard("book_readers", { scope_id: bookId });
    assert.equal(board.items[0]?.score, 1);
    assert.equal((await api("GET", `/api/v1/books/${bookId}`)).body.reads_7d, 1);

    // chapter 2 is Ink: the liam score of chapter 1 opens the relationship-dependent option
    const ch2 = await play(reader.token, "start", { book_id: bookId, chapter: 2 });
    assert.equal(ch2.status, 200, JSON.stringify(ch2.body));
    assert.equal(ch2.body.scene.id, "ballroom");
    const danced = await play(reader.token, "choice", { book_id: bookId, scene_id: "ballroom", choice_id: "dance_liam" });
    assert.equal(danced.body.view.stats.relationships.liam, 20);
    assert.ok(danced.body.view.options.some((o: any) => o.id === "confess"));
    const confess = await play(reader.token, "choice", { book_id: bookId, scene_id: "balcony", choice_id: "confess" });
    assert.deepEqual(confess.body.effects, { relationships: { liam: 5 }, flags: { knows_secret: true } });
    let view = confess.body.view;
    while (!view.ended) view = (await play(reader.token, "advance", { book_id: bookId })).body;
    assert.deepEqual(view.completed_chapters, [1, 2]);
    assert.equal((await getProgressionProfile(reader.id)).xp, 50);
    assert.equal((await inventory()).keys.balance, 3);
  });

  it("replays a finished chapter free; replay choices count only if kept; a premium option is paid once per player", async () => {
    await grantDiamonds(reader.id, 100);
    await playChapterRest(reader.token, bookId, 1, [["gate", "bribe"], ["courtyard", "polite"]]);
    assert.equal((await inventory()).diamonds, 80);

    const replay = await play(reader.token, "start", { book_id: bookId, chapter: 1 });
    assert.equal(replay.body.mode, "replay");
    assert.equal(replay.body.wallet.keys, 4, "a replay needs no key");
    assert.deepEqual(replay.body.stats, { relationships: {}, flags: {}, outfits: [] }, "from the stats the chapter first started with");
    assert.deepEqual(replay.body.options.map((o: any) => [o.id, o.cost]), [["demand", 0], ["persuade", 0], ["bribe", 0]], "the bribe is paid for already");
    const bribe = await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "bribe" });
    assert.equal(bribe.body.cost, 0);
    const gown = await play(reader.token, "choice", { book_id: bookId, scene_id: "courtyard", choice_id: "gown" });
    assert.equal(gown.body.cost, 15, "a premium option first chosen in a replay costs diamonds");
    let view = gown.body.view;
    while (!view.ended) view = (await play(reader.token, "advance", { book_id: bookId })).body;
    assert.equal(view.awaiting_keep, true);
    const discarded = await play(reader.token, "keep", { book_id: bookId, keep: false });
    assert.equal(discarded.body.mode, "story");
    assert.equal(discarded.body.stats.relationships.liam, 5, "the canonical choice (polite) stands");
    assert.deepEqual(discarded.body.stats.outfits, ["silver_gown"], "a paid outfit is kept either way");

    await play(reader.token, "start", { book_id: bookId, chapter: 1 });
    await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "demand" });
    const flirt = await play(reader.token, "choice", { book_id: bookId, scene_id: "courtyard", choice_id: "flirt" });
    view = flirt.body.view;
    while (!view.ended) view = (await play(reader.token, "advance", { book_id: bookId })).body;
    const kept = await play(reader.token, "keep", { book_id: bookId, keep: true });
    assert.deepEqual(kept.body.stats.relationships, { drake: -5, liam: 10 });
    assert.deepEqual(kept.body.stats.flags, {}, "the kept replay did not bribe the guard");
    assert.equal((await inventory()).diamonds, 65);
    assert.equal((await getProgressionProfile(reader.id)).xp, 25, "XP once per chapter");
    assert.equal((await api("GET", `/api/v1/books/${bookId}`)).body.reads_7d, 1, "replays are not new reads");
  });

  it("keeps a run on the content version it started with; the next start plays the newest", async () => {
    const admin = await createUser({ roles: ["admin"] });
    await play(reader.token, "start", { book_id: bookId, chapter: 1 });
    const changed = sampleNativeChapter(1) as any;
    changed.scenes.gate.timeline[0].text = "Stop right there!";
    changed.scenes.persuade.timeline[0].text = "Fine, go in.";
    const imported = await api("POST", `/api/v1/admin/books/${bookId}/chapters`, { token: admin.token, body: { format: "native", number: 1, content: changed } });
    assert.equal(imported.body.version, 2);
    const mid = await progress();
    assert.deepEqual([mid.version, mid.scene.current.text], [1, "Halt! Who goes there?"]);
    const persuaded = await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "persuade" });
    assert.equal(persuaded.body.view.scene.current.text, "You have an honest face. Don't make me regret this.", "still version 1");
    let view = (await play(reader.token, "choice", { book_id: bookId, scene_id: "courtyard", choice_id: "polite" })).body.view;
    while (!view.ended) view = (await play(reader.token, "advance", { book_id: bookId })).body;
    const replay = await play(reader.token, "start", { book_id: bookId, chapter: 1 });
    assert.deepEqual([replay.body.mode, replay.body.version, replay.body.scene.current.text], ["replay", 2, "Stop right there!"]);
  });

  it("validates bodies and needs a token", async () => {
    assert.equal((await api("POST", "/api/v1/play/start", { body: { book_id: bookId, chapter: 1 } })).status, 401);
    assert.equal((await play(reader.token, "start", { book_id: bookId, chapter: 0 })).status, 400);
    assert.equal((await play(reader.token, "choice", { book_id: bookId, scene_id: "gate", choice_id: "bribe", cost: 0 })).status, 400);
    assert.equal((await play(reader.token, "start", { book_id: bookId, chapter: 7 })).body.error.code, "chapter_not_found");
    assert.equal((await play(reader.token, "advance", { book_id: bookId })).body.error.code, "no_active_chapter");
  });
});
