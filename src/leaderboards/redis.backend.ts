import Redis from "ioredis";
import { EVENT_ID_TTL_SECONDS, type LeaderboardBackend, type Partition, type RankedEntry, type SubmitOutcome, type SubmitRequest } from "./leaderboard.backend";
import { scoreOf } from "./leaderboard.rules";

/**
 * applySubmission (leaderboard.rules.ts) as a Redis script, so it runs atomically in Redis.
 * KEYS: the partition's sorted set, the event id's key. ARGV: user, operator, order, score,
 * tiebreak, base, max score, "1" when there is an event id, its TTL.
 * Returns {applied, duplicate, score-or-nil}. Composites are integers below 2^53, exact in Lua's
 * doubles; "%.0f" writes them without the exponent tostring would use.
 */
const SUBMIT_SCRIPT = `
local user, op, order = ARGV[1], ARGV[2], ARGV[3]
local submitted, tiebreak, base, max = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local cur = redis.call('ZSCORE', KEYS[1], user)
local old = nil
if cur then old = math.floor(tonumber(cur) / base) end
local function fmt(n) if n then return string.format('%.0f', n) end return false end
if ARGV[8] == '1' then
  if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', tonumber(ARGV[9])) then return {0, 1, fmt(old)} end
end
local score
if op == 'incr' then
  score = math.min(max, (old or 0) + submitted)
else
  score = submitted
  if old then
    if op == 'set' and score == old then return {0, 0, fmt(old)} end
    if op == 'best' then
      local better
      if order == 'desc' then better = score > old else better = score < old end
      if not better then return {0, 0, fmt(old)} end
    end
  end
end
redis.call('ZADD', KEYS[1], string.format('%.0f', score * base + tiebreak), user)
return {1, 0, fmt(score)}
`;

type SubmitReply = [number, number, string | null];

interface ScriptedRedis extends Redis {
  leaderboardSubmit(zset: string, eventKey: string, ...args: string[]): Promise<SubmitReply>;
}

/** The Redis backend: one sorted set per partition, `prefix` in front of every key it writes. */
export class RedisLeaderboardBackend implements LeaderboardBackend {
  readonly name = "redis" as const;
  private readonly redis: ScriptedRedis;

  constructor(
    url: string,
    private readonly prefix = "lb:",
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 }) as ScriptedRedis;
    this.redis.defineCommand("leaderboardSubmit", { numberOfKeys: 2, lua: SUBMIT_SCRIPT });
  }

  private zset(partition: Partition): string {
    return `${this.prefix}${partition.key}`;
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    const eventKey = `${this.prefix}event:${req.partition.key}:${req.eventId ?? ""}`;
    const [applied, duplicate, score] = await this.redis.leaderboardSubmit(
      this.zset(req.partition),
      eventKey,
      req.userId,
      req.rule.operator,
      req.rule.order,
      String(req.score),
      String(req.tiebreak),
      String(req.partition.base),
      String(req.rule.max_score),
      req.eventId === undefined ? "0" : "1",
      String(EVENT_ID_TTL_SECONDS),
    );
    return { applied: applied === 1, duplicate: duplicate === 1, score: score === null ? null : Number(score) };
  }

  /** Each submission is its own atomic script; they go out together. */
  async submitMany(reqs: SubmitRequest[]): Promise<SubmitOutcome[]> {
    return Promise.all(reqs.map((r) => this.submit(r)));
  }

  async range(partition: Partition, offset: number, limit: number): Promise<RankedEntry[]> {
    const key = this.zset(partition);
    const stop = offset + limit - 1;
    const flat =
      partition.order === "desc"
        ? await this.redis.zrevrange(key, offset, stop, "WITHSCORES")
        : await this.redis.zrange(key, offset, stop, "WITHSCORES");
    const out: RankedEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      out.push({ rank: offset + i / 2 + 1, user_id: flat[i]!, score: scoreOf(Number(flat[i + 1]), partition.base) });
    }
    return out;
  }

  async rankOf(partition: Partition, userId: string): Promise<RankedEntry | null> {
    const key = this.zset(partition);
    const multi = this.redis.multi();
    if (partition.order === "desc") multi.zrevrank(key, userId);
    else multi.zrank(key, userId);
    const replies = await multi.zscore(key, userId).exec();
    const rank = replies?.[0]?.[1] as number | null;
    const composite = replies?.[1]?.[1] as string | null;
    if (rank === null || rank === undefined || composite === null) return null;
    return { rank: rank + 1, user_id: userId, score: scoreOf(Number(composite), partition.base) };
  }

  /** Tests: remove every key under this backend's prefix (and nothing else). */
  async deleteOwnKeys(): Promise<void> {
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${this.prefix}*`, "COUNT", 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
