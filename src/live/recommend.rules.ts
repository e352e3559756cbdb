/**
 * Stream recommendations on plain data. Items are creators (a stream is short-lived; its creator's
 * audience is what persists). From each user's interactions with creators — follows, watch time,
 * gifts — an item-item collaborative filter scores a candidate creator by its cosine similarity
 * (over the users who interacted with both) to the creators the caller interacted with; a category
 * profile scores the candidate's category; popularity breaks ties and carries cold start.
 * Used by GET /streams/recommended and by `npm run eval:recommend`.
 */

export interface Interaction {
  user: string;
  creator: string;
  followed: boolean;
  watchMs: number;
  giftTokens: number;
}

export interface Candidate {
  id: string;
  creator: string;
  category: string;
  /** popularity signal ≥ 0 (followers, viewers): only its log scale matters */
  popularity: number;
}

export interface BlendWeights {
  cf: number;
  category: number;
  popularity: number;
}

/**
 * Tuned on the synthetic evaluation (npm run eval:recommend, another seed than the reported run).
 * The parts have different scales (a CF score is a weighted cosine, typically 0.01–0.2; category and
 * popularity are 0..1), so these are not shares: CF leads, popularity and category nudge.
 */
export const DEFAULT_WEIGHTS: BlendWeights = { cf: 1, category: 0.1, popularity: 0.2 };
export const POPULARITY_ONLY: BlendWeights = { cf: 0, category: 0, popularity: 1 };

/** One user's strength of interest in a creator: a follow counts like an hour watched; watch time and gifts on a log scale. */
export function interactionWeight(i: Pick<Interaction, "followed" | "watchMs" | "giftTokens">): number {
  return (i.followed ? 2 : 0) + Math.log1p(i.watchMs / 60_000) * 0.5 + Math.log1p(i.giftTokens) * 0.25;
}

/** creator → user → weight (interactions of one user with one creator are summed). */
export type CreatorVectors = Map<string, Map<string, number>>;

export function creatorVectors(interactions: readonly Interaction[]): CreatorVectors {
  const out: CreatorVectors = new Map();
  for (const i of interactions) {
    const w = interactionWeight(i);
    if (w <= 0) continue;
    let v = out.get(i.creator);
    if (!v) out.set(i.creator, (v = new Map()));
    v.set(i.user, (v.get(i.user) ?? 0) + w);
  }
  return out;
}

function norm(v: Map<string, number>): number {
  let s = 0;
  for (const x of v.values()) s += x * x;
  return Math.sqrt(s);
}

/** Cosine similarity of two creators over their audiences (0 when they share none). */
export function creatorSimilarity(a: Map<string, number> | undefined, b: Map<string, number> | undefined): number {
  if (!a || !b) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [u, w] of small) dot += w * (large.get(u) ?? 0);
  return dot === 0 ? 0 : dot / (norm(a) * norm(b));
}

export interface Scored {
  id: string;
  score: number;
  parts: { cf: number; category: number; popularity: number };
}

/**
 * Rank candidates for a user whose own interests are `history` (creator → weight) and
 * `categoryOf` (creator → category). A user with no history gets popularity alone (cold start).
 * `exclude`: creators not to recommend (the evaluation hides what the user already knows).
 */
export function rankCandidates(
  history: ReadonlyMap<string, number>,
  candidates: readonly Candidate[],
  vectors: CreatorVectors,
  categoryOf: ReadonlyMap<string, string>,
  weights: BlendWeights = DEFAULT_WEIGHTS,
  exclude: ReadonlySet<string> = new Set(),
): Scored[] {
  const totalInterest = [...history.values()].reduce((s, w) => s + w, 0);
  const cold = totalInterest === 0;
  const w = cold ? POPULARITY_ONLY : weights;
  const categories = new Map<string, number>();
  for (const [creator, weight] of history) {
    const c = categoryOf.get(creator);
    if (c !== undefined) categories.set(c, (categories.get(c) ?? 0) + weight / totalInterest);
  }
  const maxPop = Math.max(0, ...candidates.map((c) => Math.log1p(c.popularity)));
  const similarity = new Map<string, number>();
  const scored: Scored[] = [];
  for (const c of candidates) {
    if (exclude.has(c.creator)) continue;
    let cf = similarity.get(c.creator);
    if (cf === undefined && w.cf > 0) {
      cf = 0;
      for (const [creator, weight] of history) cf += (weight / totalInterest) * (creator === c.creator ? 1 : creatorSimilarity(vectors.get(creator), vectors.get(c.creator)));
      similarity.set(c.creator, cf);
    }
    const parts = { cf: cf ?? 0, category: categories.get(c.category) ?? 0, popularity: maxPop > 0 ? Math.log1p(c.popularity) / maxPop : 0 };
    scored.push({ id: c.id, score: w.cf * parts.cf + w.category * parts.category + w.popularity * parts.popularity, parts });
  }
  // equal scores: the more popular first, then a stable order by id
  return scored.sort((a, b) => b.score - a.score || b.parts.popularity - a.parts.popularity || (a.id < b.id ? -1 : 1));
}

/** A user's history (creator → weight) from their interactions. */
export function historyOf(user: string, interactions: readonly Interaction[]): Map<string, number> {
  const h = new Map<string, number>();
  for (const i of interactions) if (i.user === user) h.set(i.creator, (h.get(i.creator) ?? 0) + interactionWeight(i));
  return h;
}

/** precision@k and recall@k of one ranked list against the relevant set. */
export function precisionRecallAt(k: number, ranked: readonly string[], relevant: ReadonlySet<string>): { precision: number; recall: number } {
  if (relevant.size === 0) return { precision: 0, recall: 0 };
  const hits = ranked.slice(0, k).filter((id) => relevant.has(id)).length;
  return { precision: hits / k, recall: hits / relevant.size };
}
