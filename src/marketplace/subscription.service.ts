import { createPaymentOrder, registerPaymentPurpose, type CreatedOrder, type PaymentOrder } from "../payments";
import { clock } from "../shared/clock";
import { BidModel, CampaignModel } from "./listing.model";
import { RequestModel } from "./request.model";
import { activeSubscriptionFilter, SubscriptionModel } from "./subscription.model";
import { PLANS, PLAN_PERIOD_DAYS, planThatLifts, proratedUpgradePrice, type PlanId, type PlanLimit } from "./subscription.plans";
import { marketplaceErrors } from "./marketplace.errors";

/** Subscriptions: paid through Razorpay orders (purpose `subscription`), limits enforced where they apply. */
const PURPOSE = "subscription";
const DAY_MS = 86_400_000;

type Row = Record<string, any>;

export interface SubscriptionJson {
  id: string;
  user_id: string;
  plan: PlanId;
  status: "pending_payment" | "active" | "cancelled";
  period_start: string | null;
  period_end: string | null;
  order_id: string;
  pending_upgrade: { plan: PlanId; order_id: string; amount: number } | null;
  created_at: string;
}

function toJson(r: Row): SubscriptionJson {
  return {
    id: String(r._id),
    user_id: r.user_id,
    plan: r.plan,
    status: r.status,
    period_start: r.period_start?.toISOString() ?? null,
    period_end: r.period_end?.toISOString() ?? null,
    order_id: r.order_id,
    pending_upgrade: r.pending_upgrade ?? null,
    created_at: r.created_at.toISOString(),
  };
}

/** The active paid subscription, if any (one whose period has not ended). */
async function activeSubscription(userId: string): Promise<Row | null> {
  return SubscriptionModel.findOne(activeSubscriptionFilter(userId, clock.now()))
    .sort({ created_at: -1 })
    .lean<Row>();
}

export async function currentPlan(userId: string): Promise<PlanId> {
  return ((await activeSubscription(userId))?.plan as PlanId | undefined) ?? "basic";
}

async function usage(userId: string, limit: PlanLimit): Promise<number> {
  if (limit === "applications_per_month") {
    const since = new Date(clock.now().getTime() - PLAN_PERIOD_DAYS * DAY_MS);
    return RequestModel.countDocuments({ influencer_id: userId, created_at: { $gte: since } });
  }
  const model = limit === "active_campaigns" ? CampaignModel : BidModel;
  return (model as typeof CampaignModel).countDocuments({ created_by: userId, status: { $in: ["open", "in_progress"] } });
}

/** Refuse one more of `limit` when the user's plan is full: `plan_limit_reached` names the plan that lifts it. */
export async function assertWithinPlan(userId: string, limit: PlanLimit): Promise<void> {
  const plan = await currentPlan(userId);
  const max = PLANS[plan].limits[limit];
  if (max === null) return;
  const used = await usage(userId, limit);
  if (used < max) return;
  const upgrade = planThatLifts(limit, used);
  throw marketplaceErrors.planLimitReached(plan, max, limit.replace(/_/g, " "), upgrade ? `; ${upgrade} lifts it` : "", {
    limit,
    plan,
    max,
    used,
    upgrade_to: upgrade,
  });
}

export async function createSubscription(userId: string, plan: PlanId): Promise<{ subscription: SubscriptionJson; order: CreatedOrder }> {
  if (PLANS[plan].price === 0) throw marketplaceErrors.planIsFree();
  if (await activeSubscription(userId)) throw marketplaceErrors.alreadySubscribed();
  const order = await createPaymentOrder({ userId, amount: PLANS[plan].price, currency: "inr", purpose: PURPOSE, ref: `plan:${plan}` });
  const now = clock.now();
  const doc = await SubscriptionModel.create({ user_id: userId, plan, status: "pending_payment", order_id: order.order_id, created_at: now, updated_at: now });
  return { subscription: toJson(doc.toObject()), order };
}

