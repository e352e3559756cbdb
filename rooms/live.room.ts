import { StateView } from "@colyseus/schema";
import type { Principal } from "../src/auth/roles";
import { config } from "../src/config";
import { getLeaderboard } from "../src/leaderboards/leaderboard.service";
import { logger } from "../src/logger";
import { AppRoom } from "../src/realtime/app-room";
import { roomJoin, type SignedInClient } from "../src/realtime/room-auth";
import { roomMessages } from "../src/realtime/room-messages";
import { NOTIFICATION_MESSAGE_DOC, subscribeClientToNotifications } from "../src/realtime/notification-bridge";
import { clock } from "../src/shared/clock";
import * as chat from "../src/live/chat.service";
import * as engagement from "../src/live/engagement.service";
import * as gifts from "../src/live/gift.service";
import * as msg from "../src/live/live.schemas";
import * as streams from "../src/live/stream.service";
import { currentSeq, latestLiveEvents, liveEventsAfter, publishLiveSignal, subscribeLive, type LiveEvent, type LiveSignal } from "../src/live/live-events";
import { addReaction, crossedOverlays, decay, emptyMood, moodOf, type MoodAggregate, type Reaction } from "../src/live/mood.rules";
import { ANALYTICS_FLUSH_MS, LiveAnalytics } from "../src/live/live-analytics";
import { recordWatchStretch } from "../src/live/watch.service";
import { ChatGate, ChatRestrictions, ReactionGate, ShardCounts } from "../src/live/room-gates";
import { SeqBuffer } from "../src/live/sequence.rules";
import { CommandCatchUp } from "../src/live/command-catch-up";
import { CREATOR_ONLY, LiveRoomState, STAFF_ONLY } from "../schema/live.state";
import { applyLiveEvent, writeGoal, writePoll, writeQuestions, writeSegments, writeSettings, writeGifter, writeCommand, writeMood, writeCreatorStats, type LiveEffect } from "../schema/live.mapper";

/**
 * `live`: one or more shard rooms per stream (`joinOrCreate("live", { streamId })`; a full shard —
 * LIVE_ROOM_MAX_CLIENTS — makes the matchmaker open another). Every action goes through the live
 * services, which persist it as the stream's next ordered event and publish it; every shard applies
 * the same events in seq order to its state (SeqBuffer), so all viewers see the same chat, tallies
 * and commands. Rate limits live here (the sender's shard); rules in src/live/*.rules.ts.
 */
type LiveAuth = Principal & { subscriber: boolean };
type LiveClient = SignedInClient & { auth: LiveAuth };

const join = roomJoin(msg.liveJoinOptions, msg.LIVE_JOIN_HINT);

/** The mood is published at most 4 times a second. */
export const MOOD_PUBLISH_MS = 250;
/** Shards announce their viewer count this often; one silent for 3 periods no longer counts. */
export const PRESENCE_EVERY_MS = 2000;
/** A seq gap open this long is filled from the log; after GAP_SKIP_MS it is skipped (a failed write). */
const GAP_FILL_MS = 300;
const GAP_SKIP_MS = 3000;
/**
 * State patches: an ordered event (a chat line, a gift) is patched at once, or — when the last patch
 * was written less than PATCH_GAP_MS ago — as soon as that gap has passed; everything else (mood,
 * counts) rides Colyseus' 50 ms tick, under the same gap. Events closer together than a patch's
 * writes plus the gap share a patch: a small audience gets each event at once (the tick alone
 * made it wait up to 50 ms), a large one — where writing a patch to every socket takes tens of
 * ms — gets fewer, fuller patches, and the room reads its messages between them.
 */
export const PATCH_GAP_MS = 25;
/** Commands a reconnecting client may fetch at once. */
const RESUME_LIMIT = 200;
/** Close code for a banned viewer (not a network drop: no reconnection). */
export const BANNED_CLOSE_CODE = 4403;

