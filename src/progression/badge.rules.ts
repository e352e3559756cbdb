/**
 * Badges are data: each rule names one condition on a user's progress (a level reached, a count of
 * XP events of one source) or a named badge event that another feature records (the top gifter of
 * a stream when it ends). `badgesEarned` is pure; the service stores each badge once (unique index).
 */
import type { XpSource } from "./xp.rules";

/** Events that award a badge directly, without XP (see recordBadgeEvent). */
export const BADGE_EVENTS = ["stream_top_gifter", "book_top_reader"] as const;
export type BadgeEventType = (typeof BADGE_EVENTS)[number];

export type BadgeCondition =
  | { kind: "level"; atLeast: number }
  /** how many XP events of this source the user has had (first gift, 100 chapters …) */
  | { kind: "count"; source: XpSource; atLeast: number }
  | { kind: "event"; event: BadgeEventType };

export interface BadgeRule {
  id: string;
  title: string;
  description: string;
  when: BadgeCondition;
}

export const BADGES: readonly BadgeRule[] = [
  { id: "first_story", title: "First story", description: "Posted a first story.", when: { kind: "count", source: "story_posted", atLeast: 1 } },
  { id: "storyteller", title: "Storyteller", description: "Posted 50 stories.", when: { kind: "count", source: "story_posted", atLeast: 50 } },
  { id: "first_reply", title: "Conversation starter", description: "Replied to a story.", when: { kind: "count", source: "story_replied", atLeast: 1 } },
  { id: "first_gift", title: "First gift", description: "Sent a first gift.", when: { kind: "count", source: "gift_sent", atLeast: 1 } },
  { id: "generous", title: "Generous", description: "Sent 100 gifts.", when: { kind: "count", source: "gift_sent", atLeast: 100 } },
  { id: "first_gift_received", title: "Appreciated", description: "Received a first gift.", when: { kind: "count", source: "gift_received", atLeast: 1 } },
  { id: "first_chapter", title: "First chapter", description: "Completed a first chapter.", when: { kind: "count", source: "chapter_completed", atLeast: 1 } },
  { id: "chapters_100", title: "100 chapters", description: "Completed 100 chapters.", when: { kind: "count", source: "chapter_completed", atLeast: 100 } },
  { id: "first_deal", title: "First deal", description: "Completed a first deal.", when: { kind: "count", source: "deal_completed", atLeast: 1 } },
  { id: "level_5", title: "Level 5", description: "Reached level 5.", when: { kind: "level", atLeast: 5 } },
  { id: "level_10", title: "Level 10", description: "Reached level 10.", when: { kind: "level", atLeast: 10 } },
  { id: "level_25", title: "Level 25", description: "Reached level 25.", when: { kind: "level", atLeast: 25 } },
  { id: "top_gifter", title: "Top gifter of a stream", description: "Sent the most to a stream.", when: { kind: "event", event: "stream_top_gifter" } },
  { id: "top_reader", title: "Top reader of a book", description: "Led a book's readers board.", when: { kind: "event", event: "book_top_reader" } },
];

const byId = new Map(BADGES.map((b) => [b.id, b]));

export function badgeRule(id: string): BadgeRule | undefined {
  return byId.get(id);
}

/** What the rules look at: the progress after the change, and the badge event if there was one. */
export interface BadgeFacts {
  level: number;
  counts: Partial<Record<XpSource, number>>;
  event?: BadgeEventType;
}

/** Every badge the facts satisfy, minus those already held (in rule order). */
export function badgesEarned(facts: BadgeFacts, held: ReadonlySet<string>, rules: readonly BadgeRule[] = BADGES): BadgeRule[] {
  return rules.filter((rule) => !held.has(rule.id) && satisfies(rule.when, facts));
}

function satisfies(when: BadgeCondition, facts: BadgeFacts): boolean {
  switch (when.kind) {
    case "level":
      return facts.level >= when.atLeast;
    case "count":
      return (facts.counts[when.source] ?? 0) >= when.atLeast;
    case "event":
      return facts.event === when.event;
  }
}
