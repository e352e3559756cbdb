import { strict as assert } from "node:assert";
import {
  computeStoryInsights,
  ENGAGEMENT_SCORE_FORMULA,
  engagementScore,
  interactionRate,
  mergeUserInsights,
  peakViewingHour,
  reachPercentage,
  topViewers,
  type StoryInsightFigures,
} from "../../src/stories/insights.rules";

// The original service's example response: 847 unique viewers of ~2,002 followers, 234 sticker
// interactions (156 poll + 78 quiz), 12 replies, peak at 15:00.
const seedExample: StoryInsightFigures = {
  story_id: "story-id",
  total_views: 1523,
  unique_viewers: 847,
  followers_at_time: 2002,
  replies: 12,
  reactions: 0,
  sticker_interactions: { sticker_0_poll: 156, sticker_1_quiz: 78 },
  views_by_hour: { "14": 234, "15": 456, "16": 389 },
};

describe("insights rules", () => {
  it("reproduces the original service's example figures", () => {
    const i = computeStoryInsights(seedExample);
    assert.equal(i.reach_percentage, 42.3);
    assert.equal(i.total_interactions, 234);
    assert.equal(i.interaction_rate, 27.6);
    assert.equal(i.peak_viewing_hour, 15);
    // (1×234 + 2×0 + 3×12) / (3×847) × 100 = 270 / 2541 × 100 = 10.625… → 10.6
    assert.equal(i.engagement_score, 10.6);
  });

  it("engagement score on a hand-computed fixture, capped at 100, 0 with no viewers", () => {
    // 200 viewers, 60 sticker taps, 30 reactions, 10 replies: (60 + 60 + 30) / 600 × 100 = 25
    assert.equal(engagementScore({ unique_viewers: 200, sticker_interactions: 60, reactions: 30, replies: 10 }), 25);
    assert.equal(engagementScore({ unique_viewers: 10, sticker_interactions: 0, reactions: 0, replies: 10 }), 100);
    assert.equal(engagementScore({ unique_viewers: 10, sticker_interactions: 50, reactions: 20, replies: 10 }), 100);
    assert.equal(engagementScore({ unique_viewers: 0, sticker_interactions: 0, reactions: 5, replies: 0 }), 0);
    assert.match(ENGAGEMENT_SCORE_FORMULA, /3 × replies/);
  });

  it("reach and rates are safe with zero followers/viewers; reach can pass 100 for public stories", () => {
    assert.equal(reachPercentage(5, 0), 0);
    assert.equal(interactionRate(5, 0), 0);
    assert.equal(reachPercentage(150, 100), 150);
  });

  it("peak hour: the busiest hour, the earliest on a tie, null without views", () => {
    assert.equal(peakViewingHour({ "9": 5, "21": 5, "3": 2 }), 9);
    assert.equal(peakViewingHour({}), null);
    assert.equal(peakViewingHour({ "4": 0 }), null);
  });

  it("top viewers are the most interactive, earliest viewer first on a tie", () => {
    const t = (h: number) => new Date(Date.UTC(2025, 5, 1, h));
    const rows = [
      { user_id: "u1", interactions: 1, viewed_at: t(1) },
      { user_id: "u2", interactions: 3, viewed_at: t(5) },
      { user_id: "u3", interactions: 3, viewed_at: t(2) },
      { user_id: "u4", interactions: 0, viewed_at: t(0) },
    ];
    assert.deepEqual(topViewers(rows, 3).map((r) => r.user_id), ["u3", "u2", "u1"]);
  });

  it("merges per-story figures into a user summary over a date range", () => {
    const other: StoryInsightFigures = {
      story_id: "s2",
      total_views: 300,
      unique_viewers: 153,
      followers_at_time: 2000,
      replies: 40,
      reactions: 20,
      sticker_interactions: { sticker_0_poll: 66 },
      views_by_hour: { "15": 100, "20": 500 },
    };
    const u = mergeUserInsights([seedExample, other]);
    assert.equal(u.story_count, 2);
    assert.equal(u.total_views, 1823);
    assert.equal(u.unique_views, 1000);
    assert.equal(u.average_unique_viewers, 500);
    assert.equal(u.total_interactions, 300);
    assert.equal(u.interaction_rate, 30);
    assert.deepEqual(u.interactions_by_sticker_type, { poll: 222, quiz: 78 });
    assert.deepEqual(u.views_by_hour, { "14": 234, "15": 556, "16": 389, "20": 500 });
    assert.equal(u.peak_viewing_hour, 15);
    // (300 + 2×20 + 3×52) / 3000 × 100 = 496 / 3000 × 100 = 16.53… → 16.5
    assert.equal(u.engagement_score, 16.5);
    // per-story reach 42.3 and 7.7 (153/2000 = 7.65 → 7.7) → mean 25
    assert.equal(u.average_reach_percentage, 25);
    assert.equal(u.top_story_id, "s2", "s2 scores (66+40+120)/459 = 49.2 against 10.6");
    assert.equal(mergeUserInsights([]).top_story_id, null);
  });
});
