import { awardBoardLeader } from "../progression/progression.service";
import { hasRole, type Principal } from "../auth/roles";
import { withTransfer } from "../economy";
import { logger } from "../logger";
import { notify } from "../notifications/notification.service";
import { followerIds, isFollowing } from "../social/social.service";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { afterTimeId, decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { isObjectIdString, newId } from "../shared/ids";
import { appendLiveEvent } from "./live-events";
import { RestrictionModel, StreamModel, SubscriptionModel, TicketModel } from "./stream.model";
import { assertMayWatch, roomIsOpen, transitionStream, type StreamAccess, type StreamAction, type StreamStatus } from "./stream.rules";
import { liveErrors } from "./live.errors";

/** Streams: create/schedule, the life cycle, who may watch, moderation and settings, tickets. */

export interface StreamSettings {
  slow_mode_s: number;
  links_allowed: boolean;
  blocked_words: string[];
  commands_enabled: boolean;
  command_cooldown_s: number;
}

export interface Segment {
  id: string;
  media_url: string;
  duration_s: number;
  title: string;
  started_at: Date | null;
}

export interface Stream {
  id: string;
  creator_id: string;
  title: string;
  category: string;
  status: StreamStatus;
  access: StreamAccess;
  ticket_price: number | null;
  cover_url: string | null;
  scheduled_at: Date | null;
  started_at: Date | null;
  ended_at: Date | null;
  archived_at: Date | null;
  created_at: Date;
  settings: StreamSettings;
  moderators: string[];
  last_command_at: Date | null;
  segments: Segment[];
  peak_viewers: number;
}

export function toStream(row: Record<string, any>): Stream {
  return {
    id: String(row._id),
    creator_id: row.creator_id,
    title: row.title,
    category: row.category,
    status: row.status,
    access: row.access,
    ticket_price: row.ticket_price ?? null,
    cover_url: row.cover_url ?? null,
    scheduled_at: row.scheduled_at ?? null,
    started_at: row.started_at ?? null,
    ended_at: row.ended_at ?? null,
    archived_at: row.archived_at ?? null,
    created_at: row.created_at,
    settings: {
      slow_mode_s: row.settings?.slow_mode_s ?? 0,
      links_allowed: row.settings?.links_allowed ?? false,
      blocked_words: row.settings?.blocked_words ?? [],
      commands_enabled: row.settings?.commands_enabled ?? true,
      command_cooldown_s: row.settings?.command_cooldown_s ?? 0,
    },
    moderators: row.moderators ?? [],
    last_command_at: row.last_command_at ?? null,
    segments: (row.segments ?? []).map((s: any) => ({ id: s.id, media_url: s.media_url, duration_s: s.duration_s, title: s.title, started_at: s.started_at ?? null })),
    peak_viewers: row.peak_viewers ?? 0,
  };
}

/** REST shape: the creator's settings and moderators are shown to the creator (and moderators) only. */
export function streamView(s: Stream, viewerId?: string) {
  const staff = viewerId !== undefined && (viewerId === s.creator_id || s.moderators.includes(viewerId));
  const { last_command_at: _l, settings, moderators, ...rest } = s;
  return { ...rest, ...(staff ? { settings, moderators } : {}) };
}

export async function findStream(streamId: string): Promise<Stream> {
  const row = isObjectIdString(streamId) ? await StreamModel.findById(streamId).lean() : null;
  if (!row) throw liveErrors.streamNotFound();
  return toStream(row);
}

export interface CreateStreamInput {
  title: string;
  category: string;
  scheduled_at?: Date;
  cover_url?: string;
  access: StreamAccess;
  ticket_price?: number;
}

export async function createStream(principal: Principal, input: CreateStreamInput): Promise<Stream> {
  if (!hasRole(principal, "creator")) throw liveErrors.creatorOnly();
  if ((input.access === "ticketed") !== (input.ticket_price !== undefined)) {
    throw liveErrors.invalidTicketPrice();
  }
  const now = clock.now();
  if (input.scheduled_at && input.scheduled_at.getTime() < now.getTime()) throw liveErrors.scheduledInPast();
  const doc = await StreamModel.create({
    creator_id: principal.userId,
    title: input.title,
    category: input.category,
    status: "scheduled",
    access: input.access,
    ticket_price: input.ticket_price ?? null,
    cover_url: input.cover_url ?? null,
    scheduled_at: input.scheduled_at ?? null,
    created_at: now,
  });
  return toStream(doc.toObject());
}

export interface ListStreamsQuery {
  status?: StreamStatus;
  category?: string;
  creator_id?: string;
  limit: number;
  cursor?: string;
}

export async function listStreams(q: ListStreamsQuery): Promise<Page<Stream>> {
  const after = decodeCursor(q.cursor, timeIdCursor);
  const filter: Record<string, unknown> = { ...afterTimeId(after) };
  if (q.status) filter.status = q.status;
  if (q.category) filter.category = q.category;
  if (q.creator_id) filter.creator_id = q.creator_id;
  const rows = await StreamModel.find(filter).sort({ created_at: -1, _id: -1 }).limit(q.limit + 1).lean();
  return toPage(rows.map(toStream), q.limit, (s) => timeIdKey(s.created_at, s.id));
}

const TIMESTAMP_OF: Record<StreamAction, "started_at" | "ended_at" | "archived_at"> = { go_live: "started_at", end: "ended_at", archive: "archived_at" };

/** One life-cycle step by the creator, as a conditional update (a concurrent step loses with 409). */
export async function transition(principal: Principal, streamId: string, action: StreamAction): Promise<Stream> {
  const stream = await findStream(streamId);
  if (stream.creator_id !== principal.userId) throw liveErrors.notStreamCreator("Only the stream's creator can do this.");
  const to = transitionStream(stream.status, action);
  const now = clock.now();
  let row;
  try {
    row = await StreamModel.findOneAndUpdate({ _id: stream.id, status: stream.status }, { $set: { status: to, [TIMESTAMP_OF[action]]: now } }, { returnDocument: "after" }).lean();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw liveErrors.alreadyLive();
    throw err;
  }
  if (!row) throw liveErrors.invalidStreamTransition("The stream changed meanwhile; reload it.", { action });
  const next = toStream(row);
  if (action !== "archive") await appendLiveEvent(next, "status", principal.userId, { status: to, started_at: next.started_at?.toISOString() ?? null });
  if (action === "go_live") void notifyFollowersLive(next);
  // the stream's top gifter earns the badge when it ends; again on archive (idempotent), should the end's award have died with a process
  if (action !== "go_live") await awardBoardLeader("stream_gifters", next.id, "stream_top_gifter");
  return next;
}

/** Followers hear about a stream going live (in the background: a creator may have many). */
const NOTIFY_CONCURRENCY = 8;
const pendingFanouts = new Set<Promise<void>>();

function notifyFollowersLive(stream: Stream): Promise<void> {
  const run = (async () => {
    const ids = await followerIds(stream.creator_id);
    for (let i = 0; i < ids.length; i += NOTIFY_CONCURRENCY) {
      await Promise.all(
        ids.slice(i, i + NOTIFY_CONCURRENCY).map((id) =>
          notify(id, { type: "stream_live", actor_id: stream.creator_id, data: { stream_id: stream.id, title: stream.title, category: stream.category } }),
        ),
      );
    }
  })().catch((err: unknown) => logger.warn({ err, streamId: stream.id }, "stream_live notifications failed"));
  pendingFanouts.add(run);
  void run.finally(() => pendingFanouts.delete(run));
  return run;
}

/** Tests and shutdown wait for notification fan-outs in flight. */
export async function liveFanoutsSettled(): Promise<void> {
  await Promise.all([...pendingFanouts]);
}

export type StreamRole = "creator" | "moderator" | "viewer";

export function roleIn(stream: Stream, userId: string): StreamRole {
  if (stream.creator_id === userId) return "creator";
  return stream.moderators.includes(userId) ? "moderator" : "viewer";
}

export async function activeRestriction(streamId: string, userId: string): Promise<{ banned: boolean; timeoutUntil: Date | null }> {
  const rows = await RestrictionModel.find({ stream_id: streamId, user_id: userId }).lean();
  const now = clock.now().getTime();
  const timeout = rows.find((r) => r.kind === "timeout" && r.until && r.until.getTime() > now);
  return { banned: rows.some((r) => r.kind === "ban"), timeoutUntil: timeout?.until ?? null };
}

export async function isSubscriber(userId: string, creatorId: string): Promise<boolean> {
  return (await SubscriptionModel.exists({ user_id: userId, creator_id: creatorId, renews_at: { $gt: clock.now() } })) !== null;
}

/** May this user enter the stream's room now? Open (live, or the lobby), not banned, the access rule passes. */
export async function assertMayJoin(userId: string, streamId: string): Promise<{ stream: Stream; role: StreamRole; subscriber: boolean }> {
  const stream = await findStream(streamId);
  if (!roomIsOpen(stream, clock.now())) throw liveErrors.streamNotLive(`The stream is ${stream.status}; its room is not open.`);
  return assertAudience(stream, userId);
}

/** The replay follows the stream's access rule and bans too. */
export async function assertMayJoinReplay(userId: string, streamId: string): Promise<Stream> {
  return (await assertAudience(await findStream(streamId), userId)).stream;
}

async function assertAudience(stream: Stream, userId: string): Promise<{ stream: Stream; role: StreamRole; subscriber: boolean }> {
  const role = roleIn(stream, userId);
  if ((await activeRestriction(stream.id, userId)).banned) throw liveErrors.banned();
  const [isFollower, subscriber, hasTicket] = await Promise.all([
    stream.access === "followers" ? isFollowing(userId, stream.creator_id) : false,
    isSubscriber(userId, stream.creator_id),
    stream.access === "ticketed" ? TicketModel.exists({ stream_id: stream.id, user_id: userId }).then((t) => t !== null) : false,
  ]);
  assertMayWatch(stream.access, { isCreator: role === "creator", isFollower, isSubscriber: subscriber, hasTicket });
  return { stream, role, subscriber };
}

function assertStaff(stream: Stream, userId: string): StreamRole {
  const role = roleIn(stream, userId);
  if (role === "viewer") throw liveErrors.moderatorsOnly();
  return role;
}

/** Ban (for good) or time out (for `seconds`) a viewer; every shard drops or mutes them. The creator cannot be restricted. */
export async function restrictUser(actorId: string, streamId: string, targetId: string, kind: "ban" | "timeout", seconds?: number): Promise<{ until: Date | null }> {
  const stream = await findStream(streamId);
  const actorRole = assertStaff(stream, actorId);
  const targetRole = roleIn(stream, targetId);
  if (targetRole === "creator" || (targetRole === "moderator" && actorRole !== "creator")) {
    throw liveErrors.cannotRestrict();
  }
  const now = clock.now();
  const until = kind === "timeout" ? new Date(now.getTime() + (seconds ?? 60) * 1000) : null;
  await RestrictionModel.updateOne(
    { stream_id: stream.id, user_id: targetId, kind },
    { $set: { until, by: actorId, created_at: now } },
    { upsert: true },
  );
  // confirmed: Redis has sent the restriction to every process's shard rooms before the moderator hears back
  await appendLiveEvent(stream, "moderation", actorId, { action: kind, user_id: targetId, until: until?.toISOString() ?? null }, { confirmPublish: true });
  return { until };
}

export async function liftRestriction(actorId: string, streamId: string, targetId: string, kind: "ban" | "timeout"): Promise<void> {
  const stream = await findStream(streamId);
  assertStaff(stream, actorId);
  await RestrictionModel.deleteOne({ stream_id: stream.id, user_id: targetId, kind });
  await appendLiveEvent(stream, "moderation", actorId, { action: kind === "ban" ? "unban" : "untimeout", user_id: targetId }, { confirmPublish: true });
}

/** The stream's bans and running timeouts (a shard room loads them once, then follows the moderation events). */
export async function chatRestrictions(streamId: string): Promise<{ user_id: string; kind: "ban" | "timeout"; until: Date | null }[]> {
  const rows = await RestrictionModel.find({ stream_id: streamId, $or: [{ kind: "ban" }, { kind: "timeout", until: { $gt: clock.now() } }] }).lean();
  return rows.map((r) => ({ user_id: r.user_id, kind: r.kind as "ban" | "timeout", until: r.until ?? null }));
}

/** The creator grants or takes back the moderator role. */
export async function setModerator(actorId: string, streamId: string, targetId: string, grant: boolean): Promise<Stream> {
  const stream = await findStream(streamId);
  if (stream.creator_id !== actorId) throw liveErrors.notStreamCreator("Only the creator appoints moderators.");
  if (targetId === actorId) throw liveErrors.invalidModerator();
  const row = await StreamModel.findByIdAndUpdate(stream.id, grant ? { $addToSet: { moderators: targetId } } : { $pull: { moderators: targetId } }, { returnDocument: "after" }).lean();
  const next = toStream(row!);
  await appendLiveEvent(next, "moderation", actorId, { action: grant ? "moderator_added" : "moderator_removed", user_id: targetId });
  return next;
}

export async function updateSettings(actorId: string, streamId: string, patch: Partial<StreamSettings>): Promise<StreamSettings> {
  const stream = await findStream(streamId);
  const role = assertStaff(stream, actorId);
  const creatorOnly = patch.commands_enabled !== undefined || patch.command_cooldown_s !== undefined;
  if (creatorOnly && role !== "creator") throw liveErrors.notStreamCreator("Only the creator sets command gifts.");
  const $set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined).map(([k, v]) => [`settings.${k}`, v]));
  const row = await StreamModel.findByIdAndUpdate(stream.id, { $set }, { returnDocument: "after" }).lean();
  const next = toStream(row!);
  await appendLiveEvent(next, "settings", actorId, { ...next.settings });
  return next.settings;
}

