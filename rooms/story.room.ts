import { StateView } from "@colyseus/schema";
import type { Principal } from "../src/auth/roles";
import { AppRoom } from "../src/realtime/app-room";
import { principalOf, roomJoin, userIdOf, type SignedInClient } from "../src/realtime/room-auth";
import { roomMessages } from "../src/realtime/room-messages";
import { JoinMemo } from "../src/realtime/room-kit";
import { subscribe, topics, type AudienceChanged } from "../src/realtime/events";
import { NOTIFICATION_MESSAGE_DOC, subscribeClientToNotifications } from "../src/realtime/notification-bridge";
import { logger } from "../src/logger";
import { camelize } from "../src/shared/camelize";
import * as msg from "../src/stories/story-messages.schemas";
import * as stories from "../src/stories/story.service";
import type { StoryEvent } from "../src/stories/story.service";
import { StoryRoomState } from "../schema/story.state";
import { roomInteractReply, type StoryForRoom } from "../schema/story.mapper";
import { ReelState } from "../schema/story.reel";

/**
 * `story`: one room per author, showing that author's live stories to everyone allowed to see
 * them. Every action goes through the story service (the same functions as REST); the state is
 * reloaded from the service after each change it publishes on `topics.storyReel(authorId)`.
 */

/** Seen-by in the room is a live glance; the full list is paged on REST. 50 fill two phone screens. */
export const SEEN_BY_LIVE_LIMIT = 50;
/** Coalesce bursts (200 votes in a second) into one reload per story. */
export const REFRESH_DEBOUNCE_MS = 50;

const join = roomJoin(msg.storyJoinOptions, msg.STORY_JOIN_HINT);
/** The reel onAuth decided a viewer may see, shown by the onJoin that follows (`viewer:author`). */
const joinReels = new JoinMemo<StoryForRoom[]>();

export class StoryRoom extends AppRoom<{ state: StoryRoomState; metadata: { authorId: string }; client: SignedInClient }> {
  private authorId = "";
  /** Reload a story once per burst; the items are the actors whose result tags need re-checking. */
  private readonly refresh = this.debounced<string, string>(REFRESH_DEBOUNCE_MS, (id, actors) => this.refreshStory(id, actors), "story refresh failed");
  private reel!: ReelState;

  /** Documentation (see src/realtime/room-docs.ts): what joining takes, what arrives, the state. */
  static readonly joinOptions = join.schema;
  static readonly stateClass = StoryRoomState;
  static readonly messagesOut = { notification: NOTIFICATION_MESSAGE_DOC };

  static override onAuth(token: string, options: unknown): Promise<Principal> {
    return join.admit(token, options, async (principal, { authorId }) => {
      if (principal.userId !== authorId) joinReels.remember(`${principal.userId}:${authorId}`, await stories.openReel(principal.userId, authorId));
      return principal;
    });
  }

  override messages = roomMessages<SignedInClient>()({
    // the state follows through the service's story_changed event, like a change made over REST
    view: {
      schema: msg.viewMessage,
      handle: async (client, { storyId }) => camelize(await stories.recordView(userIdOf(client), storyId)),
    },
    interact: {
      schema: msg.interactMessage,
      handle: async (client, { storyId, body }) => roomInteractReply(await stories.interactWithSticker(userIdOf(client), storyId, body)),
    },
    react: {
      schema: msg.reactMessage,
      handle: async (client, { storyId, ...body }) => (await stories.reactToStory(userIdOf(client), storyId, body), { ok: true }),
    },
    reply: {
      schema: msg.replyMessage,
      handle: async (client, { storyId, ...body }) => (await stories.replyToStory(principalOf(client), storyId, body), { ok: true }),
    },
  });

