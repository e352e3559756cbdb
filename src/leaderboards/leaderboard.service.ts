import { z } from "zod";
import { config } from "../config";
import { findUsersByIds } from "../auth/user.repository";
import { clock } from "../shared/clock";
import { decodeCursor, encodeCursor, DEFAULT_PAGE_SIZE } from "../shared/pagination";
import type { LeaderboardBackend, Partition, RankedEntry, SubmitRequest } from "./leaderboard.backend";
import {
  assertScope,
  assertSubmittable,
  findBoard,
  parseSeason,
  partitionKey,
  scoreEncoding,
  scoreRule,
  seasonAt,
  tiebreakAt,
  type BoardDefinition,
  type Season,
} from "./leaderboard.rules";
import { offsetCursor } from "./leaderboard.schemas";
import { RedisLeaderboardBackend } from "./redis.backend";
import { StoreLeaderboardBackend } from "./store.backend";
import { leaderboardErrors } from "./leaderboard.errors";

/**
 * Leaderboards used by every feature: `submitScore` from the services that own the events (gifts,
 * chapters, XP), reads from REST. The backend is Redis when REDIS_URL is set, the store otherwise.
 */
let backend: LeaderboardBackend | undefined;

export function leaderboardBackend(): LeaderboardBackend {
  const url = config().REDIS_URL;
  backend ??= url ? new RedisLeaderboardBackend(url) : new StoreLeaderboardBackend();
  return backend;
}

/** Swap the backend (tests run the REST suite on both); returns a function restoring the previous one. */
export function useLeaderboardBackend(next: LeaderboardBackend): () => void {
  const previous = backend;
  backend = next;
  return () => {
    backend = previous;
  };
}

export async function closeLeaderboardBackend(): Promise<void> {
  const current = backend;
  backend = undefined;
  await current?.close();
}

/** Entries shown on each side of the caller in "around me". */
export const AROUND_RADIUS = 2;

function boardOrThrow(boardId: string): BoardDefinition {
  const def = findBoard(boardId);
  if (!def) throw leaderboardErrors.notFound(boardId);
  return def;
}

function seasonOf(def: BoardDefinition, period: string | undefined, now: Date): Season {
  if (period === undefined || period === "current") return seasonAt(def.period, now);
  const season = parseSeason(def.period, period);
  if (!season) throw leaderboardErrors.invalidSeason(period, def.id, def.period);
  return season;
}

function partitionOf(def: BoardDefinition, scopeId: string | undefined, season: Season): Partition {
  assertScope(def, scopeId);
  return { key: partitionKey(def.id, scopeId, season.id), order: def.order, base: scoreEncoding(def.period).base };
}

export interface SubmitScoreInput {
  boardId: string;
  /** the stream or book id on scoped boards; absent on global ones */
  scopeId?: string;
  userId: string;
  score: number;
  /** idempotency key: the same event submitted again changes nothing */
  eventId?: string;
  /** when it happened (default now): decides the season and the tiebreak */
  at?: Date;
}

export interface SubmitScoreResult {
  board_id: string;
  season: string;
  applied: boolean;
  duplicate: boolean;
  score: number | null;
}

function submissionOf(input: SubmitScoreInput): { req: SubmitRequest; board_id: string; season: string } {
  const def = boardOrThrow(input.boardId);
  assertSubmittable(def, input.score);
  const at = input.at ?? clock.now();
  const season = seasonAt(def.period, at);
  const req = {
    partition: partitionOf(def, input.scopeId, season),
    userId: input.userId,
    rule: scoreRule(def),
    score: input.score,
    tiebreak: tiebreakAt(def, season, at),
    eventId: input.eventId,
  };
  return { req, board_id: def.id, season: season.id };
}

/** Apply the board's operator (incr / best / set) for one user, atomically. */
export async function submitScore(input: SubmitScoreInput): Promise<SubmitScoreResult> {
  const { req, board_id, season } = submissionOf(input);
  return { board_id, season, ...(await leaderboardBackend().submit(req)) };
}

/** Several boards fed by one event (a gift: the stream's gifters, this week's gifters, the creator's month). */
export async function submitScores(inputs: SubmitScoreInput[]): Promise<SubmitScoreResult[]> {
  const subs = inputs.map(submissionOf);
  const outcomes = await leaderboardBackend().submitMany(subs.map((s) => s.req));
  return subs.map((s, i) => ({ board_id: s.board_id, season: s.season, ...outcomes[i]! }));
}

export interface BoardUser {
  id: string;
  username: string | null;
  display_name: string | null;
}

export interface BoardItem {
  rank: number;
  user: BoardUser;
  score: number;
}

async function withUsers(entries: RankedEntry[]): Promise<BoardItem[]> {
  const users = new Map((await findUsersByIds(entries.map((e) => e.user_id))).map((u) => [u.id, u]));
  return entries.map((e) => {
    const u = users.get(e.user_id);
    return { rank: e.rank, user: { id: e.user_id, username: u?.username ?? null, display_name: u?.display_name ?? null }, score: e.score };
  });
}

export interface BoardPage {
  board_id: string;
  season: string;
  resets_at: Date | null;
  items: BoardItem[];
  next_cursor: string | null;
}

/** One page of a season in rank order (ties: who got there first). */
export async function getLeaderboard(
  boardId: string,
  query: { scope_id?: string; period?: string; limit?: number; cursor?: string },
): Promise<BoardPage> {
  const def = boardOrThrow(boardId);
  const season = seasonOf(def, query.period, clock.now());
  const partition = partitionOf(def, query.scope_id, season);
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const offset = decodeCursor(query.cursor, offsetCursor as z.ZodType<{ o: number }>)?.o ?? 0;
  const entries = await leaderboardBackend().range(partition, offset, limit + 1);
  const page = entries.slice(0, limit);
  return {
    board_id: def.id,
    season: season.id,
    resets_at: season.resets_at,
    items: await withUsers(page),
    next_cursor: entries.length > limit ? encodeCursor({ o: offset + limit }) : null,
  };
}

export interface MyRank {
  board_id: string;
  season: string;
  resets_at: Date | null;
  /** null when the user has no score this season */
  rank: number | null;
  score: number | null;
  /** the user and up to AROUND_RADIUS entries on each side, in rank order ([] without a score) */
  around: BoardItem[];
}

export async function getMyRank(boardId: string, userId: string, query: { scope_id?: string; period?: string }): Promise<MyRank> {
  const def = boardOrThrow(boardId);
  const season = seasonOf(def, query.period, clock.now());
  const partition = partitionOf(def, query.scope_id, season);
  const store = leaderboardBackend();
  const me = await store.rankOf(partition, userId);
  const head = { board_id: def.id, season: season.id, resets_at: season.resets_at };
  if (!me) return { ...head, rank: null, score: null, around: [] };
  const offset = Math.max(0, me.rank - 1 - AROUND_RADIUS);
  const around = await store.range(partition, offset, me.rank - offset + AROUND_RADIUS);
  return { ...head, rank: me.rank, score: me.score, around: await withUsers(around) };
}

/** The first-ranked entry of a season (e.g. the top gifter when a stream ends), or null. */
export async function boardLeader(boardId: string, scopeId?: string, at: Date = clock.now()): Promise<RankedEntry | null> {
  const def = boardOrThrow(boardId);
  const [first] = await leaderboardBackend().range(partitionOf(def, scopeId, seasonAt(def.period, at)), 0, 1);
  return first ?? null;
}