export class LiveRoom extends AppRoom<{ state: LiveRoomState; metadata: { streamId: string }; client: LiveClient }> {
  private streamId = "";
  private stream!: streams.Stream;
  private buffer = new SeqBuffer<LiveEvent>(1);
  private readonly chatGate = new ChatGate(() => ({ burst: config().LIVE_CHAT_BURST, perSecond: config().LIVE_CHAT_REFILL_PER_S, floodPerSecond: config().LIVE_ROOM_FLOOD_PER_S }));
  private readonly reactionGate = new ReactionGate();
  /** bans and timeouts in memory (no read per chat line), kept current by the moderation events */
  private readonly restrictions = new ChatRestrictions();
  private readonly shards = new ShardCounts(PRESENCE_EVERY_MS * 3);
  private mood: MoodAggregate = emptyMood(clock.now().getTime());
  private filling = false;
  private readonly analytics = new LiveAnalytics(() => this.stream, clock.now().getTime(), (what) => this.warn(what));
  private readonly catchUp = new CommandCatchUp<LiveEvent>();

  /** Documentation (see src/realtime/room-docs.ts): what joining takes, what arrives, the state. */
  static readonly joinOptions = join.schema;
  static readonly stateClass = LiveRoomState;
  static readonly messagesOut = {
    command: "a command gift acting on the stream: `{ seq, action, giftCode, senderId, payload }`",
    overlay: "a crowd-mood overlay fired: `{ overlay, mood }`",
    banned: "you were banned from this stream (`{ streamId }`); the room closes for you",
    notification: NOTIFICATION_MESSAGE_DOC,
  };

  static override onAuth(token: string, options: unknown): Promise<LiveAuth> {
    return join.admit(token, options, async (principal, { streamId }) => {
      const { subscriber } = await streams.assertMayJoin(principal.userId, streamId);
      return { ...principal, subscriber };
    });
  }

  override messages = roomMessages<LiveClient>()({
    chat: {
      schema: msg.chatMessage,
      handle: async (client, { text }) => {
        const now = clock.now().getTime();
        this.chatGate.admit(client.auth.userId, this.state.settings.slowModeS, this.isStaff(client.auth.userId), now);
        const event = await chat.postChat(client.auth, this.stream, text, client.auth.subscriber, this.restrictions.of(client.auth.userId, now));
        this.chatGate.sent(client.auth.userId, now);
        return { seq: event.seq, text: event.data.text };
      },
    },
    delete_message: { schema: msg.deleteMessage, handle: async (c, { seq }) => (await chat.deleteChatLine(c.auth.userId, this.streamId, seq), { ok: true }) },
    pin: { schema: msg.pinMessage, handle: async (c, { seq }) => (await chat.pinChatLine(c.auth.userId, this.streamId, seq), { ok: true }) },
    report: { schema: msg.reportMessage, handle: async (c, { seq, reason }) => (await chat.reportChatLine(c.auth.userId, this.streamId, seq, reason), { ok: true }) },
    ban: { schema: msg.userMessage, handle: async (c, { userId }) => streams.restrictUser(c.auth.userId, this.streamId, userId, "ban") },
    unban: { schema: msg.userMessage, handle: async (c, { userId }) => (await streams.liftRestriction(c.auth.userId, this.streamId, userId, "ban"), { ok: true }) },
    timeout: { schema: msg.restrictMessage, handle: async (c, { userId, seconds }) => streams.restrictUser(c.auth.userId, this.streamId, userId, "timeout", seconds) },
    add_moderator: { schema: msg.userMessage, handle: async (c, { userId }) => (await streams.setModerator(c.auth.userId, this.streamId, userId, true), { ok: true }) },
    remove_moderator: { schema: msg.userMessage, handle: async (c, { userId }) => (await streams.setModerator(c.auth.userId, this.streamId, userId, false), { ok: true }) },
    settings: { schema: msg.settingsMessage, handle: async (c, patch) => streams.updateSettings(c.auth.userId, this.streamId, patch) },
    gift: { schema: msg.giftMessage, handle: async (c, body) => gifts.sendGift(c.auth, this.streamId, body) },
    resume: { schema: msg.resumeMessage, handle: async (_c, { afterSeq }) => ({ commands: (await this.commandsAfter(afterSeq)).map(commandMessage) }) },
    react: {
      schema: msg.reactMessage,
      handle: (c, { reaction }) => {
        const now = clock.now().getTime();
        this.reactionGate.admit(c.auth.userId, now);
        this.analytics.onReaction(now);
        publishLiveSignal(this.streamId, { kind: "reaction", reaction, count: 1, at: now });
        return { ok: true };
      },
    },
    start_poll: { schema: msg.pollMessage, handle: async (c, body) => engagement.startPoll(c.auth.userId, this.streamId, body) },
    vote: { schema: msg.voteMessage, handle: async (c, { option }) => engagement.castPollVote(c.auth.userId, this.streamId, option) },
    ask: { schema: msg.questionMessage, handle: async (c, { text }) => engagement.askQuestion(c.auth.userId, this.streamId, text) },
    upvote: { schema: msg.questionIdMessage, handle: async (c, { questionId }) => engagement.upvoteQuestion(c.auth.userId, this.streamId, questionId) },
    answered: { schema: msg.questionIdMessage, handle: async (c, { questionId }) => engagement.markAnswered(c.auth.userId, this.streamId, questionId) },
    add_goal: { schema: msg.goalMessage, handle: async (c, body) => engagement.createGoal(c.auth.userId, this.streamId, body) },
  });

