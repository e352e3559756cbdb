import { metrics } from "../metrics/metrics";
import type { Principal } from "../auth/roles";
import { config } from "../config";
import { withTransfer, type TransferSpec } from "../economy";
import { submitScores } from "../leaderboards/leaderboard.service";
import { logger } from "../logger";
import { awardXp } from "../progression/progression.service";
import { clock } from "../shared/clock";
import { decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { GIFT_CATALOG } from "./gift-catalog";
import { GiftEventModel, GiftModel, VelocityRefusalModel } from "./gift.model";
import { assertCommandAllowed, resolveCommand, splitGift, startOfUtcDay, velocityRefusal, type CatalogGift, type CommandInput, type CommandPayload } from "./gift.rules";
import { nextSeq, writeLiveEvent } from "./live-events";
import { StreamModel } from "./stream.model";
import { activeRestriction, findStream, type Stream } from "./stream.service";
import { advanceGoalsForGift, publishGiftGoals, startPoll } from "./engagement.service";
import { runEffects, runUndoneEffects } from "../infra/effects";
import { liveErrors } from "./live.errors";

/**
 * Gifts: tokens viewer → creator through the economy (the creator's share and the platform fee as
 * linked transfers), committed together with the gift event and the goals' progress; then, as the
 * gift event's effects (src/infra/effects.ts — re-run by a retry or at boot if the process died in
 * between): XP for both, the gifter boards, the ordered `gift` event every shard applies and the
 * goal events. Exactly once per (sender, stream, idempotency key): a retry answers the first
 * result, with the same new balance.
 */

function toCatalogGift(row: Record<string, any>): CatalogGift {
  return {
    code: row.code,
    name: row.name,
    token_cost: row.token_cost,
    animation_key: row.animation_key,
    rarity: row.rarity,
    ...(row.command?.action ? { command: { action: row.command.action, ...(row.command.outcomes?.length ? { outcomes: row.command.outcomes } : {}), ...(row.command.sound_key ? { sound_key: row.command.sound_key } : {}), ...(row.command.poll_duration_s ? { poll_duration_s: row.command.poll_duration_s } : {}) } } : {}),
  };
}

/** `npm run seed`: write the catalog (insert new codes, update existing ones). */
export async function seedGiftCatalog(): Promise<number> {
  for (const gift of GIFT_CATALOG) {
    await GiftModel.updateOne({ code: gift.code }, { $set: { ...gift, command: gift.command, active: true } }, { upsert: true });
  }
  return GIFT_CATALOG.length;
}

export async function listGifts(): Promise<CatalogGift[]> {
  const rows = await GiftModel.find({ active: true }).sort({ token_cost: 1, code: 1 }).lean();
  return rows.map(toCatalogGift);
}

async function findGift(code: string): Promise<CatalogGift> {
  const row = await GiftModel.findOne({ code, active: true }).lean();
  if (!row) throw liveErrors.giftNotFound(code);
  return toCatalogGift(row);
}

export interface SendGiftInput {
  giftCode: string;
  quantity: number;
  idempotencyKey: string;
  command?: CommandInput;
}

export interface GiftReceipt {
  gift_event_id: string;
  stream_id: string;
  gift_code: string;
  quantity: number;
  tokens: number;
  seq: number | null;
  command: CommandPayload | null;
  /** the sender's token balance right after this gift (the same on every retry) */
  balance: number;
  replayed: boolean;
}

/** Injected for tests: the wheel's outcome. */
let random: () => number = Math.random;
export function useGiftRandom(next: () => number): () => void {
  const previous = random;
  random = next;
  return () => void (random = previous);
}

const MINUTE_MS = 60_000;

async function checkVelocity(sender: string, stream: Stream, gift: CatalogGift, tokens: number, now: Date): Promise<void> {
  const [giftsLastMinute, spent] = await Promise.all([
    GiftEventModel.countDocuments({ sender_id: sender, created_at: { $gt: new Date(now.getTime() - MINUTE_MS) } }),
    GiftEventModel.aggregate<{ total: number }>([{ $match: { sender_id: sender, created_at: { $gte: startOfUtcDay(now) } } }, { $group: { _id: null, total: { $sum: "$tokens" } } }]),
  ]);
  const cfg = config();
  const refusal = velocityRefusal({ giftsLastMinute, spentToday: spent[0]?.total ?? 0 }, tokens, { giftsPerMinute: cfg.LIVE_GIFTS_PER_MINUTE, dailySpendCap: cfg.LIVE_DAILY_SPEND_CAP });
  if (!refusal) return;
  await VelocityRefusalModel.create({ stream_id: stream.id, sender_id: sender, code: refusal.code, gift_code: gift.code, tokens, created_at: now });
  logger.warn({ sender, streamId: stream.id, code: refusal.code, tokens }, "gift refused by velocity check");
  const wait = refusal.code === "daily_spend_cap" ? startOfUtcDay(now).getTime() + 86_400_000 - now.getTime() : MINUTE_MS;
  throw liveErrors.giftVelocity(refusal, Math.ceil(wait / 1000));
}

function transferSpecs(stream: Stream, senderId: string, key: string, tokens: number): TransferSpec[] {
  const { creator, platform } = splitGift(tokens, config().LIVE_PLATFORM_SHARE_PERCENT);
  const base = { debit: { userId: senderId }, currency: "tokens" as const, reason: "gift", ref: `stream:${stream.id}` };
  const id = `gift:${stream.id}:${senderId}:${key}`;
  const specs: TransferSpec[] = [];
  if (creator > 0) specs.push({ ...base, id: `${id}:creator`, credit: { userId: stream.creator_id }, amount: creator });
  if (platform > 0) specs.push({ ...base, id: `${id}:fee`, credit: { system: "revenue" }, amount: platform });
  return specs;
}

/** Operators watch gifting (volume by gift, tokens moved); the ledger's counters count the transfers. */
const giftsSent = metrics.counter("live_gifts_total", "Gifts sent (retries not counted), by gift code.", ["gift"]);
const giftTokens = metrics.counter("live_gift_tokens_total", "Tokens spent on gifts.");

export async function sendGift(sender: Principal, streamId: string, input: SendGiftInput): Promise<GiftReceipt> {
  const senderId = sender.userId;
  const stream = await findStream(streamId);
  if (stream.status !== "live") throw liveErrors.streamNotLive("Gifts go to live streams.");
  if (stream.creator_id === senderId) throw liveErrors.ownStream();
  const gift = await findGift(input.giftCode);
  const tokens = gift.token_cost * input.quantity;
  const now = clock.now();

  const existing = await GiftEventModel.findOne({ sender_id: senderId, stream_id: stream.id, idempotency_key: input.idempotencyKey }).lean();
  if (existing && (existing.gift_code !== gift.code || existing.quantity !== input.quantity)) {
    throw liveErrors.idempotencyKeyReused();
  }
  let command: CommandPayload | null = null;
  if (!existing) {
    if ((await activeRestriction(stream.id, senderId)).banned) throw liveErrors.banned();
    await checkVelocity(senderId, stream, gift, tokens, now);
    if (gift.command) {
      assertCommandAllowed(stream.settings, stream.last_command_at, now);
      command = resolveCommand(gift, input.command, random);
    }
  }

  const specs = transferSpecs(stream, senderId, input.idempotencyKey, tokens);
  const { creator, platform } = splitGift(tokens, config().LIVE_PLATFORM_SHARE_PERCENT);
  const out = await withTransfer(specs, async (session) => {
    if (command) {
      // the cooldown holds across processes: the command claims its slot in the same transaction.
      // Without a cooldown nothing is compared: two commands whose clocks were read in one order
      // and whose transactions commit in the other must both go through. `$max`: the last
      // command's time never moves back.
      const cooldown = stream.settings.command_cooldown_s * 1000;
      const slotFree = cooldown > 0 ? { $or: [{ last_command_at: null }, { last_command_at: { $lte: new Date(now.getTime() - cooldown) } }] } : {};
      const claimed = await StreamModel.updateOne(
        { _id: stream.id, "settings.commands_enabled": true, ...slotFree },
        { $max: { last_command_at: now } },
        { session },
      );
      if (claimed.matchedCount === 0) throw liveErrors.commandCooldown(Math.max(1, stream.settings.command_cooldown_s));
    }
    const [row] = await GiftEventModel.create(
      [
        {
          stream_id: stream.id,
          sender_id: senderId,
          creator_id: stream.creator_id,
          idempotency_key: input.idempotencyKey,
          gift_code: gift.code,
          quantity: input.quantity,
          tokens,
          creator_tokens: creator,
          platform_tokens: platform,
          transfer_ids: specs.map((s) => s.id),
          command,
          seq: null,
          effects_done: false,
          created_at: now,
        },
      ],
      { session },
    );
    await advanceGoalsForGift(stream.id, tokens, input.quantity, session);
    return row!.toObject();
  });
  const balance = out.transfers[out.transfers.length - 1]!.balances[senderId] ?? 0;
  const event = out.result ?? (await GiftEventModel.findOne({ sender_id: senderId, stream_id: stream.id, idempotency_key: input.idempotencyKey }).lean());
  if (!event) throw liveErrors.giftInFlight();
  if (event.gift_code !== gift.code || event.quantity !== input.quantity) throw liveErrors.idempotencyKeyReused();
  const seq = event.effects_done ? (event.seq ?? null) : await runGiftEffects(stream, toGiftRow(event));
  if (!out.replayed) {
    giftsSent.inc({ gift: event.gift_code });
    giftTokens.inc(event.tokens);
  }
  return {
    gift_event_id: String(event._id),
    stream_id: stream.id,
    gift_code: event.gift_code,
    quantity: event.quantity,
    tokens: event.tokens,
    seq,
    command: (event.command as CommandPayload | null) ?? null,
    balance,
    replayed: out.replayed,
  };
}

interface GiftRow {
  id: string;
  stream_id: string;
  sender_id: string;
  creator_id: string;
  gift_code: string;
  quantity: number;
  tokens: number;
  command: CommandPayload | null;
  seq: number | null;
  created_at: Date;
}

function toGiftRow(row: Record<string, any>): GiftRow {
  return {
    id: String(row._id),
    stream_id: row.stream_id,
    sender_id: row.sender_id,
    creator_id: row.creator_id,
    gift_code: row.gift_code,
    quantity: row.quantity,
    tokens: row.tokens,
    command: row.command ?? null,
    seq: row.seq ?? null,
    created_at: row.created_at,
  };
}

/**
 * Board submissions of one stream go one at a time in this process: the store backend reads a
 * racing first insert of a board row (E11000 on the record) as an already-counted event and drops
 * it (src/leaderboards/store.backend.ts), so concurrent first gifts would lose score.
 */
const boardQueues = new Map<string, Promise<unknown>>();
function oneAtATimePerStream<T>(streamId: string, fn: () => Promise<T>): Promise<T> {
  const run = (boardQueues.get(streamId) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  boardQueues.set(streamId, tail);
  void tail.then(() => boardQueues.get(streamId) === tail && boardQueues.delete(streamId));
  return run;
}

/** A committed gift's effects, then its row is marked done; returns the gift's seq. */
async function runGiftEffects(stream: Stream, gift: GiftRow): Promise<number | null> {
  let seq: number | null = null;
  await runEffects(GiftEventModel, { _id: gift.id }, async () => void (seq = await afterGift(stream, gift)));
  return seq;
}

/** At boot: gifts whose effects a dead process left undone (money and goals committed, the rest not) are finished. */
export async function rerunUndoneGiftEffects(): Promise<number> {
  return runUndoneEffects<Record<string, any> & { _id: unknown }>(GiftEventModel, {}, { created_at: 1 }, async (row) => {
    await afterGift(await findStream(row.stream_id), toGiftRow(row));
  });
}

/**
 * After the money committed (each step idempotent, so a retry or a boot re-run repairs what a crash
 * left undone): XP and the boards (by the gift's id), then the gift takes its seq once (a
 * conditional update: concurrent retries cannot give it two), its event is written under that seq
 * (an upsert: once) and goes out to every shard, then the goals' progress (already committed).
 */
async function afterGift(stream: Stream, gift: GiftRow): Promise<number | null> {
  const eventId = `gift:${gift.id}`;
  const [boards] = await Promise.all([
    oneAtATimePerStream(stream.id, () => submitScores([
      { boardId: "stream_gifters", scopeId: stream.id, userId: gift.sender_id, score: gift.tokens, eventId, at: gift.created_at },
      { boardId: "gifters_weekly", userId: gift.sender_id, score: gift.tokens, eventId, at: gift.created_at },
      { boardId: "creators_monthly", userId: gift.creator_id, score: gift.tokens, eventId, at: gift.created_at },
    ])),
    awardXp({ userId: gift.sender_id, source: "gift_sent", amount: gift.tokens, eventId }),
    awardXp({ userId: gift.creator_id, source: "gift_received", amount: gift.tokens, eventId }),
  ]);
  let seq = gift.seq;
  let claimedNow = false;
  if (seq === null) {
    const taken = await nextSeq(stream.id);
    claimedNow = (await GiftEventModel.updateOne({ _id: gift.id, seq: null }, { $set: { seq: taken } })).modifiedCount > 0;
    // a concurrent retry claimed first: its seq counts, this one stays unused (rooms skip the gap)
    seq = claimedNow ? taken : ((await GiftEventModel.findById(gift.id).lean())?.seq ?? null);
  }
  if (seq === null) return null;
  await writeLiveEvent(stream, seq, "gift", gift.sender_id, {
    gift_event_id: gift.id,
    gift_code: gift.gift_code,
    quantity: gift.quantity,
    tokens: gift.tokens,
    sender_total: boards[0]?.score ?? gift.tokens,
    command: gift.command,
  });
  if (claimedNow && gift.command?.action === "start_poll") {
    const c = gift.command;
    await startPoll(gift.sender_id, stream.id, { question: c.question, options: c.options, durationS: c.duration_s }, true);
  }
  await publishGiftGoals(stream);
  return seq;
}

/** Admin reconciliation: a stream's gift events with their transfer ids, oldest first. */
export async function listGiftEvents(streamId: string, q: { limit: number; cursor?: string }): Promise<Page<GiftRow & { creator_tokens: number; platform_tokens: number; transfer_ids: string[] }>> {
  const after = decodeCursor(q.cursor, timeIdCursor);
  const filter: Record<string, unknown> = { stream_id: streamId };
  if (after) filter.$or = [{ created_at: { $gt: new Date(after.t) } }, { created_at: new Date(after.t), _id: { $gt: after.id } }];
  const rows = await GiftEventModel.find(filter).sort({ created_at: 1, _id: 1 }).limit(q.limit + 1).lean();
  const items = rows.map((r) => ({ ...toGiftRow(r), creator_tokens: r.creator_tokens, platform_tokens: r.platform_tokens, transfer_ids: r.transfer_ids }));
  return toPage(items, q.limit, (r) => timeIdKey(r.created_at, r.id));
}
