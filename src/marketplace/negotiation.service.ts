import { hasRole, type Principal } from "../auth/roles";
import { config } from "../config";
import { awardXp } from "../progression/progression.service";
import { captureHold, getHold, hold, releaseHold, transfer, withTransfer, type Hold } from "../economy";
import { runUndoneEffects as runUndoneEffectRows } from "../infra/effects";
import { inTransaction } from "../infra/transaction";
import { recordAudit } from "../admin/audit";
import { logger } from "../logger";
import { ConversationModel } from "../messaging/conversation.model";
import {
  conversationFor,
  conversationJson,
  insertMessages,
  loadConversation,
  publishConversation,
  roleIn,
  toMessageJson,
  type ConversationRole,
  type ConversationRow,
} from "../messaging/messaging.service";
import { createPaymentOrder, registerPaymentPurpose, type CreatedOrder, type PaymentOrder } from "../payments";
import { clock } from "../shared/clock";
import { ConflictError, isDuplicateKeyError } from "../shared/errors";
import { FlowEventModel } from "./flow-event.model";
import { amountRange, getListing, type ListingKind } from "./listing.service";
import { applyFlowAction, initialSnapshot, TERMINAL_STATES, type FlowAction, type FlowEffect, type FlowRole, type FlowSnapshot } from "./negotiation.machine";
import { actionOfInput, automatedMessageFor, type InputType } from "./negotiation.messages";
import { PayoutModel } from "./payout.model";
import { FLOW_REQUEST_STATUS } from "./request.rules";
import { findApplicationFor, syncApplicationFromFlow } from "./request.service";
import { marketplaceErrors } from "./marketplace.errors";

/**
 * The negotiation flow over the store: one path for the room and REST. A transition is persisted
 * (conversation state conditional on its version + an event-log row + the automated message, one
 * transaction) before anyone is told; its money effects then run, each idempotent by the
 * conversation id, and an event whose effects did not finish (a crash) is re-run the next time the
 * conversation is touched.
 */
export const ESCROW_PURPOSE = "negotiation_escrow";
export const escrowHoldId = (conversationId: string) => `neg:${conversationId}`;
const escrowRef = (conversationId: string) => `negotiation:${conversationId}`;

export function staleFlowState(current: number): ConflictError {
  return marketplaceErrors.staleFlowState({ version: current });
}

export interface TransitionOutcome {
  conversation: ReturnType<typeof conversationJson>;
  previous_state: string;
  next_flow_state: string;
  awaiting_role: string | null;
  automated_response: ReturnType<typeof toMessageJson>;
  order?: CreatedOrder;
}

// ---- initialize -------------------------------------------------------------------------------

export interface InitializeInput {
  listing_id: string;
  influencer_id: string;
  proposed_amount: number;
}

/**
 * `POST /bids/automated/initialize` (and the campaign twin): start the deal for an application. The
 * listing's owner, the applicant or an admin may start it; one conversation per listing and
 * influencer (a second call answers the existing one, `is_existing: true`).
 */
export async function initializeNegotiation(who: Principal, kind: ListingKind, input: InitializeInput) {
  const listing = await getListing(kind, input.listing_id);
  if (listing.created_by !== who.userId && input.influencer_id !== who.userId && !hasRole(who, "admin")) {
    throw marketplaceErrors.notAParty();
  }
  const field = kind === "campaign" ? "campaign_id" : "bid_id";
  const existing = await ConversationModel.findOne({ [field]: input.listing_id, influencer_id: input.influencer_id }).lean<ConversationRow>();
  if (existing) return initializeAnswer(existing, true);
  const application = await findApplicationFor(kind, input.listing_id, input.influencer_id);
  if (!application) throw marketplaceErrors.requestNotFound(`${input.influencer_id} has not applied to this ${kind}.`);
  if (application.status !== "pending" && application.status !== "approved") {
    throw marketplaceErrors.requestNotOpen(`The application is ${application.status}; no negotiation can start.`);
  }
  const snapshot = initialSnapshot({ proposed_amount: input.proposed_amount, ...amountRange(listing), fee_bps: config().NEGOTIATION_FEE_BPS });
  const now = clock.now();
  const flowData = { ...snapshot, title: listing.title };
  try {
    const row = await inTransaction(async (session) => {
      const [doc] = await ConversationModel.create(
        [
          {
            [field]: input.listing_id,
            request_id: application.id,
            brand_owner_id: listing.created_by,
            influencer_id: input.influencer_id,
            chat_status: "automated",
            flow_state: snapshot.state,
            awaiting_role: snapshot.awaiting_role,
            flow_data: flowData,
            version: snapshot.version,
            automation_enabled: true,
            payment_required: true,
            last_message_at: now,
            created_at: now,
            updated_at: now,
          },
        ],
        { session },
      );
      const id = String(doc!._id);
      await FlowEventModel.create(
        [{ _id: `${id}:0`, conversation_id: id, seq: 0, action: "initialize", role: roleIn(who, { brand_owner_id: listing.created_by, influencer_id: input.influencer_id }), actor_id: who.userId, data: input, from: "initial", to: "initial", effects: [], effects_done: true, created_at: now }],
        { session },
      );
      await insertMessages([automatedRow(id, doc!.toObject() as ConversationRow, snapshot)], session);
      return doc!.toObject() as ConversationRow;
    });
    publishConversation({ type: "changed", conversation_id: String(row._id) });
    return initializeAnswer(row, false);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const raced = await ConversationModel.findOne({ [field]: input.listing_id, influencer_id: input.influencer_id }).lean<ConversationRow>();
    return initializeAnswer(raced!, true);
  }
}

