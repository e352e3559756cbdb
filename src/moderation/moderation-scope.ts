import { hasRole, type Principal } from "../auth/roles";

/**
 * Who may moderate what. Platform admins moderate everything. The one place to extend: a
 * community's admins for the stories posted to their community (src/communities, in progress)
 * — widen `mayModerateStory` and `moderationScope` and every route follows.
 */
export interface ModeratedStory {
  _id: string;
  user_id: string;
  /** set by communities; unused until then */
  community_id?: string | null;
}

/** May this user resolve reports on (and see the reports of) this story? */
export async function mayModerateStory(principal: Principal, _story: ModeratedStory): Promise<boolean> {
  return hasRole(principal, "admin");
}

/**
 * The reports this user's queue holds, as a filter on `reports`: `{}` for platform admins, null for
 * someone who moderates nothing (403). A community admin's scope becomes a filter here.
 */
export async function moderationScope(principal: Principal): Promise<Record<string, unknown> | null> {
  return hasRole(principal, "admin") ? {} : null;
}

/** Reporter ids are shown to platform admins only (a community moderator sees what, not who). */
export function mayKnowReporters(principal: Principal): boolean {
  return hasRole(principal, "admin");
}
