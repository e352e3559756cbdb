import { findUsersByIds, type User } from "./user.repository";

/**
 * Users as lists show them (the feed's reel authors): a profile read by id is reused for a moment,
 * per process, so a tray page costs no users read when its authors were shown just before. A
 * profile edit on this process is seen at once (`forgetProfile`); on another process after at
 * most PROFILE_TTL_MS — a display name or avatar a few seconds old is acceptable in a list.
 */
export const PROFILE_TTL_MS = 5_000;
/** Bounds memory under many distinct authors; past it the oldest entries go (a Map keeps insertion order). */
const MAX_CACHED_PROFILES = 20_000;

const profiles = new Map<string, { user: User; until: number }>();

/** The users that exist among `ids`, by id (unknown ids are absent). */
export async function profilesByIds(ids: readonly string[]): Promise<Map<string, User>> {
  const now = Date.now();
  const out = new Map<string, User>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const hit = profiles.get(id);
    if (hit && hit.until > now) out.set(id, hit.user);
    else missing.push(id);
  }
  if (missing.length === 0) return out;
  for (const user of await findUsersByIds(missing)) {
    out.set(user.id, user);
    profiles.delete(user.id);
    if (profiles.size >= MAX_CACHED_PROFILES) profiles.delete(profiles.keys().next().value!);
    profiles.set(user.id, { user, until: now + PROFILE_TTL_MS });
  }
  return out;
}

/** Call where a profile changes, so this process shows the new one at once. */
export function forgetProfile(userId: string): void {
  profiles.delete(userId);
}

