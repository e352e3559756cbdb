import assert from "node:assert/strict";
import { compileInk, validateInkChapter, validateNativeChapter, type ContentProblem } from "../../src/fiction/validator.rules";
import { sampleNativeChapter } from "../../src/fiction/sample-book";

type Raw = { title: string; startSceneId: string; scenes: Record<string, any> };

/** A small valid chapter to break one way at a time. */
function chapter(): Raw {
  return {
    title: "Test",
    startSceneId: "a",
    scenes: {
      a: {
        timeline: [{ text: "Hello." }],
        choice: {
          options: [
            { id: "x", text: "X", nextSceneId: "b" },
            { id: "y", text: "Y", cost: 10, nextSceneId: "c", effects: { flags: { met: true } } },
          ],
        },
      },
      b: { timeline: [{ text: "B." }], nextSceneId: "end" },
      c: { timeline: [{ text: "C." }], nextSceneId: "end" },
      end: { timeline: [{ text: "The end." }], end: true },
    },
  };
}

function problems(raw: unknown, known: string[] = []): Array<Pick<ContentProblem, "scene_id" | "code">> {
  const outcome = validateNativeChapter(raw, known);
  return outcome.ok ? [] : outcome.problems.map(({ scene_id, code }) => ({ scene_id, code }));
}

function inkProblems(source: string): Array<Pick<ContentProblem, "scene_id" | "code">> {
  const compiled = compileInk(source);
  if ("problems" in compiled) return compiled.problems.map(({ scene_id, code }) => ({ scene_id, code }));
  const outcome = validateInkChapter(compiled.json);
  return outcome.ok ? [] : outcome.problems.map(({ scene_id, code }) => ({ scene_id, code }));
}

describe("fiction content validator", () => {
  it("accepts a valid chapter and the sample chapters", () => {
    assert.deepEqual(problems(chapter()), []);
    assert.deepEqual(problems(sampleNativeChapter(1)), []);
  });

  it("reports a nextSceneId that does not exist, on a scene and on an option", () => {
    const c = chapter();
    c.scenes.b.nextSceneId = "nowhere";
    c.scenes.a.choice.options[1].nextSceneId = "void";
    assert.deepEqual(problems(c), [
      { scene_id: "a", code: "unknown_next_scene" },
      { scene_id: "b", code: "unknown_next_scene" },
      { scene_id: "c", code: "unreachable_scene" },
      { scene_id: "end", code: "unreachable_scene" },
    ]);
  });

  it("reports a missing start scene and every unreachable scene", () => {
    const c = chapter();
    c.scenes.orphan = { timeline: [{ text: "Nobody comes here." }], nextSceneId: "end" };
    assert.deepEqual(problems(c), [{ scene_id: "orphan", code: "unreachable_scene" }]);
    const d = chapter();
    d.startSceneId = "zz";
    assert.deepEqual(problems(d)[0], { scene_id: null, code: "missing_start_scene" });
    assert.equal(problems(d).filter((p) => p.code === "unreachable_scene").length, 4);
  });

  it("reports a dead end that is not a chapter end, and a scene with two kinds of exit", () => {
    const c = chapter();
    delete c.scenes.c.nextSceneId;
    c.scenes.b.end = true;
    assert.deepEqual(problems(c), [
      { scene_id: "b", code: "ambiguous_exit" },
      { scene_id: "c", code: "dead_end" },
    ]);
  });

  it("reports costs that are not positive integers", () => {
    for (const cost of [0, -5, 2.5]) {
      const c = chapter();
      c.scenes.a.choice.options[1].cost = cost;
      assert.deepEqual(problems(c), [{ scene_id: "a", code: "invalid_cost" }], `cost ${cost}`);
    }
  });

  it("reports conditions on flags no chapter sets, accepting flags from earlier chapters and this one", () => {
    const c = chapter();
    c.scenes.b = {
      timeline: [{ text: "B." }],
      choice: {
        options: [
          { id: "p", text: "P", nextSceneId: "end" },
          { id: "q", text: "Q", nextSceneId: "end", conditions: { flags: { met: true, bribed_guard: true, typo_flag: true } } },
        ],
      },
    };
    assert.deepEqual(problems(c, ["bribed_guard"]), [{ scene_id: "b", code: "unknown_flag" }]);
    const outcome = validateNativeChapter(c, ["bribed_guard"]);
    assert.ok(!outcome.ok);
    assert.match(outcome.problems[0]!.message, /typo_flag/);
  });

  it("reports duplicate option ids and a choice where every option is gated", () => {
    const c = chapter();
    c.scenes.a.choice.options[1].id = "x";
    c.scenes.b = { timeline: [], choice: { options: [{ id: "g", text: "G", nextSceneId: "end", conditions: { min_relationship: { liam: 5 } } }] } };
    assert.deepEqual(problems(c), [
      { scene_id: "a", code: "duplicate_option_id" },
      { scene_id: "b", code: "all_options_gated" },
    ]);
  });

  it("reports structural errors with the scene they are in", () => {
    const c = chapter();
    c.scenes.b.timeline = [{ character: "Liam" }];
    c.scenes.c.music = 42;
    const found = problems(c);
    assert.deepEqual(found.map((p) => p.scene_id).sort(), ["b", "c"]);
    assert.ok(found.every((p) => p.code === "invalid_structure"));
    assert.deepEqual(problems("not a chapter"), [{ scene_id: null, code: "invalid_structure" }]);
  });

  it("lists every problem of a badly broken chapter at once", () => {
    const c = chapter();
    c.scenes.a.choice.options[0].nextSceneId = "gone";
    c.scenes.a.choice.options[1].cost = -1;
    delete c.scenes.b.nextSceneId;
    c.scenes.lost = { timeline: [], end: true };
    assert.deepEqual(problems(c), [
      { scene_id: "a", code: "unknown_next_scene" },
      { scene_id: "a", code: "invalid_cost" },
      { scene_id: "b", code: "dead_end" },
      { scene_id: "b", code: "unreachable_scene" },
      { scene_id: "lost", code: "unreachable_scene" },
    ]);
  });

  describe("Ink", () => {
    it("reports compiler errors (a divert to a missing knot) with their line", () => {
      const found = compileInk("Hello.\n-> nowhere\n");
      assert.ok("problems" in found);
      assert.equal(found.problems[0]!.code, "ink_compile_error");
      assert.match(found.problems[0]!.message, /line 2.*nowhere/);
    });

    it("reports a path that runs out of content (a dead end without -> END)", () => {
      const found = inkProblems("Hello.\n* [Left] -> left\n* [Right] -> right\n=== left ===\nFine.\n-> END\n=== right ===\nOops.\n");
      assert.ok(found.some((p) => p.code === "ink_runtime_error" || p.code === "dead_end"), JSON.stringify(found));
    });

    it("reports a #cost tag that is not a positive integer, with its scene", () => {
      assert.deepEqual(inkProblems("-> shop\n=== shop ===\nBuy?\n* [Yes #cost:0 #id:yes] -> END\n* [Cheap #cost:-3] -> END\n* [No] -> END\n"), [
        { scene_id: "shop", code: "invalid_cost" },
        { scene_id: "shop", code: "invalid_cost" },
      ]);
      assert.deepEqual(inkProblems("Buy?\n* [Yes #cost:20 #id:yes] -> END\n* [No] -> END\n"), []);
    });

    it("refuses JSON that is not a compiled Ink story", () => {
      const outcome = validateInkChapter('{"hello": 1}');
      assert.ok(!outcome.ok);
      assert.equal(outcome.problems[0]!.code, "invalid_structure");
    });
  });
});
