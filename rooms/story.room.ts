import { Room, type Client } from "@colyseus/core";
import { StateView } from "@colyseus/schema";
import { z } from "zod";
import type { Principal } from "../src/auth/roles";
import { authenticateRoomClient, refuseJoinOnDomainError } from "../src/realtime/room-auth";
import { roomMessage } from "../src/realtime/room-messages";
import { subscribe, topics, type AudienceChanged, type Unsubscribe } from "../src/realtime/events";
import { subscribeClientToNotifications } from "../src/notifications/notification.service";
import { clock } from "../src/shared/clock";
import { ForbiddenError, GoneError, NotFoundError, UnauthenticatedError, ValidationError } from "../src/shared/errors";
import { objectIdString } from "../src/shared/ids";
import { issuesOf } from "../src/http/validate";
import { logger } from "../src/logger";
import { interactBodySchema, reactionBodySchema, replyBodySchema } from "../src/stories/story.schemas";
import * as stories from "../src/stories/story.service";
import { AUTHOR_ONLY, STICKER_RESULTS, StoryRoomState, type StoryState } from "../schema/story.state";
import { roomStickerResults, storyStateOf, writeSeenBy, writeStory, type StoryForRoom } from "../schema/story.mapper";

/**
 * `story`: one room per author (registered with filterBy(["authorId"])), showing that author's
 * active stories live to everyone allowed to see them. Every action goes through the story
 * service — the same functions as REST — and the state is refreshed from the service after each
 * change it publishes on `topics.storyReel(authorId)` (from REST or a room, on any process).
 */

/** Seen-by in the room is a live glance; the full list is paged on REST. 50 fill two phone screens. */
export const SEEN_BY_LIVE_LIMIT = 50;
/** Coalesce bursts (200 votes in a second) into one reload per story. */
export const REFRESH_DEBOUNCE_MS = 50;
/** Expiry re-check against the app clock, so expiry also follows an injected clock. */
export const EXPIRY_CHECK_MS = 1000;

const joinOptionsSchema = z.object({ authorId: objectIdString }).strict();
const storyRef = { storyId: objectIdString };

