import { strict as assert } from "node:assert";
import {
  COMMUNITY_ROLES,
  MEMBERSHIP_EVENTS,
  MEMBERSHIP_STATUSES,
  MODERATION_ACTIONS,
  canModerate,
  decideJoin,
  decideLeave,
  isInviteUsable,
  memberCountDelta,
  nextMembershipStatus,
  type CommunityRole,
  type MembershipStatus,
} from "../../src/communities/community.rules";

/**
 * The membership and permission tables, checked over every combination against expectations
 * written out independently (as a product owner would state them), not read off the tables.
 */

/** What each (status, event) should become; anything not listed is refused. */
const EXPECTED_MOVES: Record<string, MembershipStatus> = {
  "none join": "active",
  "left join": "active",
  "removed join": "active",
  "active leave": "left",
  "active remove": "removed",
  "active ban": "banned",
  "none ban": "banned",
  "left ban": "banned",
  "removed ban": "banned",
  "banned unban": "left",
};

describe("community rules: membership transitions", () => {
  for (const status of MEMBERSHIP_STATUSES)
    for (const event of MEMBERSHIP_EVENTS) {
      const want = EXPECTED_MOVES[`${status} ${event}`];
      it(`${status} + ${event} → ${want ?? "refused"}`, () => {
        const got = nextMembershipStatus(status, event);
        if (want) assert.deepEqual(got, { ok: true, value: want });
        else assert.equal(got.ok, false);
      });
    }

  it("names each refusal by what the user would fix", () => {
    const code = (s: MembershipStatus, e: (typeof MEMBERSHIP_EVENTS)[number]) => {
      const d = nextMembershipStatus(s, e);
      return d.ok ? null : d.code;
    };
    assert.equal(code("banned", "join"), "community_banned");
    assert.equal(code("active", "join"), "already_member");
    assert.equal(code("left", "leave"), "not_community_member");
    assert.equal(code("active", "unban"), "not_banned");
  });

  it("an invite-only community needs a usable code; an open one takes anyone not banned", () => {
    assert.deepEqual(decideJoin("open", "none", null), { ok: true, value: "active" });
    assert.equal((decideJoin("invite", "none", null) as { code: string }).code, "invite_required");
    assert.equal((decideJoin("invite", "none", { valid: false }) as { code: string }).code, "invalid_invite");
    assert.deepEqual(decideJoin("invite", "removed", { valid: true }), { ok: true, value: "active" });
    // a ban wins over a valid invite
    assert.equal((decideJoin("invite", "banned", { valid: true }) as { code: string }).code, "community_banned");
    assert.equal((decideJoin("open", "banned", null) as { code: string }).code, "community_banned");
  });

  it("the owner cannot leave; admins and members can", () => {
    assert.equal((decideLeave("owner", "active") as { code: string }).code, "owner_cannot_leave");
    assert.deepEqual(decideLeave("admin", "active"), { ok: true, value: "left" });
    assert.deepEqual(decideLeave("member", "active"), { ok: true, value: "left" });
  });

  it("member_count moves only when a membership enters or leaves active", () => {
    for (const from of MEMBERSHIP_STATUSES)
      for (const to of MEMBERSHIP_STATUSES) {
        const want = from === to ? 0 : to === "active" ? 1 : from === "active" ? -1 : 0;
        assert.equal(memberCountDelta(from, to), want, `${from} → ${to}`);
      }
  });
});

describe("community rules: who may act on whom", () => {
  const rank: Record<CommunityRole, number> = { owner: 3, admin: 2, member: 1 };
  /** The policy in words: owners act on everyone below them, admins on members; only the owner manages admins. */
  function expected(actor: CommunityRole | null, action: (typeof MODERATION_ACTIONS)[number], target: CommunityRole | null): boolean {
    if (actor === null) return false;
    switch (action) {
      case "remove":
        return target !== null && rank[actor] > rank[target] && actor !== "member";
      case "ban":
        return actor !== "member" && (target === null || rank[actor] > rank[target]);
      case "unban":
      case "create_invite":
      case "view_metrics":
        return actor !== "member";
      case "grant_admin":
        return actor === "owner" && target === "member";
      case "revoke_admin":
        return actor === "owner" && target === "admin";
    }
  }
  const roles = [...COMMUNITY_ROLES, null] as const;
  for (const action of MODERATION_ACTIONS)
    for (const actor of roles)
      for (const target of roles)
        it(`${actor ?? "non-member"} ${action} ${target ?? "non-member"} → ${expected(actor, action, target) ? "allowed" : "refused"}`, () => {
          assert.equal(canModerate(actor, action, target), expected(actor, action, target));
        });
});

describe("community rules: invites", () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const invite = { expires_at: null, max_uses: null, uses: 0, revoked: false };
  it("usable until revoked, expired or used up", () => {
    assert.equal(isInviteUsable(invite, now), true);
    assert.equal(isInviteUsable({ ...invite, revoked: true }, now), false);
    assert.equal(isInviteUsable({ ...invite, expires_at: now }, now), false, "expires_at is exclusive");
    assert.equal(isInviteUsable({ ...invite, expires_at: new Date(now.getTime() + 1) }, now), true);
    assert.equal(isInviteUsable({ ...invite, max_uses: 2, uses: 1 }, now), true);
    assert.equal(isInviteUsable({ ...invite, max_uses: 2, uses: 2 }, now), false);
  });
});
