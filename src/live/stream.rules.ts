import { liveErrors } from "./live.errors";

/**
 * A stream's life cycle as data: scheduled → live → ended → archived. Each action names the states
 * it may start from; anything else is 409 `invalid_stream_transition`.
 */
export const STREAM_STATUSES = ["scheduled", "live", "ended", "archived"] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

export const STREAM_TRANSITIONS = {
  go_live: { from: ["scheduled"], to: "live" },
  end: { from: ["live"], to: "ended" },
  archive: { from: ["ended"], to: "archived" },
} as const satisfies Record<string, { from: readonly StreamStatus[]; to: StreamStatus }>;
export type StreamAction = keyof typeof STREAM_TRANSITIONS;

export function transitionStream(status: StreamStatus, action: StreamAction): StreamStatus {
  const t = STREAM_TRANSITIONS[action];
  if (!(t.from as readonly StreamStatus[]).includes(status)) {
    throw liveErrors.invalidStreamTransition(`A ${status} stream cannot ${action.replace("_", " ")}.`, { status, action });
  }
  return t.to;
}

export const STREAM_ACCESS = ["public", "followers", "subscribers", "ticketed"] as const;
export type StreamAccess = (typeof STREAM_ACCESS)[number];

/** A scheduled stream's room (the lobby) opens this long before its start. */
export const LOBBY_OPENS_BEFORE_MS = 15 * 60_000;

/** The room may be joined: the stream is live, or scheduled to start within the lobby window. */
export function roomIsOpen(stream: { status: StreamStatus; scheduled_at: Date | null }, now: Date): boolean {
  if (stream.status === "live") return true;
  if (stream.status !== "scheduled" || !stream.scheduled_at) return false;
  return stream.scheduled_at.getTime() - now.getTime() <= LOBBY_OPENS_BEFORE_MS;
}

export interface AccessFacts {
  isCreator: boolean;
  isFollower: boolean;
  isSubscriber: boolean;
  hasTicket: boolean;
}

/** Who may watch: the creator always; otherwise the stream's access rule. Throws 403 with the reason's code. */
export function assertMayWatch(access: StreamAccess, facts: AccessFacts): void {
  if (facts.isCreator || access === "public") return;
  if (access === "followers" && !facts.isFollower) throw liveErrors.followersOnly();
  if (access === "subscribers" && !facts.isSubscriber) throw liveErrors.subscribersOnly();
  if (access === "ticketed" && !facts.hasTicket) throw liveErrors.ticketRequired();
}
