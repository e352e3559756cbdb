import { metrics } from "../metrics/metrics";
import type { ClientSession } from "mongoose";
import { getWallet, withTransfer, type TransferSpec, type Wallet } from "../economy";
import { awardXp } from "../progression/progression.service";
import { submitScore } from "../leaderboards/leaderboard.service";
import { inTransaction } from "../infra/transaction";
import { publish, topics } from "../realtime/events";
import { clock } from "../shared/clock";
import { DomainError } from "../shared/errors";
import { logger } from "../logger";
import type { DialogueLine, Effects } from "./content.types";
import type { Stats } from "./engine";
import { engineOf, refreshPopularity, requirePublishedBook } from "./library.service";
import { countRead, findLatestChapter, type BookRow } from "./library.repository";
import { utcDay } from "./library.rules";
import { ProgressModel } from "./progress.model";
import { loadOrCreateProgress, saveProgress } from "./progress.repository";
import {
  activeRun,
  chapterUnlockTransferId,
  choiceKey,
  decideStart,
  dropReplay,
  effectiveCost,
  finishReplay,
  optionRef,
  premiumTransferId,
  priceOptions,
  rememberChoice,
  shownStats,
  wasChosen,
  withCursor,
  type PricedOption,
  type Progress,
  type Run,
} from "./playthrough.rules";
import { fictionErrors } from "./fiction.errors";

/**
 * Playing a book: the one path for the `playthrough` room and the REST fallback. Engines decide
 * (pure); this module persists. Every step is a conditional write on the progress revision; a
 * step that moves money commits with the ledger transfer through `withTransfer`, so a choice is
 * acknowledged only once both are durable, and a repeat of it (two devices, retries) is
 * recognised by its idempotency key and acknowledged without applying it again.
 */

/** Concurrent writers retry from fresh state; more than this many lost races in a row is a bug or abuse. */
const MAX_ATTEMPTS = 25;

export interface PlayView {
  book_id: string;
  /** the progress revision this view shows (grows with every committed step) */
  revision: number;
  chapter_count: number;
  /** "story": the canonical run; "replay": replaying a finished chapter; "none": nothing started */
  mode: "none" | "story" | "replay";
  chapter: number | null;
  version: number | null;
  step: number;
  scene: { id: string; background: string; music: string; line: number; line_count: number; current: DialogueLine | null; timeline: DialogueLine[] } | null;
  prompt: string;
  options: PricedOption[];
  ended: boolean;
  /** a replay that ended waits for `keep {keep}` */
  awaiting_keep: boolean;
  stats: Stats;
  completed_chapters: number[];
  wallet: { keys: number; key_cap: number; next_key_at: string | null; diamonds: number };
}

export interface ChoiceOutcome {
  view: PlayView;
  /** false: this choice had been applied already (a repeat), nothing changed now */
  applied: boolean;
  option_id: string;
  cost: number;
  effects: Effects;
}

/** Lost the conditional write to another writer: re-read and decide again. */
class StaleProgress extends Error {}

async function save(next: Progress, session?: ClientSession): Promise<void> {
  if (!(await saveProgress(next, clock.now(), session))) throw new StaleProgress();
}

async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StaleProgress) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

export interface ProgressChanged {
  type: "progress_changed";
  user_id: string;
  book_id: string;
}

/** After a commit: the player's room (on any process) reloads, e.g. after a REST step. */
function announce(userId: string, bookId: string): void {
  const event: ProgressChanged = { type: "progress_changed", user_id: userId, book_id: bookId };
  publish(topics.playthrough(userId, bookId), event);
}

function walletView(w: Wallet): PlayView["wallet"] {
  return { keys: w.keys.balance, key_cap: w.keys.cap, next_key_at: w.keys.next_at, diamonds: w.balances.diamonds };
}

async function viewOf(p: Progress, book: BookRow, wallet?: Wallet): Promise<PlayView> {
  const w = wallet ?? (await getWallet(p.user_id));
  const run = activeRun(p);
  const base = { book_id: book.id, revision: p.rev, chapter_count: book.chapter_count, completed_chapters: p.completed_chapters, wallet: walletView(w) };
  if (!run) {
    return { ...base, mode: "none", chapter: null, version: null, step: 0, scene: null, prompt: "", options: [], ended: false, awaiting_keep: false, stats: p.stats };
  }
  const { engine } = await engineOf(book.id, run.chapter, run.version);
  const v = engine.view(run.cursor);
  return {
    ...base,
    mode: run.replay ? "replay" : "story",
    chapter: run.chapter,
    version: run.version,
    step: run.cursor.step,
    scene: { id: v.sceneId, background: v.background, music: v.music, line: v.line, line_count: v.timeline.length, current: v.current, timeline: v.timeline },
    prompt: v.prompt,
    options: priceOptions(p, run.chapter, v, w.balances.diamonds),
    ended: v.ended,
    awaiting_keep: run.replay && v.ended,
    stats: shownStats(p),
  };
}

function noActiveRun(): DomainError {
  return fictionErrors.noActiveChapter();
}

