import { findUserById } from "../auth/user.repository";
import { withTransfer } from "../economy";
import { logger } from "../logger";
import { clock } from "../shared/clock";
import { DomainError } from "../shared/errors";
import { SubscriptionModel } from "./stream.model";
import { marketplaceErrors } from "../marketplace/marketplace.errors";
import { authErrors } from "../auth/auth.errors";
import { liveErrors } from "./live.errors";

/**
 * Creator subscriptions: monthly, paid in tokens through the economy. Each period is one transfer
 * with a fixed id (`sub:<creator>:<user>:<period>`), so a retry or two renewal runs pay once. At
 * `renews_at` the renewal pays the next period, or the subscription lapses (cancelled, or the
 * balance is short). Active = `renews_at` ahead of now; that is what the `subscribers` access rule
 * and the chat badge read.
 */
export const SUBSCRIPTION_PERIOD_MS = 30 * 86_400_000;
/** The monthly price in tokens (one price for every creator until creators set their own). */
export const SUBSCRIPTION_PRICE = 300;

export interface SubscriptionView {
  creator_id: string;
  price: number;
  started_at: Date;
  renews_at: Date;
  auto_renew: boolean;
  periods: number;
  active: boolean;
}

function view(row: Record<string, any>): SubscriptionView {
  return {
    creator_id: row.creator_id,
    price: row.price,
    started_at: row.started_at,
    renews_at: row.renews_at,
    auto_renew: row.auto_renew,
    periods: row.periods,
    active: row.renews_at.getTime() > clock.now().getTime(),
  };
}

function periodTransfer(userId: string, creatorId: string, period: number, price: number) {
  return {
    id: `sub:${creatorId}:${userId}:${period}`,
    debit: { userId },
    credit: { userId: creatorId },
    currency: "tokens" as const,
    amount: price,
    reason: "creator_subscription",
    ref: `creator:${creatorId}`,
  };
}

/** Subscribe (or re-subscribe after a lapse): pays the first period now. */
export async function subscribe(userId: string, creatorId: string): Promise<SubscriptionView> {
  if (userId === creatorId) throw liveErrors.ownSubscription();
  if (!(await findUserById(creatorId))) throw authErrors.userNotFound("No such creator.");
  const now = clock.now();
  const existing = await SubscriptionModel.findOne({ user_id: userId, creator_id: creatorId }).lean();
  if (existing && existing.renews_at.getTime() > now.getTime()) {
    if (!existing.auto_renew) await SubscriptionModel.updateOne({ _id: existing._id }, { $set: { auto_renew: true } });
    else throw marketplaceErrors.alreadySubscribed("You are already subscribed.");
    return view({ ...existing, auto_renew: true });
  }
  const period = (existing?.periods ?? 0) + 1;
  await withTransfer(periodTransfer(userId, creatorId, period, SUBSCRIPTION_PRICE), async (session) => {
    await SubscriptionModel.updateOne(
      { user_id: userId, creator_id: creatorId },
      { $set: { price: SUBSCRIPTION_PRICE, started_at: now, renews_at: new Date(now.getTime() + SUBSCRIPTION_PERIOD_MS), auto_renew: true, periods: period } },
      { upsert: true, session },
    );
  });
  return view((await SubscriptionModel.findOne({ user_id: userId, creator_id: creatorId }).lean())!);
}

/** Stop renewing; the subscription stays active until renews_at. */
export async function cancelSubscription(userId: string, creatorId: string): Promise<SubscriptionView> {
  const row = await SubscriptionModel.findOneAndUpdate({ user_id: userId, creator_id: creatorId }, { $set: { auto_renew: false } }, { returnDocument: "after" }).lean();
  if (!row) throw marketplaceErrors.subscriptionNotFound("You are not subscribed to this creator.");
  return view(row);
}

export async function listSubscriptions(userId: string): Promise<SubscriptionView[]> {
  const rows = await SubscriptionModel.find({ user_id: userId }).sort({ renews_at: -1 }).lean();
  return rows.map(view);
}

/**
 * Renew every subscription due: pay the next period (idempotent by its transfer id) and move
 * `renews_at` on by one period, conditionally on the period read (two runs cannot renew twice).
 * A cancelled one, or one whose balance is short, lapses: it stays with `renews_at` in the past.
 */
export async function renewDueSubscriptions(limit = 500): Promise<{ renewed: number; lapsed: number }> {
  const now = clock.now();
  const due = await SubscriptionModel.find({ renews_at: { $lte: now }, auto_renew: true }).limit(limit).lean();
  let renewed = 0;
  let lapsed = 0;
  for (const s of due) {
    const period = s.periods + 1;
    try {
      const out = await withTransfer(periodTransfer(s.user_id, s.creator_id, period, s.price), async (session) => {
        await SubscriptionModel.updateOne(
          { _id: s._id, periods: s.periods },
          { $set: { renews_at: new Date(s.renews_at.getTime() + SUBSCRIPTION_PERIOD_MS), periods: period } },
          { session },
        );
      });
      // a concurrent run that paid this period already: its transfer replays and nothing is written again
      if (!out.replayed) renewed += 1;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // insufficient funds, a flagged wallet: the subscription lapses instead of retrying forever
      const lapse = await SubscriptionModel.updateOne({ _id: s._id, periods: s.periods, auto_renew: true }, { $set: { auto_renew: false } });
      if (lapse.modifiedCount === 0) continue; // a concurrent run lapsed it
      logger.info({ userId: s.user_id, creatorId: s.creator_id, code: err.code }, "creator subscription lapsed");
      lapsed += 1;
    }
  }
  return { renewed, lapsed };
}
