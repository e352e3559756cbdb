import type { Session } from "../infra/transaction";
import type { XpSource } from "./xp.rules";
import { BadgeAwardModel, ProgressModel, XpAwardModel } from "./progression.model";

/** Persistence for progression, returning plain objects. Writes take the caller's transaction session. */
export interface ProgressRow {
  user_id: string;
  xp: number;
  counts: Partial<Record<XpSource, number>>;
  /** badges held (a copy of badge_awards kept on the row, written in the same transactions) */
  badge_ids: string[];
}

export interface XpAwardRow {
  user_id: string;
  event_id: string;
  source: string;
  amount: number | null;
  xp: number;
  created_at: Date;
}

export interface BadgeAwardRow {
  badge_id: string;
  event_id: string;
  awarded_at: Date;
}

type Row = Record<string, any>;

const toProgress = (userId: string, row: Row | null): ProgressRow => ({
  user_id: userId,
  xp: row?.xp ?? 0,
  counts: row?.counts ?? {},
  badge_ids: row?.badge_ids ?? [],
});

/** Record the event for this user; a second insert of the same (user, event) is a duplicate-key error. */
export async function insertXpAward(award: XpAwardRow, session: Session): Promise<void> {
  await XpAwardModel.collection.insertOne({ ...award }, { session });
}

export async function findXpAward(userId: string, eventId: string): Promise<XpAwardRow | null> {
  const row = await XpAwardModel.collection.findOne({ user_id: userId, event_id: eventId });
  if (!row) return null;
  return { user_id: row.user_id, event_id: row.event_id, source: row.source, amount: row.amount ?? null, xp: row.xp, created_at: row.created_at };
}

/** Record several events at once (one insert); any repeat is a duplicate-key error for the whole batch. */
export async function insertXpAwards(awards: XpAwardRow[], session: Session): Promise<void> {
  if (awards.length === 1) return insertXpAward(awards[0]!, session);
  await XpAwardModel.collection.insertMany(awards.map((a) => ({ ...a })), { session });
}

/** Add XP (positive) and the events counted per source to one user's row in one write; the progress row after. */
export async function incrementProgress(userId: string, xp: number, counts: Partial<Record<XpSource, number>>, now: Date, session: Session): Promise<ProgressRow> {
  const inc: Record<string, number> = { xp };
  for (const [source, n] of Object.entries(counts)) inc[`counts.${source}`] = n!;
  const row = await ProgressModel.collection.findOneAndUpdate(
    { _id: userId as never },
    { $inc: inc, $set: { updated_at: now } },
    { upsert: true, returnDocument: "after", session },
  );
  return toProgress(userId, row);
}

/**
 * Add badges to the progress row. Every badge insert goes with this write, so two
 * transactions that could award the same badge conflict on this row and run one after the other.
 */
export async function addBadgesToProgress(userId: string, badgeIds: string[], now: Date, session: Session): Promise<void> {
  await ProgressModel.collection.updateOne(
    { _id: userId as never },
    { $addToSet: { badge_ids: { $each: badgeIds } }, $set: { updated_at: now } },
    { session },
  );
}

/** The progress row inside a transaction, created if missing, with a write so it conflicts like an award. */
export async function touchProgress(userId: string, now: Date, session: Session): Promise<ProgressRow> {
  const row = await ProgressModel.collection.findOneAndUpdate(
    { _id: userId as never },
    { $set: { updated_at: now }, $setOnInsert: { xp: 0, counts: {}, badge_ids: [] } },
    { upsert: true, returnDocument: "after", session },
  );
  return toProgress(userId, row);
}

export async function findProgress(userId: string): Promise<ProgressRow> {
  return toProgress(userId, await ProgressModel.collection.findOne({ _id: userId as never }));
}

export async function insertBadgeAwards(userId: string, badgeIds: string[], eventId: string, now: Date, session: Session): Promise<void> {
  if (badgeIds.length === 0) return;
  await BadgeAwardModel.collection.insertMany(
    badgeIds.map((badge_id) => ({ user_id: userId, badge_id, event_id: eventId, awarded_at: now })),
    { session },
  );
}

/** A user's badges, oldest first. */
export async function findBadgeAwards(userId: string): Promise<BadgeAwardRow[]> {
  const rows = await BadgeAwardModel.collection.find({ user_id: userId }).sort({ awarded_at: 1, badge_id: 1 }).toArray();
  return rows.map((r) => ({ badge_id: r.badge_id, event_id: r.event_id, awarded_at: r.awarded_at }));
}
