import type { StateView } from "@colyseus/schema";
import { ExpiringEntries, type RoomTimers } from "../src/realtime/room-kit";
import { clock } from "../src/shared/clock";
import { showStory, storyStateOf, writeSeenBy, writeStory, type SeenByRow, type StoryForRoom } from "./story.mapper";
import { StoryRoomState, type StoryState } from "./story.state";

/** Expiry re-check against the app clock, so expiry also follows an injected clock. */
export const EXPIRY_CHECK_MS = 1000;

/**
 * The story room's reel in its state: stories written in place from the service's results, each
 * leaving at its expiry (by the app clock, so an injected clock works too) or on delete and never
 * coming back (a reload that started before a delete must not re-add it), and shown to each client
 * as the service decided for that client. No store access here: the room loads, this writes.
 */
export class ReelState {
  /** The room's state (`this.state = reel.state`): `authorId`'s reel, and `watchingNow` the room keeps. */
  readonly state = new StoryRoomState();
  private readonly live: ExpiringEntries<string>;

  constructor(
    authorId: string,
    timers: RoomTimers,
    /** a story left the reel (e.g. cancel its pending reload) */
    onRemove: (storyId: string) => void,
  ) {
    const state = this.state;
    state.authorId = authorId;
    this.live = new ExpiringEntries(
      timers,
      () => clock.now().getTime(),
      (now) => [...state.stories.values()].filter((s) => s.expiresAt <= now).map((s) => s.id),
      (id) => (onRemove(id), state.stories.delete(id)),
    );
    // on the room's clock, so it stops with the room
    timers.setInterval(() => this.live.sweep(), EXPIRY_CHECK_MS);
  }

  get stories(): StoryState[] {
    return [...this.state.stories.values()];
  }

  has(storyId: string): boolean {
    return this.state.stories.has(storyId);
  }

  /** Write a story as its author sees it; undefined when it left the reel meanwhile. */
  put(story: StoryForRoom): StoryState | undefined {
    if (this.live.isRemoved(story.id)) return undefined;
    const existing = this.state.stories.get(story.id);
    if (existing) return (writeStory(existing, story), existing);
    const state = storyStateOf(story);
    this.state.stories.set(story.id, state);
    this.live.expireAt(state.id, state.expiresAt);
    return state;
  }

  remove(storyId: string): void {
    this.live.remove(storyId);
  }

  writeSeenBy(storyId: string, rows: readonly SeenByRow[]): void {
    const state = this.state.stories.get(storyId);
    if (state) writeSeenBy(state, rows);
  }

  /** Show one story to a client as the service decided for them (see showStory); nothing once it left the reel. */
  show(view: StateView, storyId: string, seen: Pick<StoryForRoom, "stickers"> | null | undefined): void {
    const state = this.state.stories.get(storyId);
    if (state) showStory(view, state, seen);
  }

  /** Show a client every story: `visible` is the reel the service gives that viewer; undefined for the author (everything). */
  showAll(view: StateView, visible: readonly StoryForRoom[] | undefined): void {
    const byId = visible && new Map(visible.map((s) => [s.id, s]));
    for (const state of this.state.stories.values()) showStory(view, state, byId ? (byId.get(state.id) ?? null) : undefined);
  }
}
