import assert from "node:assert/strict";
import { engineFor } from "../../src/fiction/engines";
import { emptyStats, type ChapterEngine, type Cursor, type Stats } from "../../src/fiction/engine";
import { InkEngine } from "../../src/fiction/ink.engine";
import { NativeEngine } from "../../src/fiction/native.engine";
import type { NativeChapter } from "../../src/fiction/content.types";
import { compileInk, explorePaths, flagsSetBy, validateInkChapter, validateNativeChapter } from "../../src/fiction/validator.rules";
import { SAMPLE_CHAPTERS, sampleInkSource, sampleNativeChapter } from "../../src/fiction/sample-book";
import { DomainError } from "../../src/shared/errors";

function nativeChapter(n: number, knownFlags: string[] = []): NativeChapter {
  const outcome = validateNativeChapter(sampleNativeChapter(n), knownFlags);
  assert.ok(outcome.ok, JSON.stringify(outcome.problems));
  return outcome.content;
}

function inkJson(source = sampleInkSource()): string {
  const compiled = compileInk(source);
  assert.ok("json" in compiled, JSON.stringify(compiled));
  return compiled.json;
}

const stats = (relationships: Record<string, number> = {}, flags: Record<string, boolean> = {}): Stats => ({ relationships, flags, outfits: [] });

/** Starting points that open every gated option of the sample book somewhere. */
const PROBES: Stats[] = [emptyStats(), stats({ liam: 15 }), stats({ liam: 25 }, { bribed_guard: true, found_passage: true })];

function isEndScene(chapter: NativeChapter, sceneId: string): boolean {
  return chapter.scenes[sceneId]?.end === true;
}

function play(engine: ChapterEngine, from: Stats, choices: string[]): Cursor {
  let cursor = engine.begin(from);
  for (const id of choices) {
    while (engine.view(cursor).options.length === 0 && !cursor.ended) cursor = engine.advance(cursor).cursor;
    cursor = engine.choose(cursor, id).cursor;
  }
  return cursor;
}