  override async onCreate(options: unknown): Promise<void> {
    this.streamId = join.parse(options).streamId;
    this.maxClients = config().LIVE_ROOM_MAX_CLIENTS;
    this.state = new LiveRoomState();
    await this.setMetadata({ streamId: this.streamId });
    // subscribe first, then read the snapshot: events in between are applied (idempotently) after it
    const early: LiveSignal[] = [];
    let loaded = false;
    this.holdUntilDispose(subscribeLive(this.streamId, (s) => (loaded ? this.onSignal(s) : early.push(s))));
    await this.loadSnapshot();
    loaded = true;
    for (const s of early) this.onSignal(s);
    this.clock.setInterval(() => this.publishMood(), MOOD_PUBLISH_MS);
    this.clock.setInterval(() => this.announcePresence(), PRESENCE_EVERY_MS);
    this.clock.setInterval(() => void this.fillGap(), GAP_FILL_MS);
    this.clock.setInterval(() => writeCreatorStats(this.state, this.analytics.stats(this.state.viewerCount, clock.now().getTime())), 1000);
    this.clock.setInterval(() => void this.flushAnalytics(), ANALYTICS_FLUSH_MS);
    this.clock.setInterval(() => this.state.poll && this.state.poll.endsAt <= clock.now().getTime() && void engagement.closeDuePolls(this.streamId).catch(this.warn("poll close")), 1000);
  }

  private async loadSnapshot(): Promise<void> {
    const seq = await currentSeq(this.streamId);
    this.buffer = new SeqBuffer<LiveEvent>(seq + 1);
    this.stream = await streams.findStream(this.streamId);
    const s = this.state;
    s.assign({ streamId: this.stream.id, creatorId: this.stream.creator_id, title: this.stream.title, status: this.stream.status, seq });
    writeSettings(s, this.stream.settings);
    writeSegments(s, this.stream.segments.map(streams.segmentJson));
    s.staff.moderators.push(...this.stream.moderators);
    const [recent, poll, questions, goals, board, restrictions] = await Promise.all([
      latestLiveEvents(this.streamId, ["chat", "pinned"], 200),
      engagement.openPoll(this.streamId),
      engagement.topQuestions(this.streamId),
      engagement.listGoals(this.streamId),
      getLeaderboard("stream_gifters", { scope_id: this.streamId, limit: 10 }),
      streams.chatRestrictions(this.streamId),
    ]);
    this.restrictions.load(restrictions);
    const timeouts = restrictions.filter((r) => r.kind === "timeout").map((r) => ({ user_id: r.user_id, until: r.until! }));
    for (const e of recent.filter((e) => !e.data.deleted)) applyLiveEvent(s, e);
    const commands = (await latestLiveEvents(this.streamId, ["gift"], 200)).filter((e) => e.data.command).slice(-20);
    for (const e of commands) writeCommand(s, e);
    writePoll(s, poll);
    writeQuestions(s, questions);
    for (const g of goals) writeGoal(s, g);
    for (const item of board.items) writeGifter(s, item.user.id, item.score);
    for (const t of timeouts) applyLiveEvent(s, { seq: 0, type: "moderation", at: t.until.toISOString(), offset_ms: 0, user_id: null, data: { action: "timeout", user_id: t.user_id, until: t.until.toISOString() } });
    s.seq = seq;
  }

  /** when each seated client joined (by session), for its watch-time XP on leave */
  private readonly joinedAt = new Map<string, number>();

