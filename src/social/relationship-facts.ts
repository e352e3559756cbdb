import { publish, publishAudienceChanged, subscribe, topics, type Unsubscribe } from "../realtime/events";
import type { ViewerFacts } from "../stories/privacy.rules";
import { loadViewerGraph, type ViewerGraphIds } from "./viewer-graph.repository";

export type { ViewerGraphIds };

/**
 * The relationship facts every privacy decision reads (stories, highlights, the feed), loaded in
 * one place and kept for a moment: a hot request (a view, a vote, a feed page) then costs no
 * store round trip for them. Every follow, block and close-friends change publishes
 * `topics.relationshipChanged` (see `publishAudienceChanged`), which drops the pair's entries on
 * every process, and so does every community-standing change (`communityStandingChanged`); the
 * TTL only bounds memory and a lost event.
 */

/** How long an answer is reused; a change is applied at once through the event, this is a backstop. */
const TTL_MS = 5_000;
/** Entries kept per process; past it the oldest go (a Map keeps insertion order). */
const MAX_ENTRIES = 20_000;

/** What `viewerId` is to `ownerId`. */
export interface RelationshipFacts {
  followsOwner: boolean;
  isCloseFriend: boolean;
  blockedEitherWay: boolean;
}

interface Entry<T> {
  value: Promise<T>;
  until: number;
}

const graphs = new Map<string, Entry<ViewerGraphIds>>();
/** Bumped per user on every change: a load that started before the change is not cached. */
const generations = new Map<string, number>();
let listening: Unsubscribe | undefined;

const gen = (userId: string) => generations.get(userId) ?? 0;

function listen(): void {
  listening ??= subscribe<{ a: string; b: string }>(topics.relationshipChanged, ({ a, b }) => forgetRelationship(a, b));
}

/** Drop what is known about the pair (both directions) and both users' graphs. */
export function forgetRelationship(a: string, b: string): void {
  for (const id of [a, b]) {
    generations.set(id, gen(id) + 1);
    graphs.delete(id);
  }
}

/**
 * A follow, block or close-friends change between `ownerId` and `userId` was persisted: forget it
 * here at once, on every other process through the event, and let rooms re-check the audience.
 */
export function relationshipChanged(ownerId: string, userId: string): void {
  forgetRelationship(ownerId, userId);
  publish(topics.relationshipChanged, { a: ownerId, b: userId });
  publishAudienceChanged(ownerId, userId);
}

/**
 * The viewer's standing in a community changed (joined, left, removed, banned, unbanned): forget
 * their graph here and on every process, then tell their connected rooms to re-decide what they
 * see (`topics.communityStanding`), so a members-only story disappears at once.
 */
export function communityStandingChanged(userId: string, communityId: string): void {
  forgetRelationship(userId, userId);
  publish(topics.relationshipChanged, { a: userId, b: userId });
  publish(topics.communityStanding(userId), { type: "community_standing_changed", user_id: userId, community_id: communityId });
}

/** Stop listening and forget everything (server shutdown, tests). */
export function resetRelationshipFacts(): void {
  listening?.();
  listening = undefined;
  graphs.clear();
}

function cached<T>(map: Map<string, Entry<T>>, key: string, users: string[], load: () => Promise<T>): Promise<T> {
  listen();
  const now = Date.now();
  const hit = map.get(key);
  if (hit && hit.until > now) return hit.value;
  const before = users.map(gen);
  const value = load();
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  const entry = { value, until: now + TTL_MS };
  map.set(key, entry);
  value.then(
    () => {
      // a change during the load: keep the answer for this caller only
      if (users.some((u, i) => gen(u) !== before[i]) && map.get(key) === entry) map.delete(key);
    },
    () => map.get(key) === entry && map.delete(key),
  );
  return value;
}

/**
 * What `viewerId` is to `ownerId`, read off the viewer's cached graph: one load (one store command) per
 * viewer serves every owner they look at for the next few seconds.
 */
export async function relationshipFacts(viewerId: string, ownerId: string): Promise<RelationshipFacts> {
  const g = await viewerGraphIds(viewerId);
  return { followsOwner: g.following.includes(ownerId), isCloseFriend: g.closeFriendOf.includes(ownerId), blockedEitherWay: g.blocked.includes(ownerId) };
}

export function viewerGraphIds(viewerId: string): Promise<ViewerGraphIds> {
  return cached(graphs, viewerId, [viewerId], () => loadViewerGraph(viewerId));
}

/** The privacy facts for `viewerId` looking at `ownerId`'s content (stories, highlights). */
export async function viewerFactsFor(viewerId: string, ownerId: string): Promise<ViewerFacts> {
  if (viewerId === ownerId) return { isAuthor: true, followsAuthor: false, isCloseFriend: false, blockedEitherWay: false, hiddenByAuthor: false };
  const g = await viewerGraphIds(viewerId);
  return {
    isAuthor: false,
    followsAuthor: g.following.includes(ownerId),
    isCloseFriend: g.closeFriendOf.includes(ownerId),
    blockedEitherWay: g.blocked.includes(ownerId),
    hiddenByAuthor: false,
    communityIds: new Set(g.communities),
    bannedFromCommunityIds: new Set(g.bannedFrom),
  };
}
