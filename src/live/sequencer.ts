import Redis from "ioredis";
import { config } from "../config";
import { GiftEventModel } from "./gift.model";
import { LiveEventModel } from "./live-event.model";

/**
 * The one place that orders a stream's events: `next(streamId)` hands out 1, 2, 3 … per stream.
 * Redis `INCR` under REDIS_URL (every process and shard shares the counter); an in-process counter
 * otherwise (one process is the whole deployment). Either starts from the highest seq persisted
 * for the stream (its event log, and gifts that took a seq before their event was written), so it
 * stays monotonic across restarts and a lost Redis key.
 */
export interface LiveSequencer {
  next(streamId: string): Promise<number>;
  /** the last seq handed out (0 before the first) */
  current(streamId: string): Promise<number>;
  close(): Promise<void>;
}

/** The highest seq the database knows for a stream. */
export async function highestPersistedSeq(streamId: string): Promise<number> {
  const [event, gift] = await Promise.all([
    LiveEventModel.findOne({ stream_id: streamId }, { seq: 1 }).sort({ seq: -1 }).lean(),
    GiftEventModel.findOne({ stream_id: streamId, seq: { $ne: null } }, { seq: 1 }).sort({ seq: -1 }).lean(),
  ]);
  return Math.max(event?.seq ?? 0, gift?.seq ?? 0);
}

export class LocalSequencer implements LiveSequencer {
  private readonly counters = new Map<string, Promise<{ seq: number }>>();

  private counter(streamId: string): Promise<{ seq: number }> {
    let c = this.counters.get(streamId);
    if (!c) {
      // memoised: concurrent first calls share one initialisation
      c = highestPersistedSeq(streamId).then((seq) => ({ seq }));
      this.counters.set(streamId, c);
      c.catch(() => this.counters.delete(streamId));
    }
    return c;
  }

  async next(streamId: string): Promise<number> {
    const c = await this.counter(streamId);
    c.seq += 1;
    return c.seq;
  }

  async current(streamId: string): Promise<number> {
    return (await this.counter(streamId)).seq;
  }

  async close(): Promise<void> {
    this.counters.clear();
  }
}

/** INCR only an existing key: a missing one (first use, expiry, a flushed Redis) answers -1 and is initialised. */
const INCR_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end return redis.call('INCR', KEYS[1])";
/** A stream's counter outlives any stream; an idle one lapses and is rebuilt from the database. */
const KEY_TTL_MS = 48 * 3600_000;

export class RedisSequencer implements LiveSequencer {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });
  }

  private key(streamId: string): string {
    return `live:seq:${streamId}`;
  }

  private async initialise(streamId: string): Promise<void> {
    // NX: of several processes initialising at once, the first wins and the others INCR after it
    await this.redis.set(this.key(streamId), String(await highestPersistedSeq(streamId)), "PX", KEY_TTL_MS, "NX");
  }

  async next(streamId: string): Promise<number> {
    for (;;) {
      const seq = Number(await this.redis.eval(INCR_EXISTING, 1, this.key(streamId)));
      if (seq !== -1) return seq;
      await this.initialise(streamId);
    }
  }

  async current(streamId: string): Promise<number> {
    const value = await this.redis.get(this.key(streamId));
    if (value !== null) return Number(value);
    await this.initialise(streamId);
    return Number((await this.redis.get(this.key(streamId))) ?? 0);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

let sequencer: LiveSequencer | undefined;

/** The process's sequencer, chosen by configuration (REDIS_URL) on first use. */
export function liveSequencer(): LiveSequencer {
  sequencer ??= config().REDIS_URL ? new RedisSequencer(config().REDIS_URL!) : new LocalSequencer();
  return sequencer;
}

export async function closeLiveSequencer(): Promise<void> {
  const s = sequencer;
  sequencer = undefined;
  await s?.close();
}
