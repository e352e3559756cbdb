import type { Principal } from "../src/auth/roles";
import { AppRoom } from "../src/realtime/app-room";
import { roomJoin, userIdOf, type SignedInClient } from "../src/realtime/room-auth";
import { subscribe, topics } from "../src/realtime/events";
import { NOTIFICATION_MESSAGE_DOC, subscribeClientToNotifications } from "../src/realtime/notification-bridge";
import { logger } from "../src/logger";
import { viewersWhoMaySee } from "../src/feed/feed.service";
import { FEED_JOIN_HINT, feedJoinOptions, type StoryPostedMessage } from "../src/feed/feed.schemas";
import type { StoryEvent } from "../src/stories/story.events";

/**
 * `feed`: a signed-in user's home channel while they look at the stories tray. It has no state;
 * it tells each client about every new story its user may see (`story_posted`, any process
 * posted it), so a tray updates without polling, and forwards the user's notifications. A client
 * then reads the tray again (`GET /stories/feed`) and joins the author's `story` room for tallies.
 * Clients share rooms up to FEED_ROOM_MAX_CLIENTS; each room checks a new story once for all its
 * clients (one story read, cached relationship facts).
 */

/** Each new story is checked against every client of a room: a bound on that fan-out per room. */
export const FEED_ROOM_MAX_CLIENTS = 500;

type FeedClient = SignedInClient;

const join = roomJoin(feedJoinOptions, FEED_JOIN_HINT);

export class FeedRoom extends AppRoom<{ client: FeedClient }> {
  override maxClients = FEED_ROOM_MAX_CLIENTS;

  /** Documentation (see src/realtime/room-docs.ts). */
  static readonly joinOptions = join.schema;
  static readonly messagesOut = {
    story_posted: "`{ storyId, authorId }` — a new story this user may see (read the tray again, join that author's `story` room)",
    notification: NOTIFICATION_MESSAGE_DOC,
  };
  static readonly without = {
    state: "none: every client is told only what its own user may see (`story_posted`), never a shared state",
    messagesIn: "none: listen-only; the tray is read and changed over REST (`GET /stories/feed`)",
  };

  static override onAuth(token: string, options: unknown): Promise<Principal> {
    return join.admit(token, options);
  }

  override onCreate(): void {
    this.holdUntilDispose(subscribe<StoryEvent>(topics.storyPosted, (e) => void this.announce(e)));
  }

  override onJoin(client: FeedClient): void {
    this.clientSubscriptions.add(client, subscribeClientToNotifications(client, userIdOf(client)));
  }

  private async announce(event: StoryEvent): Promise<void> {
    if (this.clients.length === 0) return;
    try {
      const allowed = await viewersWhoMaySee(event.story_id, [...new Set(this.clients.map(userIdOf))]);
      const message: StoryPostedMessage = { storyId: event.story_id, authorId: event.author_id };
      for (const client of this.clients) if (allowed.has(userIdOf(client))) client.send("story_posted", message);
    } catch (err) {
      logger.warn({ err, storyId: event.story_id, roomId: this.roomId }, "feed announcement failed");
    }
  }
}