/**
 * Chapter completion's rewards, after the completion committed: XP (progression), the book's
 * readers leaderboard, and the book's 7-day popularity. Each is idempotent by the completion's
 * event id; a crash before they are delivered leaves them in `pending_rewards`, retried on the
 * player's next load.
 */
async function deliverCompletionRewards(p: Progress): Promise<void> {
  if (p.pending_rewards.length === 0) return;
  for (const chapter of p.pending_rewards) {
    const eventId = `chapter_completed:${p.book_id}:${chapter}`;
    await awardXp({ userId: p.user_id, source: "chapter_completed", eventId });
    await submitScore({ boardId: "book_readers", scopeId: p.book_id, userId: p.user_id, score: 1, eventId });
  }
  await refreshPopularity(p.book_id);
  // not revision-guarded: a concurrent stale save may put them back, and a redelivery is a no-op
  await ProgressModel.updateOne({ _id: p.id }, { $pullAll: { pending_rewards: p.pending_rewards } });
}

async function afterCommit(p: Progress): Promise<void> {
  await deliverCompletionRewards(p).catch((err: unknown) => logger.warn({ err, progress: p.id }, "chapter rewards not delivered yet (retried on next load)"));
}

/** A completed canonical chapter counts as a read of the book, in the same commit as the progress. */
function completes(before: Progress, after: Progress): boolean {
  return after.completed_chapters.length > before.completed_chapters.length;
}

async function saveStep(before: Progress, after: Progress): Promise<void> {
  if (!completes(before, after)) return save(after);
  await inTransaction(async (session) => {
    await save(after, session);
    await countRead(after.book_id, utcDay(clock.now()), session);
  });
}

export async function getPlaythrough(userId: string, bookId: string): Promise<PlayView> {
  const book = await requirePublishedBook(bookId);
  const p = await loadOrCreateProgress(userId, bookId, clock.now());
  await afterCommit(p);
  return viewOf(p, book);
}

/** `start {chapter}`: a key for a new chapter (once), free for a replay or a resume. */
/** Operators watch reading (chapters begun; a first start spends a key). */
const chaptersStarted = metrics.counter("fiction_chapters_started_total", "Chapters started (not resumed), by kind: first (a new or unlocked chapter) or replay.", ["kind"]);

export async function startChapter(userId: string, bookId: string, chapter: number): Promise<PlayView> {
  const book = await requirePublishedBook(bookId);
  let started: "first" | "replay" | null = null;
  const view = await retrying(async () => {
    started = null;
    const p = await loadOrCreateProgress(userId, bookId, clock.now());
    const decision = decideStart(p, chapter, book.chapter_count);
    if (decision.kind === "resume") {
      if (!p.replay) return viewOf(p, book);
      const next = dropReplay(p);
      await save(next);
      return viewOf({ ...next, rev: p.rev + 1 }, book);
    }
    const latest = await findLatestChapter(bookId, chapter);
    if (!latest) throw fictionErrors.chapterNotFoundConflict(`This book has no chapter ${chapter}.`);
    const { engine } = await engineOf(bookId, chapter, latest.version);
    const base = dropReplay(p); // a replay left unfinished: its outfits stay
    const from = decision.kind === "replay" ? decision.from : base.stats;
    const run: Run = { chapter, version: latest.version, replay: decision.kind === "replay", seq: p.runs_started + 1, cursor: engine.begin(from) };
    let next: Progress;
    if (decision.kind === "replay") {
      next = { ...base, replay: run, runs_started: run.seq };
    } else {
      next = {
        ...base,
        run,
        runs_started: run.seq,
        unlocked_chapters: p.unlocked_chapters.includes(chapter) ? p.unlocked_chapters : [...p.unlocked_chapters, chapter],
        chapter_start_stats: { ...p.chapter_start_stats, [String(chapter)]: from },
      };
    }
    if (decision.kind === "first" && decision.needsKey) {
      await getWallet(userId); // repairs a missing welcome grant (a registration that crashed half-way) before spending
      const spec: TransferSpec = {
        id: chapterUnlockTransferId(userId, bookId, chapter),
        debit: { userId },
        credit: { system: "issuance" },
        currency: "keys",
        amount: 1,
        reason: "chapter_unlock",
        ref: `book:${bookId}:chapter:${chapter}`,
      };
      const { replayed } = await withTransfer(spec, (session) => save(next, session));
      if (replayed) throw new StaleProgress(); // a concurrent start spent it: read what it wrote
    } else {
      await save(next);
    }
    started = decision.kind;
    return viewOf({ ...next, rev: p.rev + 1 }, book);
  });
  if (started) chaptersStarted.inc({ kind: started });
  announce(userId, bookId);
  return view;
}