  override onJoin(client: LiveClient): void {
    this.joinedAt.set(client.sessionId, clock.now().getTime());
    this.clientSubscriptions.add(client, subscribeClientToNotifications(client, client.auth.userId));
    this.decideStaffView(client);
    this.onPresenceChanged();
  }

  override onDrop(client: LiveClient): void {
    this.catchUp.dropped(client.sessionId, this.state.seq);
    super.onDrop(client);
  }

  /** Back within the grace: the command events it missed, once and in order, before any new one. */
  override async onReconnect(client: LiveClient): Promise<void> {
    super.onReconnect(client);
    const missed = await this.catchUp.back(client.sessionId, () => this.state.seq, (after) => this.commandsAfter(after));
    for (const e of missed) client.send("command", commandMessage(e));
  }

  private async commandsAfter(afterSeq: number): Promise<LiveEvent[]> {
    return (await liveEventsAfter(this.streamId, afterSeq, RESUME_LIMIT, ["gift"])).filter((e) => e.data.command);
  }

  override onLeave(client: LiveClient): void {
    this.catchUp.forget(client.sessionId);
    super.onLeave(client);
    const joinedAt = this.joinedAt.get(client.sessionId);
    this.joinedAt.delete(client.sessionId);
    if (joinedAt !== undefined && client.auth.userId !== this.state.creatorId) {
      recordWatchStretch(this.stream, client.auth.userId, joinedAt, clock.now().getTime()).catch((err: unknown) =>
        logger.error({ err, streamId: this.streamId }, "watch-time XP not awarded"),
      );
    }
    this.chatGate.forget(client.auth.userId);
    this.reactionGate.forget(client.auth.userId);
  }

  override async onDispose(): Promise<void> {
    clearTimeout(this.patchTimer);
    await this.flushAnalytics();
    publishLiveSignal(this.streamId, { kind: "presence", shard: this.roomId, viewers: 0, at: 0 });
    await super.onDispose();
  }

  protected override onPresenceChanged(): void {
    this.countViewers();
    this.announcePresence();
  }

  /** viewerCount is the sum over the stream's shards (this one's clients + what the others announced). */
  private countViewers(): void {
    const now = clock.now().getTime();
    this.state.viewerCount = this.shards.total(this.roomId, this.clients.length, now);
    this.analytics.onViewers(this.state.viewerCount, now);
  }

  private isStaff(userId: string): boolean {
    return userId === this.state.creatorId || this.state.staff.moderators.includes(userId);
  }

  /** The creator and moderators see `staff` (reports, timeouts); a moderator removed stops seeing it. */
  private decideStaffView(client: LiveClient): void {
    if (client.auth.userId === this.state.creatorId) {
      client.view ??= new StateView();
      client.view.add(this.state, CREATOR_ONLY);
    }
    if (this.isStaff(client.auth.userId)) {
      client.view ??= new StateView();
      client.view.add(this.state, STAFF_ONLY);
    } else if (client.view) {
      client.view.remove(this.state, STAFF_ONLY);
    }
  }

  private onSignal(signal: LiveSignal): void {
    const now = clock.now().getTime();
    if (signal.kind === "event") return this.applyInOrder(this.buffer.offer(signal.event, now));
    if (signal.kind === "reaction") {
      this.mood = addReaction(this.mood, signal.reaction as Reaction, signal.count, now, config().LIVE_MOOD_HALF_LIFE_MS);
      return;
    }
    if (signal.kind === "presence" && signal.shard !== this.roomId) {
      if (signal.at === 0) this.shards.drop(signal.shard);
      else this.shards.report(signal.shard, signal.viewers, now);
      this.countViewers();
    }
  }

  private applyInOrder(events: LiveEvent[]): void {
    if (events.length === 0) return;
    const now = clock.now().getTime();
    for (const event of events) {
      this.analytics.onEvent(event, now);
      if (event.type === "settings") this.stream = { ...this.stream, settings: event.data as streams.StreamSettings };
      if (event.type === "moderation" && /^moderator_/.test(event.data.action)) {
        const mods = new Set(this.stream.moderators);
        if (event.data.action === "moderator_added") mods.add(event.data.user_id);
        else mods.delete(event.data.user_id);
        this.stream = { ...this.stream, moderators: [...mods] };
      }
      if (event.type === "moderation") this.restrictions.apply(event.data);
      if (event.type === "status") this.stream = { ...this.stream, status: event.data.status, started_at: event.data.started_at ? new Date(event.data.started_at) : this.stream.started_at };
      for (const effect of applyLiveEvent(this.state, event)) this.perform(effect);
    }
    this.patchSoon();
  }

