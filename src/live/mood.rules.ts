/**
 * Mood: reactions decay exponentially (a reaction's weight halves every half-life), the scores are
 * normalised into an intensity 0..1, and crossing a threshold fires an overlay once (re-armed
 * after the score falls back below the release level, so a hovering score does not spam).
 */
export const REACTIONS = ["hype", "love", "laugh", "wow", "sad", "angry"] as const;
export type Reaction = (typeof REACTIONS)[number];

/** The score at which a reaction's intensity is 1 (decayed reactions per viewer-second, roughly "a busy room"). */
export const SATURATION = 20;
/** Overlays fired when a mood's intensity crosses its threshold. */
export const MOOD_OVERLAYS: readonly { reaction: Reaction; threshold: number; release: number; overlay: string }[] = [
  { reaction: "hype", threshold: 0.8, release: 0.6, overlay: "hype_train" },
  { reaction: "love", threshold: 0.8, release: 0.6, overlay: "heart_rain" },
  { reaction: "laugh", threshold: 0.8, release: 0.6, overlay: "laugh_wave" },
];

export interface MoodAggregate {
  scores: Record<Reaction, number>;
  at: number;
  armed: Record<string, boolean>;
}

export interface Mood {
  dominant: Reaction | "";
  intensity: number;
  scores: Record<Reaction, number>;
}

const zero = (): Record<Reaction, number> => Object.fromEntries(REACTIONS.map((r) => [r, 0])) as Record<Reaction, number>;

export function emptyMood(now: number): MoodAggregate {
  return { scores: zero(), at: now, armed: Object.fromEntries(MOOD_OVERLAYS.map((o) => [o.overlay, true])) };
}

/** Scores decayed from `agg.at` to `now`: score · 2^(−Δt / halfLife). */
export function decay(agg: MoodAggregate, now: number, halfLifeMs: number): MoodAggregate {
  const dt = Math.max(0, now - agg.at);
  const factor = Math.pow(2, -dt / halfLifeMs);
  const scores = zero();
  for (const r of REACTIONS) scores[r] = agg.scores[r] * factor;
  return { ...agg, scores, at: Math.max(now, agg.at) };
}

export function addReaction(agg: MoodAggregate, reaction: Reaction, count: number, now: number, halfLifeMs: number): MoodAggregate {
  const next = decay(agg, now, halfLifeMs);
  next.scores[reaction] += count;
  return next;
}

/** The published mood: each score as an intensity 0..1 (rounded to 3 places), the strongest as dominant. */
export function moodOf(agg: MoodAggregate): Mood {
  const scores = zero();
  let dominant: Reaction | "" = "";
  let best = 0;
  for (const r of REACTIONS) {
    scores[r] = Math.round(Math.min(1, agg.scores[r] / SATURATION) * 1000) / 1000;
    if (scores[r] > best) [best, dominant] = [scores[r], r];
  }
  return { dominant, intensity: best, scores };
}

/** Overlays crossing their threshold now (each once until it falls below its release level again). */
export function crossedOverlays(agg: MoodAggregate): { agg: MoodAggregate; fired: string[] } {
  const mood = moodOf(agg);
  const armed = { ...agg.armed };
  const fired: string[] = [];
  for (const o of MOOD_OVERLAYS) {
    const v = mood.scores[o.reaction];
    if (armed[o.overlay] && v >= o.threshold) {
      armed[o.overlay] = false;
      fired.push(o.overlay);
    } else if (!armed[o.overlay] && v < o.release) {
      armed[o.overlay] = true;
    }
  }
  return { agg: { ...agg, armed }, fired };
}