/** `advance`: the next line; past a chapter end's last line the chapter is completed. */
export async function advance(userId: string, bookId: string): Promise<PlayView> {
  const book = await requirePublishedBook(bookId);
  let completed: Progress | undefined;
  const view = await retrying(async () => {
    const p = await loadOrCreateProgress(userId, bookId, clock.now());
    const run = activeRun(p);
    if (!run) throw noActiveRun();
    const { engine } = await engineOf(bookId, run.chapter, run.version);
    const { cursor } = engine.advance(run.cursor);
    if (cursor === run.cursor) return viewOf(p, book);
    const next = withCursor(p, cursor);
    await saveStep(p, next);
    if (completes(p, next)) completed = next;
    return viewOf({ ...next, rev: p.rev + 1 }, book);
  });
  if (completed) await afterCommit(completed);
  announce(userId, bookId);
  return view;
}

export interface ChooseInput {
  optionId: string;
  /** the scene the client chose in (REST: it may have read ahead through linear scenes) */
  sceneId?: string;
  /** the step the client saw (state `step`): makes a late repeat recognisable in any scene */
  step?: number;
}

/**
 * `choose {optionId}`: the server decides availability, cost, effects and the next scene. A
 * premium option debits diamonds in the same commit as the progress (once per option per player,
 * replays included); a repeat of an applied choice answers `applied: false`.
 */
export async function choose(userId: string, bookId: string, input: ChooseInput): Promise<ChoiceOutcome> {
  const book = await requirePublishedBook(bookId);
  let completed: Progress | undefined;
  const outcome = await retrying(async (): Promise<ChoiceOutcome> => {
    const p = await loadOrCreateProgress(userId, bookId, clock.now());
    const run = activeRun(p);
    if (!run) throw fictionErrors.choiceNotAvailable("No chapter is being played.");
    const repeat = async (): Promise<ChoiceOutcome> => ({ view: await viewOf(p, book), applied: false, option_id: input.optionId, cost: 0, effects: {} });
    const step = input.step ?? run.cursor.step;
    if (step < run.cursor.step) {
      if (wasChosen(p.recent_choices, userId, bookId, run, step, input.optionId, input.sceneId)) return repeat();
      throw fictionErrors.choiceNotAvailable("That choice point has passed.");
    }
    if (step > run.cursor.step) throw fictionErrors.choiceNotAvailable("No such choice point yet.");
    const { engine } = await engineOf(bookId, run.chapter, run.version);
    let t;
    try {
      t = engine.choose(run.cursor, input.optionId, input.sceneId);
    } catch (err) {
      // without a step, a repeat that arrives after the story moved on is recognised by the previous step
      if (input.step === undefined && err instanceof DomainError && err.code === "choice_not_available" && run.cursor.step > 0) {
        if (wasChosen(p.recent_choices, userId, bookId, run, run.cursor.step - 1, input.optionId, input.sceneId)) return repeat();
      }
      throw err;
    }
    const key = choiceKey(userId, bookId, run, t.fromSceneId, input.optionId);
    const cost = effectiveCost(p, run.chapter, t.fromSceneId, { id: input.optionId, cost: t.cost });
    let next = withCursor(p, t.cursor);
    next = {
      ...next,
      recent_choices: rememberChoice(p.recent_choices, key),
      owned_options: cost > 0 ? [...p.owned_options, optionRef(run.chapter, t.fromSceneId, input.optionId)] : p.owned_options,
    };
    if (cost > 0) {
      const spec: TransferSpec = {
        id: premiumTransferId(userId, bookId, run.chapter, t.fromSceneId, input.optionId),
        debit: { userId },
        credit: { system: "revenue" },
        currency: "diamonds",
        amount: cost,
        reason: "premium_choice",
        ref: `book:${bookId}:chapter:${run.chapter}:scene:${t.fromSceneId}:option:${input.optionId}`,
      };
      const { replayed } = await withTransfer(spec, async (session) => {
        await save(next, session);
        if (completes(p, next)) await countRead(bookId, utcDay(clock.now()), session);
      });
      // paid by a concurrent copy of this choice (or an earlier run): re-read and decide again
      if (replayed) throw new StaleProgress();
    } else {
      await saveStep(p, next);
    }
    if (completes(p, next)) completed = next;
    return { view: await viewOf({ ...next, rev: p.rev + 1 }, book), applied: true, option_id: input.optionId, cost, effects: t.effects };
  });
  if (completed) await afterCommit(completed);
  if (outcome.applied) announce(userId, bookId);
  return outcome;
}

/** `keep {keep}` at the end of a replay: its choices become canonical, or are dropped. */
export async function finishChapterReplay(userId: string, bookId: string, keep: boolean): Promise<PlayView> {
  const book = await requirePublishedBook(bookId);
  const view = await retrying(async () => {
    const p = await loadOrCreateProgress(userId, bookId, clock.now());
    const next = finishReplay(p, keep);
    await save(next);
    return viewOf({ ...next, rev: p.rev + 1 }, book);
  });
  announce(userId, bookId);
  return view;
}

/** `GET /inventory`: keys (with the next regeneration) and diamonds. */
export async function inventory(userId: string) {
  const w = await getWallet(userId);
  return { keys: { balance: w.keys.balance, cap: w.keys.cap, next_at: w.keys.next_at, interval_seconds: w.keys.interval_seconds }, diamonds: w.balances.diamonds };
}