/** Buy a ticket for a ticketed stream: tokens to the creator, once (the ticket's transfer id is fixed per viewer and stream). */
export async function buyTicket(userId: string, streamId: string): Promise<{ stream_id: string; price: number; balance: number; replayed: boolean }> {
  const stream = await findStream(streamId);
  if (stream.access !== "ticketed" || stream.ticket_price === null) throw liveErrors.notTicketed();
  if (stream.creator_id === userId) throw liveErrors.ownStream("You do not need a ticket for your own stream.");
  if (stream.status === "ended" || stream.status === "archived") throw liveErrors.streamOver();
  const price = stream.ticket_price;
  const transferId = `ticket:${stream.id}:${userId}`;
  const out = await withTransfer(
    { id: transferId, debit: { userId }, credit: { userId: stream.creator_id }, currency: "tokens", amount: price, reason: "ticket", ref: `stream:${stream.id}` },
    async (session) => {
      await TicketModel.create([{ stream_id: stream.id, user_id: userId, price, transfer_id: transferId, created_at: clock.now() }], { session });
    },
  );
  return { stream_id: stream.id, price, balance: out.transfers[0]!.balances[userId] ?? 0, replayed: out.replayed };
}

/** Queue a pre-recorded segment (hybrid content); the room shows what plays now and next. */
export async function queueSegment(actorId: string, streamId: string, input: { media_url: string; duration_s: number; title: string }): Promise<Segment[]> {
  const stream = await findStream(streamId);
  if (stream.creator_id !== actorId) throw liveErrors.notStreamCreator("Only the creator queues segments.");
  const segment = { id: newId(), ...input, started_at: null };
  const row = await StreamModel.findByIdAndUpdate(stream.id, { $push: { segments: segment } }, { returnDocument: "after" }).lean();
  const next = toStream(row!);
  await appendLiveEvent(next, "segment", actorId, { segments: next.segments.map(segmentJson) });
  return next.segments;
}