const viewMessage = z.object(storyRef).strict();
/** camelCase on the wire, turned into the service's snake_case body, then checked by the REST schema. */
const interactMessage = z
  .object({
    ...storyRef,
    stickerIndex: z.number(),
    optionIndex: z.number().optional(),
    value: z.number().optional(),
    answer: z.string().optional(),
  })
  .strict()
  .transform(({ storyId, stickerIndex, optionIndex, value, answer }) => ({
    storyId,
    body: {
      sticker_index: stickerIndex,
      ...(optionIndex !== undefined ? { option_index: optionIndex } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(answer !== undefined ? { answer } : {}),
    },
  }))
  .pipe(z.object({ storyId: objectIdString, body: interactBodySchema }));
const reactMessage = z.object({ ...storyRef, ...reactionBodySchema.shape }).strict();
const replyMessage = z.object({ ...storyRef, ...replyBodySchema.shape }).strict();

interface ReelEvent {
  type: "story_created" | "story_deleted" | "story_expired" | "story_changed";
  story_id: string;
  author_id: string;
  actor_id?: string;
}

function parseJoinOptions(options: unknown): { authorId: string } {
  const parsed = joinOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new ValidationError("invalid_join_options", "Join with { authorId } (a 24-hex user id).", issuesOf(parsed.error));
  return parsed.data;
}

/** The story is gone for this reader (deleted, expired, or never visible to them). */
function isGone(err: unknown): boolean {
  return err instanceof NotFoundError || err instanceof GoneError || err instanceof ForbiddenError;
}

type StoryClient = Client<{ auth: Principal }>;

/** onAuth ran for every joined client, so `auth` is always set; the check keeps that explicit. */
function userIdOf(client: StoryClient): string {
  if (!client.auth) throw new UnauthenticatedError("missing_token", "This room needs a signed-in user.");
  return client.auth.userId;
}

export class StoryRoom extends Room<{ state: StoryRoomState; metadata: { authorId: string }; client: StoryClient }> {
  private authorId = "";
  private unsubscribeReel: Unsubscribe | undefined;
  private readonly leaveNotifications = new Map<string, Unsubscribe>();
  private readonly refreshTimers = new Map<string, { clear(): void }>();
  /** Actors whose per-sticker result tags need re-checking at the next refresh of a story. */
  private readonly pendingActors = new Map<string, Set<string>>();
  private readonly expiryTimers = new Map<string, { clear(): void }>();
  /** Removed stories never come back (a reload that started before the delete must not re-add it). */
  private readonly removed = new Set<string>();

  static override async onAuth(token: string, options: unknown): Promise<Principal> {
    const principal = await authenticateRoomClient(token);
    return refuseJoinOnDomainError(async () => {
      const { authorId } = parseJoinOptions(options);
      if (principal.userId !== authorId && !(await stories.canViewReel(principal.userId, authorId))) {
        throw new ForbiddenError("reel_not_visible", "This user has no active story you can see.");
      }
      return principal;
    });
  }

  override messages = {
    view: roomMessage("view", viewMessage, async (client: StoryClient, { storyId }) => {
      // the state follows through the service's story_changed event, like a view made over REST
      const { counted, view_count } = await stories.recordView(userIdOf(client), storyId);
      return { counted, viewCount: view_count };
    }),
    interact: roomMessage("interact", interactMessage, async (client: StoryClient, { storyId, body }) => {
      const r = await stories.interactWithSticker(userIdOf(client), storyId, body);
      return {
        stickerIndex: r.sticker_index,
        result: r.result === null ? null : roomStickerResults(r.result),
        ...(r.is_correct !== undefined ? { isCorrect: r.is_correct } : {}),
        ...(r.already ? { already: true } : {}),
      };
    }),
    react: roomMessage("react", reactMessage, async (client: StoryClient, { storyId, ...body }) => {
      await stories.reactToStory(userIdOf(client), storyId, body);
      return { ok: true };
    }),
    reply: roomMessage("reply", replyMessage, async (client: StoryClient, { storyId, ...body }) => {
      await stories.replyToStory(userIdOf(client), storyId, body);
      return { ok: true };
    }),
  };

  override async onCreate(options: unknown): Promise<void> {
    this.authorId = parseJoinOptions(options).authorId;
    this.state = new StoryRoomState();
    this.state.authorId = this.authorId;
    await this.setMetadata({ authorId: this.authorId });
    this.unsubscribeReel = subscribe<ReelEvent>(topics.storyReel(this.authorId), (e) => this.onReelEvent(e));
    for (const story of await stories.listUserStories(this.authorId, this.authorId)) this.putStory(story);
    await Promise.all([...this.state.stories.keys()].map((id) => this.loadSeenBy(id)));
    this.clock.setInterval(() => this.removeExpired(), EXPIRY_CHECK_MS);
  }

  override async onJoin(client: StoryClient): Promise<void> {
    client.view = new StateView();
    this.leaveNotifications.set(client.sessionId, subscribeClientToNotifications(client, userIdOf(client)));
    this.state.watchingNow = this.clients.length;
    await Promise.all([...this.state.stories.values()].map((s) => this.showTo(client, s)));
  }

  override onLeave(client: StoryClient): void {
    this.leaveNotifications.get(client.sessionId)?.();
    this.leaveNotifications.delete(client.sessionId);
    this.state.watchingNow = this.clients.length;
    client.view?.dispose();
  }

  override onDispose(): void {
    // Nothing to persist: every change was written by the story service when it happened.
    this.unsubscribeReel?.();
    for (const stop of this.leaveNotifications.values()) stop();
  }

  private onReelEvent(e: ReelEvent | AudienceChanged): void {
    if (e.type === "audience_changed") return this.recheckAudience(e.user_id);
    if (e.type === "story_deleted" || e.type === "story_expired") return this.removeStory(e.story_id);
    const actors = this.pendingActors.get(e.story_id) ?? new Set<string>();
    if (e.actor_id) actors.add(e.actor_id);
    this.pendingActors.set(e.story_id, actors);
    if (this.refreshTimers.has(e.story_id)) return;
    this.refreshTimers.set(
      e.story_id,
      this.clock.setTimeout(() => {
        this.refreshTimers.delete(e.story_id);
        // a failed reload leaves the last good state; the next event for this story retries it
        this.refreshStory(e.story_id).catch((err: unknown) => logger.warn({ err, storyId: e.story_id, roomId: this.roomId }, "story refresh failed"));
      }, REFRESH_DEBOUNCE_MS),
    );
  }

  /** A follow, block or close-friends change: re-decide every story for that user's clients. */
  private recheckAudience(userId: string): void {
    const affected = this.clients.filter((c) => userIdOf(c) === userId);
    const recheck = affected.flatMap((c) => [...this.state.stories.values()].map((s) => this.showTo(c, s)));
    Promise.all(recheck).catch((err: unknown) => logger.warn({ err, userId, roomId: this.roomId }, "audience re-check failed"));
  }

  /** Reload one story as its author sees it; a new story is shown to each client allowed to see it. */
  private async refreshStory(storyId: string): Promise<void> {
    const actors = this.pendingActors.get(storyId) ?? new Set<string>();
    this.pendingActors.delete(storyId);
    let story: StoryForRoom;
    try {
      story = await stories.getLiveStory(this.authorId, storyId);
    } catch (err) {
      if (isGone(err)) return this.removeStory(storyId);
      throw err;
    }
    const isNew = !this.state.stories.has(storyId);
    const state = this.putStory(story);
    if (!state) return;
    await this.loadSeenBy(storyId);
    const audience = isNew ? this.clients : this.clients.filter((c) => actors.has(userIdOf(c)));
    await Promise.all(audience.map((c) => this.showTo(c, state)));
  }

  private putStory(story: StoryForRoom): StoryState | undefined {
    if (this.removed.has(story.id)) return undefined;
    const existing = this.state.stories.get(story.id);
    if (existing) {
      writeStory(existing, story);
      return existing;
    }
    const state = storyStateOf(story);
    this.state.stories.set(story.id, state);
    this.scheduleExpiry(state);
    return state;
  }

  private async loadSeenBy(storyId: string): Promise<void> {
    const page = await stories.seenBy(this.authorId, storyId, { limit: SEEN_BY_LIVE_LIMIT });
    const state = this.state.stories.get(storyId);
    if (state) writeSeenBy(state, page.items);
  }

  /**
   * Add a story to one client's view if the service lets that user see it, with the sticker
   * results the service shows that user (the author: everything, with the author-only parts).
   */
  private async showTo(client: StoryClient, state: StoryState): Promise<void> {
    const view = client.view!;
    if (userIdOf(client) === this.authorId) {
      view.add(state);
      view.add(state, AUTHOR_ONLY);
      state.stickers.forEach((sticker) => view.add(sticker, STICKER_RESULTS));
      return;
    }
    let seen: StoryForRoom;
    try {
      seen = await stories.getLiveStory(userIdOf(client), state.id);
    } catch (err) {
      if (!isGone(err)) throw err;
      if (view.has(state)) view.remove(state);
      return;
    }
    if (!this.state.stories.has(state.id) || !this.clients.includes(client)) return; // removed or left meanwhile
    view.add(state);
    seen.stickers.forEach((sticker, i) => {
      const target = state.stickers.at(i);
      if (target && sticker.results !== null) view.add(target, STICKER_RESULTS);
    });
  }

  private scheduleExpiry(state: StoryState): void {
    this.expiryTimers.get(state.id)?.clear();
    const delay = Math.max(0, state.expiresAt - clock.now().getTime());
    this.expiryTimers.set(state.id, this.clock.setTimeout(() => this.removeExpired(), delay));
  }

  private removeExpired(): void {
    const now = clock.now().getTime();
    for (const state of [...this.state.stories.values()]) if (state.expiresAt <= now) this.removeStory(state.id);
  }

  private removeStory(storyId: string): void {
    this.removed.add(storyId);
    this.expiryTimers.get(storyId)?.clear();
    this.expiryTimers.delete(storyId);
    this.refreshTimers.get(storyId)?.clear();
    this.refreshTimers.delete(storyId);
    this.state.stories.delete(storyId);
  }
}
