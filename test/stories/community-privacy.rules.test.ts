import { strict as assert } from "node:assert";
import { canViewStory, storyViewDecision, type ViewerFacts } from "../../src/stories/privacy.rules";
import { STORY_PRIVACIES, type StoryPrivacy } from "../../src/stories/story.types";
import { reshareAudience } from "../../src/stories/story.rules";
import { AUTHOR, OTHER, VIEWER } from "./story.fixtures";

/**
 * The privacy matrix extended with a community: every privacy × the viewer's standing (member,
 * non-member — never joined or left, which read the same — banned) × the other relationship facts,
 * for a story posted to a community. Expected values are the product rule written independently.
 */
const COMMUNITY = "c0ffee00c0ffee00c0ffee00";
type Standing = "member" | "non_member" | "banned";

function expected(p: StoryPrivacy, standing: Standing, f: ViewerFacts & { onCustom: boolean }): boolean {
  if (f.isAuthor) return true;
  if (f.blockedEitherWay || standing === "banned") return false;
  if (p !== "public" && standing !== "member") return false;
  return { public: true, community: true, followers: f.followsAuthor, close_friends: f.isCloseFriend, custom: f.onCustom }[p];
}

describe("privacy rules: stories in a community", () => {
  const bools = [false, true];
  let cases = 0;
  for (const privacy of STORY_PRIVACIES)
    for (const standing of ["member", "non_member", "banned"] as const)
      for (const isAuthor of bools)
        for (const followsAuthor of bools)
          for (const isCloseFriend of bools)
            for (const onCustom of bools)
              for (const blockedEitherWay of bools) {
                const facts: ViewerFacts = {
                  isAuthor,
                  followsAuthor,
                  isCloseFriend,
                  blockedEitherWay,
                  communityIds: new Set(standing === "member" ? [COMMUNITY] : []),
                  bannedFromCommunityIds: new Set(standing === "banned" ? [COMMUNITY] : []),
                };
                const viewer = isAuthor ? AUTHOR : VIEWER;
                const story = { privacy, community_id: COMMUNITY, custom_viewer_ids: onCustom ? [viewer] : [OTHER], hidden_from_ids: [] };
                const want = expected(privacy, standing, { ...facts, onCustom });
                cases += 1;
                it(`${privacy} ${standing} ${JSON.stringify({ isAuthor, followsAuthor, isCloseFriend, onCustom, blockedEitherWay })} → ${want ? "visible" : "hidden"}`, () => {
                  assert.equal(canViewStory(story, viewer, facts), want);
                });
              }
  it("covers all 480 combinations", () => assert.equal(cases, 5 * 3 * 32));

  it("membership of another community does not count", () => {
    const facts = { isAuthor: false, followsAuthor: true, isCloseFriend: false, blockedEitherWay: false, communityIds: new Set(["a".repeat(24)]) };
    assert.deepEqual(storyViewDecision({ privacy: "community", community_id: COMMUNITY, custom_viewer_ids: [], hidden_from_ids: [] }, VIEWER, facts), {
      allowed: false,
      reason: "not_community_member",
    });
  });

  it("a ban is explained, and a story outside any community ignores standings", () => {
    const banned = { isAuthor: false, followsAuthor: true, isCloseFriend: false, blockedEitherWay: false, bannedFromCommunityIds: new Set([COMMUNITY]) };
    const story = { privacy: "public" as const, custom_viewer_ids: [], hidden_from_ids: [] };
    assert.deepEqual(storyViewDecision({ ...story, community_id: COMMUNITY }, VIEWER, banned), { allowed: false, reason: "banned_from_community" });
    assert.equal(canViewStory({ ...story, community_id: null }, VIEWER, banned), true);
    assert.equal(canViewStory({ ...story, privacy: "followers" }, VIEWER, banned), true);
  });

  it("a signed-out visitor sees a community's public stories only", () => {
    const none = { isAuthor: false, followsAuthor: false, isCloseFriend: false, blockedEitherWay: false };
    for (const privacy of STORY_PRIVACIES) {
      assert.equal(canViewStory({ privacy, community_id: COMMUNITY, custom_viewer_ids: [], hidden_from_ids: [] }, null, none), privacy === "public");
    }
  });
});

describe("re-sharing a community story", () => {
  it("stays in the community for a member, members-only stays members-only; a non-member re-shares outside", () => {
    const inC = (privacy: StoryPrivacy) => ({ privacy, community_id: COMMUNITY });
    assert.deepEqual(reshareAudience(inC("community"), "public", true), { community_id: COMMUNITY, privacy: "community" });
    assert.deepEqual(reshareAudience(inC("followers"), "public", true), { community_id: COMMUNITY, privacy: "community" });
    assert.deepEqual(reshareAudience(inC("community"), "followers", true), { community_id: COMMUNITY, privacy: "followers" });
    assert.deepEqual(reshareAudience(inC("public"), "public", true), { community_id: COMMUNITY, privacy: "public" });
    assert.deepEqual(reshareAudience(inC("public"), "public", false), { community_id: null, privacy: "public" });
    assert.deepEqual(reshareAudience({ privacy: "public", community_id: null }, "close_friends", true), { community_id: null, privacy: "close_friends" });
  });
});