  override async onCreate(options: unknown): Promise<void> {
    this.authorId = join.parse(options).authorId;
    await this.createKeyed(this.authorId, { authorId: this.authorId }, async () => {
      this.reel = new ReelState(this.authorId, this.clock, (id) => this.refresh.cancel(id));
      this.state = this.reel.state;
      this.holdUntilDispose(subscribe<StoryEvent | AudienceChanged>(topics.storyReel(this.authorId), (e) => this.onReelEvent(e)));
      for (const story of await stories.listUserStories(this.authorId, this.authorId)) this.reel.put(story);
      await Promise.all(this.reel.stories.map((s) => this.loadSeenBy(s.id)));
    });
  }

  override async onJoin(client: SignedInClient): Promise<void> {
    client.view = new StateView();
    this.clientSubscriptions.add(client, subscribeClientToNotifications(client, userIdOf(client)));
    // joining, leaving, a removal or a ban changes what community stories this user may see
    this.clientSubscriptions.add(client, subscribe(topics.communityStanding(userIdOf(client)), () => this.recheckAudience(userIdOf(client))));
    this.onPresenceChanged();
    await this.showReelTo(client, joinReels.take(`${userIdOf(client)}:${this.authorId}`));
  }

  /** Back from a drop: stories that appeared or changed audience meanwhile are decided for it now. */
  override async onReconnect(client: SignedInClient): Promise<void> {
    super.onReconnect(client);
    await this.showReelTo(client);
  }

  protected override onPresenceChanged(): void {
    this.state.watchingNow = this.clients.length;
  }

  private onReelEvent(e: StoryEvent | AudienceChanged): void {
    if (e.type === "audience_changed") return this.recheckAudience(e.user_id);
    if (e.type === "story_deleted" || e.type === "story_expired") return this.reel.remove(e.story_id);
    // hidden or shown again by moderation: every client's view of it is re-decided
    if (e.type === "story_moderated") for (const c of this.clients) this.refresh.touch(e.story_id, userIdOf(c));
    this.refresh.touch(e.story_id, e.actor_id);
  }

  /** A follow, block, close-friends or community-standing change: re-decide the reel for that user's clients. */
  private recheckAudience(userId: string): void {
    const recheck = this.clients.filter((c) => userIdOf(c) === userId).map((c) => this.showReelTo(c));
    Promise.all(recheck).catch((err: unknown) => logger.warn({ err, userId, roomId: this.roomId }, "audience re-check failed"));
  }

  /** Reload one story as its author sees it; a new story is shown to each client allowed to see it. */
  private async refreshStory(storyId: string, actors: Set<string>): Promise<void> {
    const story = await stories.findLiveStory(this.authorId, storyId);
    if (!story) return this.reel.remove(storyId);
    const isNew = !this.reel.has(storyId);
    if (!this.reel.put(story)) return;
    await this.loadSeenBy(storyId);
    const audience = isNew ? this.clients : this.clients.filter((c) => actors.has(userIdOf(c)));
    await Promise.all(audience.map((c) => this.showTo(c, storyId)));
  }

  private async loadSeenBy(storyId: string): Promise<void> {
    this.reel.writeSeenBy(storyId, (await stories.seenBy(this.authorId, storyId, { limit: SEEN_BY_LIVE_LIMIT })).items);
  }

  /** Every story this client may see, decided with one reel read (on a join, the one onAuth made). */
  private async showReelTo(client: SignedInClient, reel?: StoryForRoom[]): Promise<void> {
    const userId = userIdOf(client);
    const visible = userId === this.authorId ? undefined : (reel ?? (await stories.listUserStories(userId, this.authorId)));
    if (this.clients.includes(client)) this.reel.showAll(client.view!, visible); // not left meanwhile
  }

  /** Re-decide one story for one client, as the service shows it to that user now (the author sees everything). */
  private async showTo(client: SignedInClient, storyId: string): Promise<void> {
    const seen = userIdOf(client) === this.authorId ? undefined : await stories.findLiveStory(userIdOf(client), storyId);
    if (this.clients.includes(client)) this.reel.show(client.view!, storyId, seen); // not left meanwhile
  }
}
