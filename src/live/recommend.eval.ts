/**
 * `npm run eval:recommend`: an offline evaluation of the stream recommender on synthetic data with
 * latent taste structure. Creators belong to categories and have a heavy-tailed popularity; each
 * user likes one or two categories; users interact with creators drawn ∝ popularity × taste. Per
 * user, 25% of the interacted creators are held out; the recommender ranks every creator the user
 * has not interacted with in training, from the training interactions only, and precision@10 and
 * recall@10 against the held-out set are printed beside a popularity-only baseline, in the same
 * run, with the same scoring code the endpoint uses (recommend.rules.ts).
 *
 * Options: --users N --creators N --categories N --seed N
 */
import { creatorVectors, DEFAULT_WEIGHTS, historyOf, POPULARITY_ONLY, precisionRecallAt, rankCandidates, type BlendWeights, type Candidate, type Interaction } from "./recommend.rules";
import { seededRandom } from "../shared/random";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SIZE: WorldSize = { users: arg("users", 2000), creators: arg("creators", 300), categories: arg("categories", 12), seed: arg("seed", 42) };
const K = 10;
const HOLD_OUT = 0.25;


function pickWeighted(rand: () => number, weights: readonly number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let r = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r <= 0) return i;
  }
  return weights.length - 1;
}

interface World {
  candidates: Candidate[];
  categoryOf: Map<string, string>;
  train: Interaction[];
  heldOut: Map<string, Set<string>>;
}

export interface WorldSize {
  users: number;
  creators: number;
  categories: number;
  seed: number;
}

export function syntheticWorld({ users: USERS, creators: CREATORS, categories: CATEGORIES, seed }: WorldSize): World {
  const rand = seededRandom(seed);
  // creators: a category each, Zipf-like popularity (rank^-1) shuffled over categories
  const creators = Array.from({ length: CREATORS }, (_, i) => ({ id: `c${i}`, category: `cat${Math.floor(rand() * CATEGORIES)}`, popularity: 1 / (1 + i) }));
  const categoryOf = new Map(creators.map((c) => [c.id, c.category]));
  // sub-tastes inside a category: a user prefers one "style" (creator id parity ≈ a latent trait not in the category)
  const train: Interaction[] = [];
  const heldOut = new Map<string, Set<string>>();
  for (let u = 0; u < USERS; u++) {
    const user = `u${u}`;
    const liked = new Set([Math.floor(rand() * CATEGORIES), ...(rand() < 0.5 ? [Math.floor(rand() * CATEGORIES)] : [])].map((c) => `cat${c}`));
    const style = rand() < 0.5 ? 0 : 1;
    const affinity = creators.map((c) => c.popularity * (liked.has(c.category) ? 1 : 0.03) * (Number(c.id.slice(1)) % 2 === style ? 1 : 0.25));
    const n = 4 + Math.floor(rand() * 12);
    const seen = new Set<number>();
    for (let k = 0; k < n * 3 && seen.size < n; k++) seen.add(pickWeighted(rand, affinity));
    const list = [...seen].map((i) => ({
      user,
      creator: creators[i]!.id,
      followed: rand() < 0.4,
      watchMs: Math.floor(rand() * 90 * 60_000),
      giftTokens: rand() < 0.2 ? Math.floor(rand() * 500) : 0,
    }));
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const hold = Math.max(1, Math.round(list.length * HOLD_OUT));
    heldOut.set(user, new Set(list.slice(0, hold).map((i) => i.creator)));
    train.push(...list.slice(hold));
  }
  // candidates are the creators' streams; popularity as the endpoint sees it: followers in the training data
  const followers = new Map<string, number>();
  for (const i of train) followers.set(i.creator, (followers.get(i.creator) ?? 0) + (i.followed ? 1 : 0) + 0.1);
  const candidates = creators.map((c) => ({ id: `s_${c.id}`, creator: c.id, category: c.category, popularity: followers.get(c.id) ?? 0 }));
  return { candidates, categoryOf, train, heldOut };
}

export function evaluate(world: World, weights: BlendWeights): { precision: number; recall: number; users: number } {
  const vectors = creatorVectors(world.train);
  const byUser = new Map<string, Interaction[]>();
  for (const i of world.train) (byUser.get(i.user) ?? byUser.set(i.user, []).get(i.user)!).push(i);
  let [p, r, n] = [0, 0, 0];
  for (const [user, relevant] of world.heldOut) {
    const mine = byUser.get(user) ?? [];
    const history = historyOf(user, mine);
    const ranked = rankCandidates(history, world.candidates, vectors, world.categoryOf, weights, new Set(history.keys()));
    const creators = ranked.slice(0, K).map((s) => s.id.replace(/^s_/, ""));
    const m = precisionRecallAt(K, creators, relevant);
    p += m.precision;
    r += m.recall;
    n += 1;
  }
  return { precision: p / n, recall: r / n, users: n };
}

function main(): void {
  const world = syntheticWorld(SIZE);
  const rows: [string, BlendWeights][] = [
    ["popularity only (baseline)", POPULARITY_ONLY],
    ["item-item CF only", { cf: 1, category: 0, popularity: 0 }],
    ["category only", { cf: 0, category: 1, popularity: 0 }],
    ["blended (endpoint default)", DEFAULT_WEIGHTS],
  ];
  console.log(`synthetic: ${SIZE.users} users, ${SIZE.creators} creators, ${SIZE.categories} categories, ${world.train.length} training interactions, ${Math.round(HOLD_OUT * 100)}% held out per user, seed ${SIZE.seed}`);
  const results = rows.map(([name, w]) => ({ name, ...evaluate(world, w) }));
  const base = results[0]!;
  console.log(`${"recommender".padEnd(30)} ${"precision@10".padStart(13)} ${"recall@10".padStart(10)} ${"× baseline P".padStart(13)}`);
  for (const r of results) console.log(`${r.name.padEnd(30)} ${r.precision.toFixed(4).padStart(13)} ${r.recall.toFixed(4).padStart(10)} ${(r.precision / base.precision).toFixed(2).padStart(13)}`);
}

if (require.main === module) main();
