import type { Principal } from "../src/auth/roles";
import { AppRoom } from "../src/realtime/app-room";
import { roomJoin, userIdOf, type SignedInClient } from "../src/realtime/room-auth";
import { roomMessages } from "../src/realtime/room-messages";
import { clock } from "../src/shared/clock";
import { subscribe, topics } from "../src/realtime/events";
import { logger } from "../src/logger";
import * as msg from "../src/fiction/play.schemas";
import * as play from "../src/fiction/playthrough.service";
import { PlaythroughState, writePlayView } from "../schema/playthrough.state";
import { fictionErrors } from "../src/fiction/fiction.errors";

/**
 * `playthrough`: one private room per player and book (every device of the player joins the same
 * room and sees the same state). Messages call the playthrough service — the same functions as
 * the REST fallback — and the state is rewritten from the view it returns. Nothing lives only
 * here: every step is committed before it is acknowledged, so a new room (after a restart, on
 * another process) resumes from the database exactly where the player was.
 */

/** How often the room compares the app clock with the next key's time (keys regenerate lazily). */
export const KEY_CHECK_MS = 250;

type PlayClient = SignedInClient;

const join = roomJoin(msg.playJoinOptions, msg.PLAY_JOIN_HINT);

export class PlaythroughRoom extends AppRoom<{ state: PlaythroughState; metadata: { userId: string; bookId: string }; client: PlayClient }> {
  private userId = "";
  private bookId = "";
  private refreshing: Promise<void> | undefined;
  private reloadAgain = false;
  /** The newest progress revision shown: a slow reload never puts an older view over a newer one. */
  private shownRevision = -1;

  /** Documentation (see src/realtime/room-docs.ts): what joining takes, and the state (the play view; no other messages out). */
  static readonly joinOptions = join.schema;
  static readonly stateClass = PlaythroughState;
  static readonly messagesOut = {};

  static override onAuth(token: string, options: unknown): Promise<Principal> {
    return join.admit(token, options, async (principal, { userId }) => {
      if (userId !== principal.userId) throw fictionErrors.notYourPlaythrough();
      return principal;
    });
  }

  override messages = roomMessages<PlayClient>()({
    start: {
      schema: msg.startMessage,
      handle: async (client, { chapter }) => this.show(await play.startChapter(userIdOf(client), this.bookId, chapter)),
    },
    advance: {
      schema: msg.advanceMessage,
      handle: async (client) => this.show(await play.advance(userIdOf(client), this.bookId)),
    },
    choose: {
      schema: msg.chooseMessage,
      handle: async (client, { optionId, step }) => {
        const outcome = await play.choose(userIdOf(client), this.bookId, { optionId, step });
        this.show(outcome.view);
        return { applied: outcome.applied, optionId: outcome.option_id, cost: outcome.cost, effects: outcome.effects };
      },
    },
    keep: {
      schema: msg.keepMessage,
      handle: async (client, { keep }) => this.show(await play.finishChapterReplay(userIdOf(client), this.bookId, keep)),
    },
  });

  override async onCreate(options: unknown): Promise<void> {
    const { userId, bookId } = join.parse(options);
    this.userId = userId;
    this.bookId = bookId;
    await this.createKeyed(`${userId}:${bookId}`, { userId, bookId }, async () => {
      this.state = new PlaythroughState();
      // a step made over REST (or on another process) reaches the player's devices here
      this.holdUntilDispose(subscribe<play.ProgressChanged>(topics.playthrough(userId, bookId), () => this.reload()));
      this.write(await play.getPlaythrough(userId, bookId));
      this.clock.setInterval(() => this.refreshKeysWhenDue(), KEY_CHECK_MS);
    });
  }

  /** Write a view and answer the request with `{ ok: true }` (the state carries the rest). */
  private show(view: play.PlayView): { ok: true } {
    this.write(view);
    return { ok: true };
  }

  private write(view: play.PlayView): void {
    if (view.revision < this.shownRevision) return;
    this.shownRevision = view.revision;
    writePlayView(this.state, view);
  }

  /** A key regenerated (by the app clock): reload the view so keys and nextKeyAt move on. */
  private refreshKeysWhenDue(): void {
    if (this.state.nextKeyAt !== 0 && clock.now().getTime() >= this.state.nextKeyAt) this.reload();
  }

  /** Reload the view from the service: one at a time, once more if asked meanwhile. */
  private reload(): void {
    if (this.refreshing) {
      this.reloadAgain = true;
      return;
    }
    this.refreshing = play
      .getPlaythrough(this.userId, this.bookId)
      .then((view) => this.write(view))
      .catch((err: unknown) => logger.warn({ err, roomId: this.roomId }, "playthrough reload failed"))
      .finally(() => {
        this.refreshing = undefined;
        if (this.reloadAgain) {
          this.reloadAgain = false;
          this.reload();
        }
      });
  }
}
