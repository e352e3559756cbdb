import assert from "node:assert/strict";
import { chooseProcess, notePlacement, PLACEMENT_HINT_MS, type PlacementHints } from "../../src/realtime/room-placement";

describe("room placement under scale-out", () => {
  const loads = (a: number, b: number, c?: number) => [
    { processId: "a", roomCount: a },
    { processId: "b", roomCount: b },
    ...(c === undefined ? [] : [{ processId: "c", roomCount: c }]),
  ];

  it("creates a room on the process with the fewest rooms; a tie stays on the asking process", () => {
    assert.equal(chooseProcess(loads(3, 1, 2), "a", new Map(), 0), "b");
    assert.equal(chooseProcess(loads(1, 1), "b", new Map(), 0), "b");
    assert.equal(chooseProcess(loads(1, 1), "a", new Map(), 0), "a");
    // a process that has not reported yet (no stats written) is still a candidate for itself
    assert.equal(chooseProcess([{ processId: "a", roomCount: 2 }], "b", new Map(), 0), "b");
  });

  it("counts the rooms it just sent to another process until that process's own figure can show them", () => {
    const hints: PlacementHints = new Map();
    // a burst from process a while b's reported count stays at 0 (written at most once a second)
    const placed: string[] = [];
    let localRooms = 1;
    for (let i = 0; i < 4; i++) {
      const chosen = chooseProcess(loads(localRooms, 0), "a", hints, 100 + i);
      notePlacement(hints, chosen, "a", 100 + i);
      if (chosen === "a") localRooms++;
      placed.push(chosen);
    }
    // without the hints every one would have gone to b (0 < 1): they alternate instead
    assert.deepEqual(placed, ["b", "a", "b", "a"]);
    // once the hint window has passed, only the reported figures count again
    assert.equal(chooseProcess(loads(3, 0), "a", hints, 100 + PLACEMENT_HINT_MS), "b");
    notePlacement(hints, "a", "a", 200 + PLACEMENT_HINT_MS);
    assert.equal(hints.size, 0);
  });
});