export async function listSubscriptions(userId: string): Promise<SubscriptionJson[]> {
  return (await SubscriptionModel.find({ user_id: userId }).sort({ created_at: -1 }).limit(100).lean<Row[]>()).map(toJson);
}

async function ownSubscription(userId: string, id: string): Promise<Row> {
  const row = await SubscriptionModel.findById(id).lean<Row>();
  if (!row || row.user_id !== userId) throw marketplaceErrors.subscriptionNotFound();
  return row;
}

export async function getSubscription(userId: string, id: string): Promise<SubscriptionJson> {
  return toJson(await ownSubscription(userId, id));
}

/** Cancelling stops renewal and the plan now (no refund of the period already paid). */
export async function cancelSubscription(userId: string, id: string): Promise<SubscriptionJson> {
  await ownSubscription(userId, id);
  const row = await SubscriptionModel.findOneAndUpdate(
    { _id: id, status: { $ne: "cancelled" } },
    { $set: { status: "cancelled", pending_upgrade: null, updated_at: clock.now() } },
    { returnDocument: "after" },
  ).lean<Row>();
  if (!row) throw marketplaceErrors.subscriptionNotActive();
  return toJson(row);
}

/** Upgrade an active subscription: pay the price difference for what is left of the period. */
export async function upgradeSubscription(userId: string, id: string, plan: PlanId): Promise<{ subscription: SubscriptionJson; order: CreatedOrder | null; amount: number }> {
  const sub = await ownSubscription(userId, id);
  if (sub.status !== "active" || sub.period_end.getTime() <= clock.now().getTime()) throw marketplaceErrors.subscriptionNotActive("Only an active subscription can be upgraded.");
  if (PLANS[plan].price <= PLANS[sub.plan as PlanId].price) throw marketplaceErrors.notAnUpgrade(plan, sub.plan);
  const amount = proratedUpgradePrice(sub.plan, plan, sub.period_end.getTime() - clock.now().getTime());
  const order = await createPaymentOrder({ userId, amount: Math.max(100, amount), currency: "inr", purpose: PURPOSE, ref: `upgrade:${id}:${plan}` });
  const row = await SubscriptionModel.findByIdAndUpdate(id, { $set: { pending_upgrade: { plan, order_id: order.order_id, amount: order.amount }, updated_at: clock.now() } }, { returnDocument: "after" }).lean<Row>();
  return { subscription: toJson(row!), order, amount: order.amount };
}

/** A verified subscription payment: activates a new subscription, or applies a paid upgrade. Idempotent per order. */
async function onSubscriptionPaid(order: PaymentOrder, paymentId: string): Promise<SubscriptionJson | null> {
  const now = clock.now();
  const payment = { order_id: order.order_id, payment_id: paymentId, amount: order.amount, at: now };
  const activated = await SubscriptionModel.findOneAndUpdate(
    { order_id: order.order_id, status: "pending_payment" },
    { $set: { status: "active", period_start: now, period_end: new Date(now.getTime() + PLAN_PERIOD_DAYS * DAY_MS), updated_at: now }, $push: { payments: payment } },
    { returnDocument: "after" },
  ).lean<Row>();
  if (activated) return toJson(activated);
  const upgraded = await SubscriptionModel.findOne({ "pending_upgrade.order_id": order.order_id }).lean<Row>();
  if (upgraded) {
    const row = await SubscriptionModel.findOneAndUpdate(
      { _id: upgraded._id, "pending_upgrade.order_id": order.order_id },
      { $set: { plan: upgraded.pending_upgrade.plan, pending_upgrade: null, updated_at: now }, $push: { payments: payment } },
      { returnDocument: "after" },
    ).lean<Row>();
    if (row) return toJson(row);
  }
  const already = await SubscriptionModel.findOne({ "payments.order_id": order.order_id }).lean<Row>();
  return already ? toJson(already) : null;
}

registerPaymentPurpose(PURPOSE, { onCaptured: onSubscriptionPaid });
