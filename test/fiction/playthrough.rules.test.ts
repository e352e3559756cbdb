import assert from "node:assert/strict";
import type { Cursor, Stats } from "../../src/fiction/engine";
import {
  choiceKey,
  decideStart,
  dropReplay,
  effectiveCost,
  finishReplay,
  newProgress,
  optionRef,
  wasChosen,
  withCursor,
  type Progress,
  type Run,
} from "../../src/fiction/playthrough.rules";
import type { DomainError } from "../../src/shared/errors";

const stats = (outfits: string[] = [], liam = 0): Stats => ({ relationships: liam ? { liam } : {}, flags: {}, outfits });
const cursor = (over: Partial<Cursor> = {}): Cursor => ({ sceneId: "a", line: 0, step: 0, ended: false, stats: stats(), ...over });
const run = (chapter: number, over: Partial<Run> = {}): Run => ({ chapter, version: 1, replay: false, seq: 1, cursor: cursor(), ...over });
const progress = (over: Partial<Progress> = {}): Progress => ({ ...newProgress("u", "b"), ...over });

describe("playthrough rules", () => {
  it("decides how a chapter starts: first (with or without a key), resume, replay, locked", () => {
    assert.deepEqual(decideStart(progress(), 1, 3), { kind: "first", needsKey: true });
    assert.throws(() => decideStart(progress(), 2, 3), (e: DomainError) => e.code === "chapter_locked");
    assert.throws(() => decideStart(progress(), 4, 3), (e: DomainError) => e.code === "chapter_not_found");
    const playing = progress({ run: run(1), unlocked_chapters: [1] });
    assert.deepEqual(decideStart(playing, 1, 3), { kind: "resume" });
    const done = progress({ completed_chapters: [1], unlocked_chapters: [1], chapter_start_stats: { "1": stats([], 3) }, stats: stats([], 9) });
    assert.deepEqual(decideStart(done, 1, 3), { kind: "replay", from: stats([], 3) });
    assert.deepEqual(decideStart(done, 2, 3), { kind: "first", needsKey: true });
    assert.deepEqual(decideStart({ ...done, unlocked_chapters: [1, 2] }, 2, 3), { kind: "first", needsKey: false }, "a key is spent once per chapter");
  });

  it("completes a canonical run when its cursor ends, once, and never for a replay", () => {
    const p = progress({ run: run(1) });
    const ended = withCursor(p, cursor({ ended: true, stats: stats(["gown"], 10) }));
    assert.deepEqual(ended.completed_chapters, [1]);
    assert.deepEqual(ended.pending_rewards, [1]);
    assert.deepEqual(ended.stats, stats(["gown"], 10));
    assert.deepEqual(withCursor(ended, cursor({ ended: true })).completed_chapters, [1]);
    const replaying = progress({ run: run(1, { cursor: cursor({ ended: true }) }), replay: run(1, { replay: true, seq: 2 }), completed_chapters: [1] });
    const replayEnded = withCursor(replaying, cursor({ ended: true, stats: stats([], 50) }));
    assert.deepEqual(replayEnded.completed_chapters, [1]);
    assert.deepEqual(replayEnded.pending_rewards, []);
    assert.deepEqual(replayEnded.stats, stats(), "a replay's stats are not canonical until kept");
  });

  it("keeps or drops a finished replay, never losing an outfit", () => {
    const p = progress({
      stats: stats(["cloak"], 5),
      run: run(2),
      replay: run(1, { replay: true, cursor: cursor({ ended: true, stats: stats(["gown"], 20) }) }),
    });
    const kept = finishReplay(p, true);
    assert.deepEqual(kept.stats, { relationships: { liam: 20 }, flags: {}, outfits: ["gown", "cloak"] });
    assert.deepEqual(kept.run!.cursor.stats, kept.stats, "the chapter in progress continues from the kept stats");
    const dropped = finishReplay(p, false);
    assert.deepEqual(dropped.stats, { relationships: { liam: 5 }, flags: {}, outfits: ["cloak", "gown"] });
    assert.equal(dropped.replay, null);
    assert.throws(() => finishReplay({ ...p, replay: run(1, { replay: true }) }, true), (e: DomainError) => e.code === "replay_not_finished");
    assert.throws(() => finishReplay(progress(), true), (e: DomainError) => e.code === "no_replay");
    const abandoned = dropReplay({ ...p, replay: run(1, { replay: true, cursor: cursor({ stats: stats(["crown"]) }) }) });
    assert.deepEqual(abandoned.stats.outfits, ["cloak", "crown"]);
  });

  it("keys choices by player, book, chapter, run, step, scene and option; an owned option is free", () => {
    const r = run(1, { seq: 3, cursor: cursor({ step: 2 }) });
    const key = choiceKey("u", "b", r, "gate", "bribe");
    assert.equal(key, "choice:u:b:1:3:2:gate:bribe");
    assert.ok(wasChosen([key], "u", "b", r, 2, "bribe"));
    assert.ok(wasChosen([key], "u", "b", r, 2, "bribe", "gate"));
    assert.ok(!wasChosen([key], "u", "b", r, 2, "bribe", "courtyard"));
    assert.ok(!wasChosen([key], "u", "b", r, 1, "bribe"));
    assert.ok(!wasChosen([key], "u", "b", { ...r, seq: 4 }, 2, "bribe"), "another run's choice is another choice");
    const p = progress({ owned_options: [optionRef(1, "gate", "bribe")] });
    assert.equal(effectiveCost(p, 1, "gate", { id: "bribe", cost: 20 }), 0);
    assert.equal(effectiveCost(p, 2, "gate", { id: "bribe", cost: 20 }), 20);
  });
});
