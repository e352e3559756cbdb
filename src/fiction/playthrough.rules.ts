import type { Cursor, OptionView, SceneView, Stats } from "./engine";
import { fictionErrors } from "./fiction.errors";

/**
 * Pure rules of a playthrough: which chapter may start and how, idempotency keys, what a choice
 * costs, what completing a run changes. The service persists; these decide.
 */

export interface Run {
  chapter: number;
  /** The content version the run plays (a re-import does not break a run in progress). */
  version: number;
  replay: boolean;
  /** Run number within the book: replays of one chapter get distinct choice keys. */
  seq: number;
  cursor: Cursor;
}

export interface Progress {
  id: string;
  user_id: string;
  book_id: string;
  stats: Stats;
  unlocked_chapters: number[];
  completed_chapters: number[];
  chapter_start_stats: Record<string, Stats>;
  run: Run | null;
  replay: Run | null;
  owned_options: string[];
  recent_choices: string[];
  pending_rewards: number[];
  /** Runs started in this book (canonical and replays): the next run's seq. */
  runs_started: number;
  rev: number;
}

/** Enough to recognise every copy of a choice still in flight (two devices, client retries). */
export const MAX_RECENT_CHOICES = 50;

export function progressId(userId: string, bookId: string): string {
  return `${userId}:${bookId}`;
}

export function newProgress(userId: string, bookId: string): Progress {
  return {
    id: progressId(userId, bookId),
    user_id: userId,
    book_id: bookId,
    stats: { relationships: {}, flags: {}, outfits: [] },
    unlocked_chapters: [],
    completed_chapters: [],
    chapter_start_stats: {},
    run: null,
    replay: null,
    owned_options: [],
    recent_choices: [],
    pending_rewards: [],
    runs_started: 0,
    rev: 0,
  };
}

/** The run being played: a replay in progress takes over from the canonical run. */
export function activeRun(p: Progress): Run | null {
  return p.replay ?? p.run;
}

export type StartDecision =
  | { kind: "resume" }
  | { kind: "replay"; from: Stats }
  | { kind: "first"; needsKey: boolean };

/**
 * `start {chapter}`: chapter 1, or the one after a completed chapter, may start. A finished
 * chapter replays free from the stats it was first started with; the canonical chapter in
 * progress resumes; a new chapter costs a key once (a chapter unlocked before starts free).
 */
export function decideStart(p: Progress, chapter: number, chapterCount: number): StartDecision {
  if (chapter > chapterCount) throw fictionErrors.chapterNotFoundConflict(`This book has ${chapterCount} chapter(s).`);
  if (p.completed_chapters.includes(chapter)) return { kind: "replay", from: p.chapter_start_stats[String(chapter)] ?? p.stats };
  if (chapter > 1 && !p.completed_chapters.includes(chapter - 1)) {
    throw fictionErrors.chapterLocked(chapter - 1);
  }
  if (p.run?.chapter === chapter && !p.run.cursor.ended) return { kind: "resume" };
  return { kind: "first", needsKey: !p.unlocked_chapters.includes(chapter) };
}

/** Player, book, chapter, run, step, scene and option: the same choice gets the same key. */
export function choiceKey(userId: string, bookId: string, run: Run, sceneId: string, optionId: string): string {
  return `choice:${userId}:${bookId}:${run.chapter}:${run.seq}:${run.cursor.step}:${sceneId}:${optionId}`;
}

export function optionRef(chapter: number, sceneId: string, optionId: string): string {
  return `${chapter}:${sceneId}:${optionId}`;
}

/** The ledger transfer id of a premium option: paid once per option per player, replays included. */
export function premiumTransferId(userId: string, bookId: string, chapter: number, sceneId: string, optionId: string): string {
  return `premium_choice:${userId}:${bookId}:${optionRef(chapter, sceneId, optionId)}`;
}

export function chapterUnlockTransferId(userId: string, bookId: string, chapter: number): string {
  return `chapter_unlock:${userId}:${bookId}:${chapter}`;
}

/** What the option costs this player now: nothing when they already paid for it. */
export function effectiveCost(p: Progress, chapter: number, sceneId: string, option: Pick<OptionView, "id" | "cost">): number {
  return p.owned_options.includes(optionRef(chapter, sceneId, option.id)) ? 0 : option.cost;
}

export interface PricedOption extends OptionView {
  affordable: boolean;
}

export function priceOptions(p: Progress, chapter: number, view: SceneView, diamonds: number): PricedOption[] {
  return view.options.map((o) => {
    const cost = effectiveCost(p, chapter, view.sceneId, o);
    return { ...o, cost, affordable: cost <= diamonds };
  });
}

export function rememberChoice(recent: string[], key: string): string[] {
  return [...recent.filter((k) => k !== key), key].slice(-MAX_RECENT_CHOICES);
}

/**
 * The progress after the active run moved to `cursor`. When a canonical run ends, the chapter is
 * completed: its stats become canonical, the next chapter may start, rewards are queued.
 */
export function withCursor(p: Progress, cursor: Cursor): Progress {
  if (p.replay) return { ...p, replay: { ...p.replay, cursor } };
  if (!p.run) return p;
  const next = { ...p, run: { ...p.run, cursor } };
  if (!cursor.ended || p.completed_chapters.includes(p.run.chapter)) return next;
  return {
    ...next,
    stats: cursor.stats,
    completed_chapters: [...p.completed_chapters, p.run.chapter],
    pending_rewards: [...p.pending_rewards, p.run.chapter],
  };
}

/** The stats a view shows: the active run's, or the player's own once the canonical run ended. */
export function shownStats(p: Progress): Stats {
  const run = activeRun(p);
  return run && (run.replay || !run.cursor.ended) ? run.cursor.stats : p.stats;
}

/** Outfits are never lost: the player's and the replay's (they may have been paid for), kept or not. */
function withReplayOutfits(p: Progress, stats: Stats): Stats {
  const outfits = [...new Set([...stats.outfits, ...p.stats.outfits, ...(p.replay?.cursor.stats.outfits ?? [])])];
  return { ...stats, outfits };
}

/** Leave a replay unfinished (another start): its choices are dropped, its outfits kept. */
export function dropReplay(p: Progress): Progress {
  if (!p.replay) return p;
  return { ...p, stats: withReplayOutfits(p, p.stats), replay: null };
}

/**
 * The end of a replay: keep its choices (its stats become canonical) or not. Outfits unlocked in
 * the replay are kept either way.
 */
export function finishReplay(p: Progress, keep: boolean): Progress {
  if (!p.replay) throw fictionErrors.noReplay();
  if (!p.replay.cursor.ended) throw fictionErrors.replayNotFinished();
  if (!keep) return dropReplay(p);
  const stats = withReplayOutfits(p, p.replay.cursor.stats);
  // a later chapter in progress continues from the player's stats as they now are
  const run = p.run && !p.run.cursor.ended ? { ...p.run, cursor: { ...p.run.cursor, stats } } : p.run;
  return { ...p, stats, run, replay: null };
}

/** Whether the choice of `optionId` at `step` of this run (in `sceneId`, if given) was already applied. */
export function wasChosen(recent: string[], userId: string, bookId: string, run: Run, step: number, optionId: string, sceneId?: string): boolean {
  const prefix = `choice:${userId}:${bookId}:${run.chapter}:${run.seq}:${step}:`;
  return recent.some((k) => k.startsWith(prefix) && (sceneId === undefined ? k.endsWith(`:${optionId}`) : k === `${prefix}${sceneId}:${optionId}`));
}