function initializeAnswer(c: ConversationRow, isExisting: boolean) {
  return { success: true, message: "Automated conversation initialized successfully", conversation: conversationJson(c), flow_state: c.flow_state, awaiting_role: c.awaiting_role, is_existing: isExisting };
}

/** The automated message for a snapshot, addressed to whoever it awaits. */
function automatedRow(conversationId: string, c: Pick<ConversationRow, "brand_owner_id" | "influencer_id">, s: FlowSnapshot) {
  const m = automatedMessageFor(s);
  const receiver = s.awaiting_role === "brand_owner" ? c.brand_owner_id : s.awaiting_role === "influencer" ? c.influencer_id : null;
  return {
    conversation_id: conversationId,
    sender_id: null,
    receiver_id: receiver,
    message: m.message,
    message_type: "automated" as const,
    action_required: m.action_required,
    action_data: m.action_data,
    flow_context: m.flow_context,
    for_role: m.for_role,
    flow_version: s.version,
  };
}

// ---- transitions ------------------------------------------------------------------------------

/** A button click (room `action`, REST `button-click`). `version`, when given, must be the current one. */
export async function applyNegotiationAction(who: Principal, conversationId: string, action: FlowAction, data: Record<string, unknown> = {}, version?: number): Promise<TransitionOutcome> {
  const { conversation, role } = await conversationFor(who, conversationId);
  return transition(conversation, role, who.userId, action, data, version);
}

/** A text input (room `input`, REST `text-input`): the action it stands for. */
export async function submitNegotiationInput(who: Principal, conversationId: string, inputType: InputType, values: Record<string, unknown>, version?: number): Promise<TransitionOutcome> {
  const { action, data } = actionOfInput(inputType, values);
  return applyNegotiationAction(who, conversationId, action, data, version);
}

async function transition(c: ConversationRow, role: ConversationRole | "system", actorId: string | null, action: FlowAction, data: Record<string, unknown>, version?: number): Promise<TransitionOutcome> {
  if (c.chat_status === "direct" || !c.flow_data) throw marketplaceErrors.notANegotiation();
  const id = String(c._id);
  await runUndoneEffects(c);
  if (version !== undefined && version !== c.version) throw staleFlowState(c.version);
  const snapshot = c.flow_data as FlowSnapshot;
  const result = applyFlowAction(snapshot, { action, role: role as FlowRole, data, at: clock.now().toISOString() });
  const next: FlowSnapshot & { title?: string } = { ...result.next };
  let order: CreatedOrder | undefined;
  if (result.effects.some((e) => e.type === "create_order")) {
    // before the transition: an order whose transition then loses is never shown and never held
    order = await createPaymentOrder({ userId: c.brand_owner_id, amount: next.agreed_amount!, currency: "inr", purpose: ESCROW_PURPOSE, ref: escrowRef(id) });
    next.order_id = order.order_id;
  }
  const now = clock.now();
  const moneyEffects = result.effects.filter((e) => e.type !== "create_order");
  const terminal = TERMINAL_STATES.includes(next.state);
  const { row, message } = await inTransaction(async (session) => {
    const updated = await ConversationModel.findOneAndUpdate(
      { _id: id, version: c.version },
      {
        $set: {
          flow_state: next.state,
          awaiting_role: next.awaiting_role,
          flow_data: next,
          version: next.version,
          chat_status: terminal ? "completed" : "automated",
          automation_enabled: !terminal,
          payment_completed: next.escrow.status !== "none",
          last_message_at: now,
          updated_at: now,
        },
      },
      { returnDocument: "after", session },
    ).lean<ConversationRow>();
    if (!updated) throw staleFlowState(c.version + 1);
    await FlowEventModel.create(
      [{ _id: `${id}:${next.version}`, conversation_id: id, seq: next.version, action, role, actor_id: actorId, data, from: result.from, to: next.state, effects: moneyEffects, effects_done: moneyEffects.length === 0, created_at: now }],
      { session },
    );
    // an admin's move (a dispute resolution) is audited with the transition it made
    if (role === "admin" && actorId) await recordAudit({ actorId, action: "marketplace.flow_action", targetType: "conversation", targetId: id, details: { action, from: result.from, to: next.state, data } }, session);
    const [msg] = await insertMessages([automatedRow(id, c, next)], session);
    const requestStatus = FLOW_REQUEST_STATUS[next.state];
    if (c.request_id && requestStatus) await syncApplicationFromFlow(c.request_id, requestStatus, next.agreed_amount, session);
    return { row: updated, message: msg! };
  });
  if (moneyEffects.length > 0) await runUndoneEffects(row);
  if (action !== "payment_verified") await recoverHeldPayment(row);
  publishConversation({ type: "changed", conversation_id: id });
  return {
    conversation: conversationJson(row),
    previous_state: result.from,
    next_flow_state: next.state,
    awaiting_role: next.awaiting_role,
    automated_response: toMessageJson(message, { role: role === "system" ? "admin" : role, version: row.version }),
    ...(order && { order }),
  };
}

