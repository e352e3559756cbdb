import type { BoardDefinition } from "../../src/leaderboards/leaderboard.rules";

/** A board definition for rule and backend tests: weekly, incr, desc unless told otherwise. */
export const testBoard = (over: Partial<BoardDefinition> = {}): BoardDefinition => ({
  id: "t",
  title: "t",
  scope: "global",
  period: "weekly",
  operator: "incr",
  order: "desc",
  unit: "points",
  ...over,
});