describe("fiction engine", () => {
  describe("the sample book, native", () => {
    it("validates every chapter, each with the flags earlier chapters set", () => {
      const known: string[] = [];
      for (const n of SAMPLE_CHAPTERS) {
        const chapter = nativeChapter(n, known);
        known.push(...flagsSetBy(chapter));
      }
      assert.deepEqual(known.sort(), ["bribed_guard", "exposed_uncle", "found_passage", "knows_secret"]);
    });

    it("plays every reachable path of every chapter to a chapter end", () => {
      const expectedPaths: Record<number, number[]> = { 1: [9, 9, 9], 2: [4, 6, 8], 3: [2, 2, 4] };
      for (const n of SAMPLE_CHAPTERS) {
        const chapter = nativeChapter(n, ["bribed_guard", "found_passage"]);
        PROBES.forEach((probe, i) => {
          const ends = explorePaths(new NativeEngine(chapter), probe);
          assert.equal(ends.length, expectedPaths[n]![i], `chapter ${n}, probe ${i}`);
          for (const end of ends) {
            assert.ok(end.cursor.ended);
            assert.ok(isEndScene(chapter, end.cursor.sceneId), `chapter ${n} ends in ${end.cursor.sceneId}`);
          }
        });
      }
    });

    it("applies effects: relationship deltas, flags, outfits; reports the cost", () => {
      const engine = new NativeEngine(nativeChapter(1));
      let cursor = engine.begin(stats({ drake: 1 }));
      assert.equal(engine.view(cursor).current?.text, "Halt! Who goes there?");
      const bribe = engine.choose(cursor, "bribe");
      assert.equal(bribe.cost, 20);
      assert.deepEqual(bribe.effects, { flags: { bribed_guard: true }, relationships: { drake: 10 } });
      assert.deepEqual(bribe.cursor.stats, { relationships: { drake: 11 }, flags: { bribed_guard: true }, outfits: [] });
      assert.equal(bribe.cursor.sceneId, "bribe");
      assert.equal(bribe.cursor.step, 1);
      cursor = engine.advance(bribe.cursor).cursor; // the one line of "bribe" → courtyard
      assert.equal(cursor.sceneId, "courtyard");
      const gown = engine.choose(cursor, "gown");
      assert.deepEqual(gown.cursor.stats.outfits, ["silver_gown"]);
      assert.equal(gown.cursor.stats.relationships.liam, 15);
      const again = engine.choose({ ...cursor, stats: gown.cursor.stats }, "gown");
      assert.deepEqual(again.cursor.stats.outfits, ["silver_gown"], "an outfit unlocked twice is one outfit");
    });

    it("offers a gated option only when its conditions hold, and refuses it otherwise", () => {
      const engine = new NativeEngine(nativeChapter(2, ["bribed_guard"]));
      const atBalcony = (from: Stats) => play(engine, from, ["dance_drake"]);
      const ids = (c: Cursor) => engine.view(c).options.map((o) => o.id);
      assert.deepEqual(ids(atBalcony(stats({ liam: 14 }))), ["listen", "passage"]);
      assert.deepEqual(ids(atBalcony(stats({ liam: 15 }))), ["listen", "confess", "passage"]);
      assert.deepEqual(ids(atBalcony(stats({}, { bribed_guard: true }))), ["listen", "remind_guard", "passage"]);
      assert.throws(() => engine.choose(atBalcony(stats({ liam: 14 })), "confess"), (e: DomainError) => e.code === "choice_not_available");
      assert.throws(() => engine.choose(atBalcony(stats()), "no_such_option"), (e: DomainError) => e.code === "choice_not_available");
      // the relationship-dependent scene
      const secret = engine.choose(atBalcony(stats({ liam: 15 })), "confess");
      assert.equal(secret.cursor.sceneId, "liam_secret");
      assert.equal(engine.view(secret.cursor).current?.text, "You knew all along. And you still treated me like a person.");
    });

    it("lets a client that read ahead through linear scenes name the scene it chose in, and nothing further", () => {
      const engine = new NativeEngine(nativeChapter(3, ["found_passage"]));
      const atTrial = engine.choose(engine.begin(stats()), "stand").cursor;
      assert.equal(atTrial.sceneId, "trial");
      const t = engine.choose(atTrial, "accept", "verdict");
      assert.equal(t.fromSceneId, "verdict");
      assert.equal(t.cursor.sceneId, "end_exile");
      assert.throws(() => engine.choose(engine.begin(stats()), "accept", "verdict"), (e: DomainError) => e.code === "choice_not_available");
      assert.throws(() => engine.choose(atTrial, "accept", "council"), (e: DomainError) => e.code === "choice_not_available");
    });

    it("walks the timeline line by line and ends only past a chapter end's last line", () => {
      const engine = new NativeEngine(nativeChapter(1));
      let cursor = engine.begin(stats());
      assert.deepEqual([0, 1, 2].map(() => { const line = engine.view(cursor).line; cursor = engine.advance(cursor).cursor; return line; }), [0, 1, 2]);
      assert.equal(cursor.line, 2, "the last line of a choice scene waits for the choice");
      cursor = engine.choose(cursor, "persuade").cursor;
      assert.deepEqual([cursor.sceneId, cursor.line], ["persuade", 0]);
      cursor = engine.advance(cursor).cursor;
      assert.deepEqual([cursor.sceneId, cursor.line], ["courtyard", 0]);
      cursor = engine.choose(engine.advance(cursor).cursor, "polite").cursor;
      assert.equal(cursor.ended, false);
      cursor = engine.advance(cursor).cursor;
      assert.equal(cursor.ended, true);
      assert.deepEqual(engine.view(cursor).options, []);
      assert.throws(() => engine.choose(cursor, "polite"), (e: DomainError) => e.code === "choice_not_available");
    });
  });

  describe("the sample book, Ink", () => {
    it("compiles and validates the Ink chapter", () => {
      const outcome = validateInkChapter(inkJson(), PROBES);
      assert.ok(outcome.ok, JSON.stringify(outcome.problems));
    });

    it("plays every path to the end with the same choices and outcomes as the native chapter", () => {
      const native = new NativeEngine(nativeChapter(2, ["bribed_guard"]));
      const ink = new InkEngine(inkJson());
      for (const probe of PROBES) {
        const summary = (engine: ChapterEngine) =>
          explorePaths(engine, probe)
            .map((e) => ({ choices: e.choices.join(">"), stats: e.cursor.stats }))
            .sort((a, b) => a.choices.localeCompare(b.choices));
        const inkPaths = summary(ink);
        assert.ok(inkPaths.length >= 4);
        assert.deepEqual(inkPaths, summary(native), "same option sequences, same stats at the end");
      }
    });

    it("maps rel_* and flag_* variables to relationships and flags, both ways", () => {
      const ink = new InkEngine(inkJson());
      const atBalcony = ink.choose(ink.begin(stats({ liam: 10, drake: 3 })), "dance_liam");
      assert.deepEqual(atBalcony.effects, { relationships: { liam: 5 } });
      assert.equal(atBalcony.cursor.stats.relationships.liam, 15, "the player's score went into the story and came back +5");
      assert.equal(atBalcony.cursor.stats.relationships.drake, 3);
      assert.ok(ink.view(atBalcony.cursor).options.some((o) => o.id === "confess"), "the Ink condition {rel_liam >= 15} sees the player's score");
      const confess = ink.choose(atBalcony.cursor, "confess");
      assert.deepEqual(confess.effects, { relationships: { liam: 5 }, flags: { knows_secret: true } });
    });

    it("reads #cost, #id and #outfit tags and line tags (speaker, expression, background)", () => {
      const source = [
        "VAR rel_liam = 0",
        "# bg:cdn.example.com/bg/hall.jpg # music:cdn.example.com/m/a.mp3",
        "Liam: Pick one. #expr:smile",
        "* [Plain cloak] -> done",
        "* [Velvet gown #cost:15 #id:gown #outfit:velvet_gown]",
        "  ~ rel_liam += 2",
        "  -> done",
        "=== done ===",
        "Narration without a speaker.",
        "-> END",
      ].join("\n");
      const ink = new InkEngine(inkJson(source));
      const start = ink.begin(emptyStats());
      const view = ink.view(start);
      assert.equal(view.background, "cdn.example.com/bg/hall.jpg");
      assert.equal(view.music, "cdn.example.com/m/a.mp3");
      assert.deepEqual(view.current, { type: "dialogue", character: "Liam", text: "Pick one.", expression: "smile" });
      assert.deepEqual(view.options, [
        { id: "choice-0", text: "Plain cloak", cost: 0 },
        { id: "gown", text: "Velvet gown", cost: 15 },
      ]);
      const t = ink.choose(start, "gown");
      assert.equal(t.cost, 15);
      assert.deepEqual(t.effects, { relationships: { liam: 2 }, outfits: ["velvet_gown"] });
      assert.deepEqual(ink.view(t.cursor).current, { type: "dialogue", text: "Narration without a speaker." });
    });

    it("saves the Ink state as JSON and resumes it in a fresh engine (another process)", () => {
      const json = inkJson();
      const first = new InkEngine(json);
      const atBalcony = first.advance(first.choose(first.begin(stats({ liam: 12 })), "dance_liam").cursor).cursor;
      const saved = JSON.parse(JSON.stringify(atBalcony)) as Cursor;
      const second = new InkEngine(json);
      assert.deepEqual(second.view(saved), first.view(atBalcony));
      assert.equal(second.view(saved).line, 1);
      const done = second.choose(saved, "confess");
      assert.equal(done.cursor.sceneId, "night_end");
      assert.equal(done.cursor.stats.relationships.liam, 22);
    });

    it("goes through engineFor for both formats", () => {
      assert.ok(engineFor({ format: "native", native: nativeChapter(1) }) instanceof NativeEngine);
      assert.ok(engineFor({ format: "ink", ink: { title: "t", json: inkJson() } }) instanceof InkEngine);
    });
  });
});
