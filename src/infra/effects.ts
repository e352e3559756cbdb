import type { Model } from "mongoose";

/**
 * Effects that follow a commit (an outbox): the committed row carries `effects_done: false`, its
 * effects run after the commit, then the row is marked done. A row whose effects did not finish (the
 * process died in between) is found again and re-run — on the next touch, or at boot — so every
 * effect must be idempotent (keyed by the row). Used by negotiation transitions and gifts.
 */
export interface EffectsRow {
  _id: unknown;
  effects_done?: boolean;
}

/** Run a committed row's effects, then mark it done (a crash before the mark re-runs them later). */
export async function runEffects<R extends EffectsRow>(model: Model<any>, row: R, run: (row: R) => Promise<void>): Promise<void> {
  await run(row);
  await model.updateOne({ _id: row._id }, { $set: { effects_done: true } });
}

/** Re-run the effects of every matching row not marked done, one at a time in `sort` order; returns how many ran. */
export async function runUndoneEffects<R extends EffectsRow>(model: Model<any>, filter: Record<string, unknown>, sort: Record<string, 1 | -1>, run: (row: R) => Promise<void>): Promise<number> {
  const undone = (await model.find({ ...filter, effects_done: false }).sort(sort).lean()) as unknown as R[];
  for (const row of undone) await runEffects(model, row, run);
  return undone.length;
}
