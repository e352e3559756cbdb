import { strict as assert } from "node:assert";
import { canViewStory, storyViewDecision, type ViewerFacts } from "../../src/stories/privacy.rules";
import { STORY_PRIVACIES, type StoryPrivacy } from "../../src/stories/story.types";
import { AUTHOR, OTHER, VIEWER } from "./story.fixtures";

/**
 * Exhaustive matrix: every privacy × every combination of (author, follows, close friend, on the
 * custom list, blocked, hidden by story, hidden by author setting). The expected value is written
 * as the product rule, independently of the implementation's order of checks.
 */
function expected(p: StoryPrivacy, f: ViewerFacts & { onCustom: boolean; hiddenOnStory: boolean }): boolean {
  if (f.isAuthor) return true;
  if (f.blockedEitherWay || f.hiddenOnStory || f.hiddenByAuthor) return false;
  // `community` outside a community has no audience but the author (the body schema refuses it anyway)
  return { public: true, followers: f.followsAuthor, close_friends: f.isCloseFriend, custom: f.onCustom, community: false }[p];
}

describe("privacy rules: who can see a story", () => {
  const bools = [false, true];
  let cases = 0;
  for (const privacy of STORY_PRIVACIES) {
    for (const isAuthor of bools)
      for (const followsAuthor of bools)
        for (const isCloseFriend of bools)
          for (const onCustom of bools)
            for (const blockedEitherWay of bools)
              for (const hiddenOnStory of bools)
                for (const hiddenByAuthor of bools) {
                  const facts = { isAuthor, followsAuthor, isCloseFriend, blockedEitherWay, hiddenByAuthor };
                  const viewer = isAuthor ? AUTHOR : VIEWER;
                  const story = {
                    privacy,
                    custom_viewer_ids: onCustom ? [viewer] : [OTHER],
                    hidden_from_ids: hiddenOnStory ? [viewer] : [],
                  };
                  cases += 1;
                  const want = expected(privacy, { ...facts, onCustom, hiddenOnStory });
                  it(`${privacy} ${JSON.stringify({ ...facts, onCustom, hiddenOnStory })} → ${want ? "visible" : "hidden"}`, () => {
                    assert.equal(canViewStory(story, viewer, facts), want);
                  });
                }
  }
  it("covers all 640 combinations", () => assert.equal(cases, 5 * 128));

  it("explains refusals with a reason", () => {
    const none = { isAuthor: false, followsAuthor: false, isCloseFriend: false, blockedEitherWay: false };
    const story = (privacy: StoryPrivacy) => ({ privacy, custom_viewer_ids: [], hidden_from_ids: [] });
    assert.deepEqual(storyViewDecision(story("followers"), VIEWER, none), { allowed: false, reason: "not_follower" });
    assert.deepEqual(storyViewDecision(story("close_friends"), VIEWER, { ...none, followsAuthor: true }), {
      allowed: false,
      reason: "not_close_friend",
    });
    assert.deepEqual(storyViewDecision(story("public"), VIEWER, { ...none, blockedEitherWay: true }), { allowed: false, reason: "blocked" });
  });

  it("a signed-out visitor sees public stories only", () => {
    const none = { isAuthor: false, followsAuthor: false, isCloseFriend: false, blockedEitherWay: false };
    for (const privacy of STORY_PRIVACIES) {
      assert.equal(canViewStory({ privacy, custom_viewer_ids: [], hidden_from_ids: [] }, null, none), privacy === "public");
    }
  });

});
