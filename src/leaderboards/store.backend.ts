import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { inTransaction, type Session } from "../infra/transaction";
import { EVENT_ID_TTL_SECONDS, type LeaderboardBackend, type Partition, type RankedEntry, type SubmitOutcome, type SubmitRequest } from "./leaderboard.backend";
import { LeaderboardEventModel, LeaderboardRecordModel } from "./leaderboard.model";
import { applySubmission, scoreOf } from "./leaderboard.rules";

const records = () => LeaderboardRecordModel.collection;

/**
 * The store backend. A submission is one pipeline update (read the old score, apply the operator,
 * write the new composite, all inside the server) so concurrent submissions never lose one; with
 * an event id, the remembered id and the update commit in one transaction.
 */
export class StoreLeaderboardBackend implements LeaderboardBackend {
  readonly name = "store" as const;

  async submit(req: SubmitRequest): Promise<SubmitOutcome> {
    if (req.eventId === undefined) return this.apply(req);
    try {
      return await inTransaction(async (session) => {
        await this.rememberEvent(req, session);
        return this.apply(req, session);
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const current = await this.rankOf(req.partition, req.userId);
      return { applied: false, duplicate: true, score: current?.score ?? null };
    }
  }

  /**
   * One transaction for all (one commit instead of one per board): the event ids in one insert,
   * and `incr` submissions for the same user on the same partition summed into one update (a burst
   * of XP events for one user is one write per board, not one per event). If one of the event ids
   * was already applied the whole batch rolls back and each is submitted on its own, so the others
   * still count once. A summed submission reports the score after all of them.
   */
  async submitMany(reqs: SubmitRequest[]): Promise<SubmitOutcome[]> {
    if (reqs.every((r) => r.eventId === undefined)) return Promise.all(reqs.map((r) => this.apply(r)));
    try {
      return await inTransaction(async (session) => {
        await this.rememberEvents(reqs.filter((r) => r.eventId !== undefined), session);
        const keyOf = (r: SubmitRequest) => `${r.partition.key}\u0000${r.userId}`;
        const merged = new Map<string, { req: SubmitRequest; members: number[] }>();
        const singles: { req: SubmitRequest; members: number[] }[] = [];
        reqs.forEach((req, i) => {
          if (req.rule.operator !== "incr") return void singles.push({ req, members: [i] });
          const held = merged.get(keyOf(req));
          if (!held) merged.set(keyOf(req), { req, members: [i] });
          else {
            held.req = { ...held.req, score: held.req.score + req.score, tiebreak: req.tiebreak };
            held.members.push(i);
          }
        });
        const out: SubmitOutcome[] = new Array(reqs.length);
        // another operator on a summed user's partition: order matters there, so apply as given
        if (singles.some(({ req }) => merged.has(keyOf(req)))) {
          for (let i = 0; i < reqs.length; i++) out[i] = await this.apply(reqs[i]!, session);
          return out;
        }
        for (const { req, members } of [...merged.values(), ...singles]) {
          const outcome = await this.apply(req, session);
          for (const i of members) out[i] = outcome;
        }
        return out;
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const out: SubmitOutcome[] = [];
      for (const req of reqs) out.push(await this.submit(req));
      return out;
    }
  }

  private async rememberEvents(reqs: SubmitRequest[], session: Session): Promise<void> {
    if (reqs.length === 0) return;
    if (reqs.length === 1) return this.rememberEvent(reqs[0]!, session);
    const expiresAt = new Date(clock.now().getTime() + EVENT_ID_TTL_SECONDS * 1000);
    await LeaderboardEventModel.collection.insertMany(
      reqs.map((req) => ({ _id: `${req.partition.key}|${req.eventId}`, expires_at: expiresAt }) as never),
      { session },
    );
  }

  private async rememberEvent(req: SubmitRequest, session: Session): Promise<void> {
    const expiresAt = new Date(clock.now().getTime() + EVENT_ID_TTL_SECONDS * 1000);
    await LeaderboardEventModel.collection.insertOne({ _id: `${req.partition.key}|${req.eventId}`, expires_at: expiresAt } as never, { session });
  }

  private async apply(req: SubmitRequest, session?: Session): Promise<SubmitOutcome> {
    const before = await records().findOneAndUpdate(
      { partition: req.partition.key, user_id: req.userId },
      submissionPipeline(req, clock.now()),
      { upsert: true, returnDocument: "before", session },
    );
    // the server applied exactly this to exactly this before-image; the outcome follows from it
    const previous = before ? { score: scoreOf(before.composite, req.partition.base), composite: before.composite } : null;
    const next = applySubmission(req.rule, previous, req.score, req.tiebreak);
    return { applied: next !== null, duplicate: false, score: (next ?? previous)?.score ?? null };
  }

  async range(partition: Partition, offset: number, limit: number): Promise<RankedEntry[]> {
    const dir = partition.order === "desc" ? -1 : 1;
    const rows = await records()
      .find({ partition: partition.key }, { projection: { user_id: 1, composite: 1 } })
      .sort({ composite: dir, user_id: dir })
      .skip(offset)
      .limit(limit)
      .toArray();
    return rows.map((r, i) => ({ rank: offset + i + 1, user_id: r.user_id, score: scoreOf(r.composite, partition.base) }));
  }

  async rankOf(partition: Partition, userId: string): Promise<RankedEntry | null> {
    const me = await records().findOne({ partition: partition.key, user_id: userId });
    if (!me) return null;
    // ahead of me: a better composite, or the same one and a user id Redis lists first
    const op = partition.order === "desc" ? "$gt" : "$lt";
    const ahead = await records().countDocuments({
      partition: partition.key,
      $or: [{ composite: { [op]: me.composite } }, { composite: me.composite, user_id: { [op]: userId } }],
    });
    return { rank: ahead + 1, user_id: userId, score: scoreOf(me.composite, partition.base) };
  }

  async close(): Promise<void> {
    // the connection belongs to the app (src/infra/database.ts)
  }
}

/**
 * applySubmission as a pipeline update: `_apply` says whether the operator changes the record;
 * every expression of the second stage reads the old document.
 */
function submissionPipeline(req: SubmitRequest, now: Date): object[] {
  const { score, tiebreak } = req;
  const { operator, order, max_score } = req.rule;
  const { base } = req.partition;
  const missing = { $eq: [{ $ifNull: ["$score", null] }, null] };
  const newScore = operator === "incr" ? { $min: [max_score, { $add: [{ $ifNull: ["$score", 0] }, score] }] } : score;
  const better = order === "desc" ? { $gt: [score, "$score"] } : { $lt: [score, "$score"] };
  const apply = operator === "incr" ? true : { $or: [missing, operator === "set" ? { $ne: [score, "$score"] } : better] };
  return [
    { $set: { _apply: apply } },
    {
      $set: {
        score: { $cond: ["$_apply", newScore, "$score"] },
        composite: { $cond: ["$_apply", { $add: [{ $multiply: [newScore, base] }, tiebreak] }, "$composite"] },
        updated_at: { $cond: ["$_apply", now, "$updated_at"] },
      },
    },
    { $unset: "_apply" },
  ];
}
