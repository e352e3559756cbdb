import { FollowModel } from "../social/social.model";
import { GiftEventModel } from "./gift.model";
import { rankCandidates, creatorVectors, historyOf, type Candidate, type Interaction } from "./recommend.rules";
import { StreamModel } from "./stream.model";
import { WatchModel } from "./stream-stats.model";
import { streamView, toStream } from "./stream.service";

/** Live and scheduled streams considered per request (newest first): bounds the scoring work. */
const MAX_CANDIDATES = 500;
/** Rows read per interaction source (follows, watch rows, gifter pairs): bounds memory on huge audiences. */
const MAX_ROWS = 20_000;

/**
 * GET /streams/recommended: rank the live and scheduled streams for the caller. Reads, with indexed
 * `$in` queries and projections: the candidates; the caller's own follows, watch time and gifts;
 * then every interaction with the candidates' and the caller's creators (the co-audiences the
 * item-item filter needs) — never the whole interaction table. Scoring is recommend.rules.ts.
 */
export async function recommendStreams(userId: string, limit: number) {
  const rows = await StreamModel.find({ status: { $in: ["live", "scheduled"] } }).sort({ created_at: -1 }).limit(MAX_CANDIDATES).lean();
  const streams = rows.map(toStream).filter((s) => s.creator_id !== userId);
  if (streams.length === 0) return { items: [], cold_start: true };
  const [myFollows, myWatch, myGifts] = await Promise.all([
    FollowModel.find({ follower_id: userId }, { followee_id: 1 }).limit(MAX_ROWS).lean(),
    WatchModel.find({ user_id: userId }, { creator_id: 1, watch_ms: 1 }).limit(MAX_ROWS).lean(),
    GiftEventModel.find({ sender_id: userId }, { creator_id: 1, tokens: 1 }).limit(MAX_ROWS).lean(),
  ]);
  const creators = [...new Set([...streams.map((s) => s.creator_id), ...myFollows.map((f) => f.followee_id), ...myWatch.map((w) => w.creator_id), ...myGifts.map((g) => g.creator_id)])];
  const [follows, watch, gifts, categories] = await Promise.all([
    FollowModel.find({ followee_id: { $in: creators } }, { follower_id: 1, followee_id: 1 }).limit(MAX_ROWS).lean(),
    WatchModel.find({ creator_id: { $in: creators } }, { user_id: 1, creator_id: 1, watch_ms: 1 }).limit(MAX_ROWS).lean(),
    GiftEventModel.find({ creator_id: { $in: creators } }, { sender_id: 1, creator_id: 1, tokens: 1 }).limit(MAX_ROWS).lean(),
    // a creator's category: that of their latest stream
    StreamModel.find({ creator_id: { $in: creators } }, { creator_id: 1, category: 1, created_at: 1 }).sort({ created_at: 1 }).lean(),
  ]);
  const interactions = mergeInteractions(follows, watch, gifts);
  const categoryOf = new Map(categories.map((s) => [s.creator_id, s.category]));
  const followers = new Map<string, number>();
  for (const f of follows) followers.set(f.followee_id, (followers.get(f.followee_id) ?? 0) + 1);
  const candidates: Candidate[] = streams.map((s) => ({ id: s.id, creator: s.creator_id, category: s.category, popularity: (followers.get(s.creator_id) ?? 0) + s.peak_viewers }));
  // the caller's own rows, complete even where a huge audience hit the co-interaction cap
  const history = historyOf(userId, mergeInteractions(myFollows.map((f) => ({ ...f, follower_id: userId })), myWatch.map((w) => ({ ...w, user_id: userId })), myGifts.map((g) => ({ ...g, sender_id: userId }))));
  const ranked = rankCandidates(history, candidates, creatorVectors(interactions), categoryOf);
  const byId = new Map(streams.map((s) => [s.id, s]));
  return {
    items: ranked.slice(0, limit).map((r) => ({ ...streamView(byId.get(r.id)!, userId), score: Math.round(r.score * 10_000) / 10_000 })),
    cold_start: history.size === 0,
  };
}

/** Follows, watch rows and gifts → one interaction per (user, creator). */
function mergeInteractions(
  follows: { follower_id: string; followee_id: string }[],
  watch: { user_id: string; creator_id: string; watch_ms: number }[],
  gifts: { sender_id: string; creator_id: string; tokens: number }[],
): Interaction[] {
  const pairs = new Map<string, Interaction>();
  const pair = (user: string, creator: string): Interaction => {
    const key = `${user}\u0000${creator}`;
    let i = pairs.get(key);
    if (!i) pairs.set(key, (i = { user, creator, followed: false, watchMs: 0, giftTokens: 0 }));
    return i;
  };
  for (const f of follows) pair(f.follower_id, f.followee_id).followed = true;
  for (const w of watch) pair(w.user_id, w.creator_id).watchMs += w.watch_ms;
  for (const g of gifts) pair(g.sender_id, g.creator_id).giftTokens += g.tokens;
  return [...pairs.values()];
}