  /** when the last patch with changes was written to every socket (performance.now(): real time, whatever the injected clock) */
  private lastPatchAt = 0;
  private patchTimer: NodeJS.Timeout | undefined;

  override broadcastPatch(): boolean {
    // a tick right after an event's patch waits for the next one (the room's clock still advances)
    if (performance.now() - this.lastPatchAt < PATCH_GAP_MS) return (this.clock.tick(), false);
    const changed = super.broadcastPatch();
    // counted from the end of the writes: under load the room reads its messages between patches
    if (changed) this.lastPatchAt = performance.now();
    return changed;
  }

  /** An ordered event changed the state: patch now, or once PATCH_GAP_MS has passed since the last patch was written. */
  private patchSoon(): void {
    if (this.patchTimer || this.clients.length === 0) return;
    const wait = this.lastPatchAt + PATCH_GAP_MS - performance.now();
    if (wait <= 0) return void this.broadcastPatch();
    this.patchTimer = setTimeout(() => {
      this.patchTimer = undefined;
      this.broadcastPatch();
    }, wait);
  }

  private perform(effect: LiveEffect): void {
    if (effect.kind === "command") {
      const away = this.catchUp.awaySessions();
      return this.broadcast("command", commandMessage(effect.event), away && { except: this.clients.filter((c) => away.has(c.sessionId)) });
    }
    if (effect.kind === "kick") {
      for (const c of this.clients.filter((c) => c.auth.userId === effect.userId)) {
        c.send("banned", { streamId: this.streamId });
        c.leave(BANNED_CLOSE_CODE);
      }
      return;
    }
    if (effect.kind === "staff_changed") for (const c of this.clients.filter((c) => c.auth.userId === effect.userId)) this.decideStaffView(c);
  }

  /** A gap that stays open: read the missing events from the log; still missing later, skip them. */
  private async fillGap(): Promise<void> {
    const since = this.buffer.gapSince;
    const now = clock.now().getTime();
    if (since === undefined || this.filling) return;
    if (now - since < GAP_FILL_MS) return;
    this.filling = true;
    try {
      const missing = await liveEventsAfter(this.streamId, this.buffer.expected - 1, 100);
      for (const e of missing) this.applyInOrder(this.buffer.offer(e, now));
      if (this.buffer.gapSince !== undefined && now - this.buffer.gapSince > GAP_SKIP_MS) this.applyInOrder(this.buffer.skipGap(now));
    } catch (err) {
      this.warn("gap fill")(err);
    } finally {
      this.filling = false;
    }
  }

  private publishMood(): void {
    const now = clock.now().getTime();
    this.mood = decay(this.mood, now, config().LIVE_MOOD_HALF_LIFE_MS);
    const { agg, fired } = crossedOverlays(this.mood);
    this.mood = agg;
    const mood = moodOf(agg);
    writeMood(this.state, mood);
    this.analytics.onMood(mood, this.shards.leads(this.roomId, now), now);
    for (const overlay of fired) this.broadcast("overlay", { overlay, mood });
  }

  private flushAnalytics(): Promise<void> {
    const now = clock.now().getTime();
    return this.analytics.flush(this.state.viewerCount, this.shards.leads(this.roomId, now), this.clients.some((c) => c.auth.userId === this.state.creatorId), now);
  }

  private announcePresence(): void {
    publishLiveSignal(this.streamId, { kind: "presence", shard: this.roomId, viewers: this.clients.length, at: clock.now().getTime() });
  }

  private warn(what: string) {
    return (err: unknown) => logger.warn({ err, streamId: this.streamId, roomId: this.roomId }, `live room: ${what} failed`);
  }
}

/** The `command` message: one per command gift, with the stream's seq (clients dedupe and order by it). */
export function commandMessage(e: LiveEvent) {
  const { action, ...payload } = e.data.command as Record<string, unknown>;
  return { seq: e.seq, action, giftCode: e.data.gift_code, senderId: e.user_id, payload };
}