// ---- money ------------------------------------------------------------------------------------

async function runEffect(c: ConversationRow, effect: FlowEffect): Promise<void> {
  const id = String(c._id);
  const holdId = escrowHoldId(id);
  switch (effect.type) {
    case "create_order":
      return;
    case "hold_escrow":
      await hold({ id: holdId, userId: c.brand_owner_id, currency: "inr", amount: effect.amount, reason: "negotiation_escrow", ref: escrowRef(id) });
      return;
    case "capture_escrow": {
      await captureHold(holdId, {
        id: `neg:${id}:capture`,
        credit: { userId: c.influencer_id },
        amount: effect.to_influencer,
        ...(effect.fee > 0 && { fee: { credit: { system: "revenue" }, amount: effect.fee } }),
      });
      await PayoutModel.updateOne(
        { _id: `neg:${id}` },
        { $setOnInsert: { conversation_id: id, influencer_id: c.influencer_id, amount: effect.to_influencer, fee: effect.fee, status: "pending", created_at: clock.now() } },
        { upsert: true },
      );
      // a completed deal is progress for both sides; idempotent on the deal, so a re-run effect awards nothing twice
      await Promise.all([c.brand_owner_id, c.influencer_id].map((userId) => awardXp({ userId, source: "deal_completed", eventId: `deal:${id}` })));
      return;
    }
    case "release_escrow":
      await releaseHold(holdId, { id: `neg:${id}:release` });
      return;
  }
}

/** Run every logged transition's money effects that did not finish (in order); safe to run concurrently. */
async function runUndoneEffects(c: ConversationRow): Promise<void> {
  await runUndoneEffectRows<{ _id: string; effects: FlowEffect[] }>(FlowEventModel, { conversation_id: String(c._id) }, { seq: 1 }, async (event) => {
    for (const effect of event.effects) await runEffect(c, effect);
  });
}

/** A payment held but not yet moved into the flow (a crash, or a cancel that overtook it): finish it. */
async function recoverHeldPayment(c: ConversationRow): Promise<void> {
  if (!c.flow_data || (c.flow_data as FlowSnapshot).escrow.status !== "none") return;
  const h = await getHold(escrowHoldId(String(c._id)));
  if (h?.status === "pending") await finishHeldPayment(c, h);
}

/** Bring a conversation's money in line with its logged flow (room creation, reads, after a crash). */
export async function recoverConversation(c: ConversationRow): Promise<void> {
  await runUndoneEffects(c);
  await recoverHeldPayment(c);
}

