import { hasRole, type Principal } from "../auth/roles";
import { actingRole } from "../communities/community.service";
import { moderatedCommunityIdsOf } from "../communities/community.repository";

/**
 * Who may moderate what. Platform admins moderate everything; a community's owner and admins
 * moderate the stories posted to their community (their queue holds only those reports). Every
 * route follows `mayModerateStory` and `moderationScope`.
 */
export interface ModeratedStory {
  _id: string;
  user_id: string;
  /** the community it was posted to, whose owner and admins moderate it */
  community_id?: string | null;
}

/** May this user resolve reports on (and see the reports of) this story? */
export async function mayModerateStory(principal: Principal, story: ModeratedStory): Promise<boolean> {
  if (hasRole(principal, "admin")) return true;
  if (!story.community_id) return false;
  const role = await actingRole(principal, story.community_id);
  return role === "owner" || role === "admin";
}

/** A platform admin acts platform-wide (a ban is a platform ban); a community moderator within the community. */
export function isPlatformModerator(principal: Principal): boolean {
  return hasRole(principal, "admin");
}

/**
 * The reports this user's queue holds, as a filter on `reports`: `{}` for platform admins, null for
 * someone who moderates nothing (403). A community admin's scope becomes a filter here.
 */
export async function moderationScope(principal: Principal): Promise<Record<string, unknown> | null> {
  if (hasRole(principal, "admin")) return {};
  const communities = await moderatedCommunityIdsOf(principal.userId);
  return communities.length > 0 ? { community_id: { $in: communities } } : null;
}

/** Reporter ids are shown to platform admins only (a community moderator sees what, not who). */
export function mayKnowReporters(principal: Principal): boolean {
  return hasRole(principal, "admin");
}
