import { z } from "zod";
import { clock } from "../shared/clock";
import { ledgerEngine, type LedgerTx } from "./ledger.engine";
import { HoldModel, type HoldDoc } from "./ledger.model";
import { accountKey, accountRefSchema, amountSchema, holdAccountKey, transferSpecSchema } from "./ledger.rules";
import { checkSettle, isExpired, planCapture } from "./hold.rules";
import type { CaptureOptions, Hold, HoldSpec } from "./economy.types";
import { economyErrors } from "./economy.errors";
import { parseWith } from "../shared/validation";

/**
 * Two-phase transfers. A hold moves the amount from the user's available balance into the hold's
 * own ledger account (`h:<holdId>`), so the ledger stays balanced while value is pending; capture
 * posts all or part of it to the target (plus an optional fee leg) and releases the rest; release
 * returns it all. An expired hold cannot be captured; the sweeper releases it (status "expired").
 */

const holdSpecSchema = z
  .object({
    id: transferSpecSchema.shape.id,
    userId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    currency: transferSpecSchema.shape.currency,
    amount: amountSchema,
    reason: transferSpecSchema.shape.reason,
    ref: transferSpecSchema.shape.ref,
    expiresAt: z.date().optional(),
  })
  .strict();

const captureSchema = z
  .object({
    id: transferSpecSchema.shape.id,
    credit: accountRefSchema,
    amount: amountSchema.optional(),
    fee: z.object({ credit: accountRefSchema, amount: amountSchema }).strict().optional(),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, input: unknown, request: "hold" | "capture" | "release"): T {
  return parseWith(schema, input, (issues) => economyErrors.holdRequestInvalid(request, issues));
}

export function toHold(doc: HoldDoc): Hold {
  const hold: Hold = {
    id: doc._id,
    user_id: doc.user_id,
    currency: doc.currency,
    amount: doc.amount,
    captured: doc.captured,
    status: doc.status,
    reason: doc.reason,
  };
  if (doc.ref !== null) hold.ref = doc.ref;
  if (doc.expires_at !== null) hold.expires_at = doc.expires_at;
  return hold;
}

function sameHold(doc: HoldDoc, spec: HoldSpec): boolean {
  return (
    doc.user_id === spec.userId &&
    doc.currency === spec.currency &&
    doc.amount === spec.amount &&
    doc.reason === spec.reason &&
    doc.ref === (spec.ref ?? null) &&
    (doc.expires_at?.getTime() ?? null) === (spec.expiresAt?.getTime() ?? null)
  );
}

/** Reserve `amount` of the user's available balance. Idempotent by id (same spec → the hold). */
export async function hold(input: HoldSpec): Promise<Hold> {
  const spec = parse(holdSpecSchema, input, "hold") as HoldSpec;
  const userKey = accountKey({ userId: spec.userId }, spec.currency);
  return ledgerEngine.submit({
    accounts: [userKey, holdAccountKey(spec.id)],
    holds: [spec.id],
    transfers: [`hold:${spec.id}`],
    run: async (tx) => {
      const existing = await tx.hold(spec.id);
      if (existing) {
        if (!sameHold(existing, spec)) throw economyErrors.holdIdReused(spec.id, { id: spec.id });
        return toHold(existing);
      }
      if (spec.expiresAt && spec.expiresAt.getTime() <= tx.now.getTime()) throw economyErrors.invalidHold();
      await tx.post(
        { id: `hold:${spec.id}`, debit: { userId: spec.userId }, credit: { hold: spec.id }, currency: spec.currency, amount: spec.amount, reason: spec.reason, ref: spec.ref },
        { heldDelta: { key: userKey, delta: spec.amount } },
      );
      const doc: HoldDoc = {
        _id: spec.id,
        user_id: spec.userId,
        currency: spec.currency,
        amount: spec.amount,
        captured: 0,
        status: "pending",
        reason: spec.reason,
        ref: spec.ref ?? null,
        expires_at: spec.expiresAt ?? null,
        settled_by: null,
        created_at: tx.now,
        updated_at: tx.now,
      };
      tx.setHold(doc);
      return toHold(doc);
    },
  });
}

/** Load a hold for settling; `replay` when this very settlement already closed it. */
async function pendingHold(tx: LedgerTx, holdId: string, settleId: string): Promise<{ doc: HoldDoc; replay: boolean }> {
  const doc = await tx.hold(holdId);
  if (!doc) throw economyErrors.holdNotFound();
  return { doc, replay: checkSettle(doc, settleId, tx.now) === "replay" };
}

/** Release what is left of a hold back to the user and close it. */
async function settle(tx: LedgerTx, doc: HoldDoc, settleId: string, taken: number, status: HoldDoc["status"]): Promise<Hold> {
  const rest = doc.amount - taken;
  const userKey = accountKey({ userId: doc.user_id }, doc.currency);
  const user = await tx.account(userKey, doc.currency);
  tx.setAccount({ ...user, held: user.held - doc.amount });
  if (rest > 0) {
    const id = status === "captured" ? `${settleId}:release` : settleId;
    await tx.post({ id, debit: { hold: doc._id }, credit: { userId: doc.user_id }, currency: doc.currency, amount: rest, reason: `${doc.reason}_release`.slice(0, 64), ref: doc.ref });
  }
  const next: HoldDoc = { ...doc, captured: taken, status, settled_by: settleId };
  tx.setHold(next);
  return toHold(next);
}

/**
 * Post all or part of a pending hold to `credit` (and an optional fee leg); the rest goes back to
 * the user. Idempotent by `opts.id`.
 */
export async function captureHold(holdId: string, input: CaptureOptions): Promise<Hold> {
  const opts = parse(captureSchema, input, "capture") as CaptureOptions;
  return ledgerEngine.submit({
    holds: [holdId],
    accounts: [holdAccountKey(holdId)],
    run: async (tx) => {
      const { doc, replay } = await pendingHold(tx, holdId, opts.id);
      if (replay) return toHold(doc);
      const { amount, fee } = planCapture(doc, opts);
      const base = { debit: { hold: holdId }, currency: doc.currency, ref: doc.ref };
      for (const id of [opts.id, `${opts.id}:fee`, `${opts.id}:release`]) if (await tx.transfer(id)) throw economyErrors.transferIdReused(`Transfer id ${id} was already used.`, { id });
      await tx.post({ ...base, id: opts.id, credit: opts.credit, amount, reason: doc.reason });
      if (opts.fee) await tx.post({ ...base, id: `${opts.id}:fee`, credit: opts.fee.credit, amount: fee, reason: `${doc.reason}_fee`.slice(0, 64) });
      return settle(tx, doc, opts.id, amount + fee, "captured");
    },
  });
}

/** Void a pending hold: everything back to the user. Idempotent by `opts.id`. */
export async function releaseHold(holdId: string, opts: { id: string }): Promise<Hold> {
  const { id } = parse(z.object({ id: transferSpecSchema.shape.id }).strict(), opts, "release");
  return ledgerEngine.submit({
    holds: [holdId],
    accounts: [holdAccountKey(holdId)],
    run: async (tx) => {
      const { doc, replay } = await pendingHold(tx, holdId, id);
      if (replay) return toHold(doc);
      if (await tx.transfer(id)) throw economyErrors.transferIdReused(`Transfer id ${id} was already used.`, { id });
      return settle(tx, doc, id, 0, "released");
    },
  });
}

export async function getHold(holdId: string): Promise<Hold | null> {
  const doc = (await HoldModel.findById(holdId).lean()) as HoldDoc | null;
  return doc ? toHold(doc) : null;
}

/** Sweep runs take this many holds at a time; the next tick takes the rest. */
const SWEEP_BATCH = 200;

/** Release every pending hold past its expiry (status "expired"). Safe to run concurrently. */
export async function sweepExpiredHolds(now: Date = clock.now()): Promise<number> {
  const due = (await HoldModel.find({ status: "pending", expires_at: { $lte: now } }, { _id: 1 }).limit(SWEEP_BATCH).lean()) as Array<{ _id: string }>;
  const results = await Promise.all(
    due.map(({ _id }) =>
      ledgerEngine.submit({
        holds: [_id],
        accounts: [holdAccountKey(_id)],
        run: async (tx) => {
          const doc = await tx.hold(_id);
          if (!doc || doc.status !== "pending" || !isExpired(doc, tx.now)) return 0;
          await settle(tx, doc, `expire:${_id}`, 0, "expired");
          return 1;
        },
      }),
    ),
  );
  return results.reduce<number>((a, b) => a + b, 0);
}