/** A verified payment's money is held for this conversation: move the flow to `paid`, or give it back. */
async function finishHeldPayment(c: ConversationRow, h: Hold): Promise<void> {
  const id = String(c._id);
  if (c.flow_state === "payment_pending") {
    try {
      await transition(c, "system", null, "payment_verified", { hold_id: h.id });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  const now = await loadConversation(id);
  if ((now.flow_data as FlowSnapshot).escrow.status === "none") {
    // the deal was cancelled while the payment was being applied: the money goes back to the brand
    await releaseHold(h.id, { id: `neg:${id}:release` });
  }
}

/**
 * A verified Razorpay payment for an escrow order (checkout verify or webhook, any order, any
 * number of times): credit the brand's `inr` account once (ledger id from the payment id), hold it
 * for the conversation, move the flow to `paid`. A payment for an order the flow no longer waits
 * for stays in the brand's `inr` balance.
 */
async function onEscrowPaymentCaptured(order: PaymentOrder, paymentId: string) {
  const conversationId = (order.ref ?? "").replace(/^negotiation:/, "");
  await transfer({ id: `neg_payment:${paymentId}`, debit: { system: "issuance" }, credit: { userId: order.user_id }, currency: "inr", amount: order.amount, reason: "escrow_payment", ref: order.ref ?? undefined });
  const c = await loadConversation(conversationId);
  const snapshot = c.flow_data as FlowSnapshot;
  if (c.flow_state === "payment_pending" && snapshot.order_id === order.order_id) {
    const h = await hold({ id: escrowHoldId(conversationId), userId: order.user_id, currency: "inr", amount: order.amount, reason: "negotiation_escrow", ref: escrowRef(conversationId) });
    await finishHeldPayment(c, h);
  } else if (snapshot.order_id !== order.order_id) {
    logger.warn({ conversationId, order: order.order_id }, "escrow payment for an order the flow no longer waits for; left in the brand's balance");
  }
  const now = await loadConversation(conversationId);
  return { conversation_id: conversationId, flow_state: now.flow_state, escrow: (now.flow_data as FlowSnapshot).escrow };
}

registerPaymentPurpose(ESCROW_PURPOSE, { onCaptured: onEscrowPaymentCaptured });

/**
 * `POST /payments/create-order {conversation_id}`: the brand's "pay" — from `accepted` it moves the
 * flow to `payment_pending` with a new order; while `payment_pending` it answers the same order.
 */
export async function createEscrowOrder(who: Principal, conversationId: string): Promise<{ order: CreatedOrder | { order_id: string; amount: number; currency: "inr" }; flow_state: string }> {
  const { conversation, role } = await conversationFor(who, conversationId);
  const s = conversation.flow_data as FlowSnapshot | null;
  if (role === "brand_owner" && conversation.flow_state === "payment_pending" && s?.order_id) {
    return { order: { order_id: s.order_id, amount: s.agreed_amount!, currency: "inr" }, flow_state: "payment_pending" };
  }
  const out = await transition(conversation, role, who.userId, "pay", {});
  return { order: out.order!, flow_state: out.next_flow_state };
}

// ---- payouts ----------------------------------------------------------------------------------

export async function listPayouts(who: Principal, status?: "pending" | "paid_out") {
  const filter: Record<string, unknown> = hasRole(who, "admin") ? {} : { influencer_id: who.userId };
  if (status) filter.status = status;
  const rows = await PayoutModel.find(filter).sort({ created_at: -1 }).limit(100).lean<Array<Record<string, any>>>();
  return rows.map(payoutJson);
}

function payoutJson(p: Record<string, any>) {
  return { id: p._id, conversation_id: p.conversation_id, influencer_id: p.influencer_id, amount: p.amount, fee: p.fee, status: p.status, paid_out_at: p.paid_out_at?.toISOString() ?? null, created_at: p.created_at.toISOString() };
}

/** An admin marks a payout paid out: the amount leaves the influencer's balance to `payouts`, once. */
export async function markPayoutPaid(payoutId: string, actorId: string) {
  const p = await PayoutModel.findById(payoutId).lean<Record<string, any>>();
  if (!p) throw marketplaceErrors.payoutNotFound();
  const out = await withTransfer(
    { id: `payout:${payoutId}`, debit: { userId: p.influencer_id }, credit: { system: "payouts" }, currency: "inr", amount: p.amount, reason: "payout", ref: `payout:${payoutId}` },
    async (session) => {
      await PayoutModel.updateOne({ _id: payoutId, status: "pending" }, { $set: { status: "paid_out", paid_out_at: clock.now() } }, { session });
      await recordAudit({ actorId, action: "marketplace.payout_paid", targetType: "payout", targetId: payoutId, details: { amount: p.amount, influencer_id: p.influencer_id } }, session);
    },
  );
  const now = await PayoutModel.findById(payoutId).lean<Record<string, any>>();
  return { ...payoutJson(now!), replayed: out.replayed };
}

// ---- debug ------------------------------------------------------------------------------------

export async function flowDebug(conversationId: string) {
  const c = await loadConversation(conversationId);
  const [history, escrow, payout] = await Promise.all([
    FlowEventModel.find({ conversation_id: conversationId }).sort({ seq: 1 }).lean(),
    getHold(escrowHoldId(conversationId)),
    PayoutModel.findById(`neg:${conversationId}`).lean<Record<string, any>>(),
  ]);
  return {
    conversation_id: conversationId,
    flow_state: c.flow_state,
    awaiting_role: c.awaiting_role,
    version: c.version,
    flow_data: c.flow_data,
    history: history.map((e) => ({ seq: e.seq, action: e.action, role: e.role, actor_id: e.actor_id, from: e.from, to: e.to, data: e.data, effects: e.effects, effects_done: e.effects_done, created_at: e.created_at.toISOString() })),
    escrow: { hold: escrow, payout: payout ? payoutJson(payout) : null },
  };
}
