import type { BoardOrder, ScoreRule } from "./leaderboard.rules";

/**
 * Where leaderboard partitions live: Redis sorted sets when REDIS_URL is set, the store (MongoDB
 * or the embedded one) otherwise. Both implement the same operations atomically and answer alike
 * (test/leaderboards/backend.test.ts runs one suite against both); callers never ask which it is.
 */
export interface Partition {
  /** partitionKey(board, scope, season) */
  key: string;
  order: BoardOrder;
  /** 2^T of the board's score encoding (see leaderboard.rules.ts) */
  base: number;
}

export interface SubmitRequest {
  partition: Partition;
  userId: string;
  rule: ScoreRule;
  score: number;
  /** tiebreakAt(…) for the moment of the submission */
  tiebreak: number;
  /** the caller's idempotency key: a second submission with it changes nothing */
  eventId?: string;
}

export interface SubmitOutcome {
  /** false for a duplicate event, a `best` that was not better, a `set` to the same score */
  applied: boolean;
  duplicate: boolean;
  /** the user's score on this partition afterwards (null: still no record) */
  score: number | null;
}

export interface RankedEntry {
  /** 1-based */
  rank: number;
  user_id: string;
  score: number;
}

export interface LeaderboardBackend {
  readonly name: "redis" | "store";
  submit(req: SubmitRequest): Promise<SubmitOutcome>;
  /** several submissions of one event (a gift feeds several boards), each with the outcome of submit */
  submitMany(reqs: SubmitRequest[]): Promise<SubmitOutcome[]>;
  /** entries offset+1 … offset+limit in rank order */
  range(partition: Partition, offset: number, limit: number): Promise<RankedEntry[]>;
  rankOf(partition: Partition, userId: string): Promise<RankedEntry | null>;
  close(): Promise<void>;
}

/**
 * How long an event id is remembered per partition: longer than the longest periodic season, so a
 * retry inside a season never counts twice. An all-time board forgets an event id after this.
 */
export const EVENT_ID_TTL_SECONDS = 40 * 86_400;