/** Start the next queued segment (the previous one stops); the room shows it as playing and the one after as next. */
export async function playNextSegment(actorId: string, streamId: string): Promise<Segment[]> {
  const stream = await findStream(streamId);
  if (stream.creator_id !== actorId) throw liveErrors.notStreamCreator("Only the creator plays segments.");
  if (stream.status !== "live") throw liveErrors.streamNotLive("Segments play during the live stream.");
  const next = stream.segments.find((seg) => seg.started_at === null);
  if (!next) throw liveErrors.noSegmentQueued();
  // conditional on that segment still being unstarted: two clicks start it once
  const row = await StreamModel.findOneAndUpdate(
    { _id: stream.id, segments: { $elemMatch: { id: next.id, started_at: null } } },
    { $set: { "segments.$.started_at": clock.now() } },
    { returnDocument: "after" },
  ).lean();
  if (!row) throw liveErrors.segmentAlreadyStarted();
  const updated = toStream(row);
  await appendLiveEvent(updated, "segment", actorId, { segments: updated.segments.map(segmentJson) });
  return updated.segments;
}

export function segmentJson(s: Segment) {
  return { id: s.id, media_url: s.media_url, duration_s: s.duration_s, title: s.title, started_at: s.started_at?.toISOString() ?? null };
}
