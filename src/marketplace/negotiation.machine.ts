import { marketplaceErrors } from "./marketplace.errors";

/**
 * The negotiation flow as data: states, who is awaited in each, which actions lead where, and the
 * guards. Pure: `applyFlowAction(snapshot, event)` → the next snapshot, the money effects to run and
 * the automated message to post. Nothing here reads a clock, a database or the config.
 */
export const FLOW_STATES = [
  "initial",
  "negotiating",
  "accepted",
  "declined",
  "payment_pending",
  "paid",
  "in_progress",
  "submitted",
  "revision_requested",
  "completed",
  "cancelled",
  "disputed",
] as const;
export type FlowState = (typeof FLOW_STATES)[number];

export const FLOW_ACTIONS = [
  "accept_proposal",
  "negotiate_amount",
  "decline_proposal",
  "pay",
  "payment_verified",
  "start_work",
  "submit_deliverable",
  "request_revision",
  "approve",
  "cancel",
  "open_dispute",
  "resolve_dispute",
] as const;
export type FlowAction = (typeof FLOW_ACTIONS)[number];

/** `system` is the server itself: only a verified payment (`payment_verified`) acts as it. */
export const FLOW_ROLES = ["brand_owner", "influencer", "admin", "system"] as const;
export type FlowRole = (typeof FLOW_ROLES)[number];
export type PartyRole = "brand_owner" | "influencer";

/** At most this many counters in one negotiation, then accept or decline (issue 11). */
export const MAX_COUNTERS = 10;
/** At most this many revision requests per deal. */
export const MAX_REVISIONS = 3;
/** Deliverables kept on the flow (each submission is one). */
export const MAX_DELIVERABLES = MAX_REVISIONS + 1;

export type EscrowStatus = "none" | "held" | "captured" | "released" | "split";

export interface Deliverable {
  url: string;
  note: string;
  at: string;
}

/** Everything the flow knows, stored on the conversation as `flow_data` (plus state + awaiting_role). */
export interface FlowSnapshot {
  state: FlowState;
  awaiting_role: FlowRole | null;
  /** bumps on every transition: the optimistic-concurrency token (`stale_flow_state`) */
  version: number;
  proposed_amount: number;
  /** the amount on the table (last counter, or the proposal) */
  current_amount: number;
  agreed_amount: number | null;
  min_amount: number;
  max_amount: number;
  counters: number;
  last_counter_by: PartyRole | null;
  revisions: number;
  deliverables: Deliverable[];
  /** platform fee in basis points, fixed when the conversation starts */
  fee_bps: number;
  order_id: string | null;
  escrow: { status: EscrowStatus; amount: number; captured: number; fee: number; released: number };
  dispute: { opened_by: PartyRole; reason: string } | null;
}

/** What the service must do with money after a transition commits (each idempotent by conversation). */
export type FlowEffect =
  | { type: "create_order"; amount: number }
  | { type: "hold_escrow"; amount: number }
  | { type: "capture_escrow"; to_influencer: number; fee: number; release: number }
  | { type: "release_escrow"; amount: number };

export interface FlowEvent {
  action: FlowAction;
  role: FlowRole;
  data?: Record<string, unknown>;
  /** when the action happened (ISO), supplied by the caller so the rules stay pure */
  at: string;
}

export interface FlowResult {
  from: FlowState;
  next: FlowSnapshot;
  effects: FlowEffect[];
}

/** Who may fire a transition: the awaited role, either party, or a fixed role. */
type Actor = "awaited" | "either_party" | "admin" | "system";

interface TransitionSpec {
  target: FlowState | ((s: FlowSnapshot, e: FlowEvent) => FlowState);
  /** every possible target (printing, next_states) */
  targets: FlowState[];
  by: Actor;
}

const awaitedOnly = (target: FlowState): TransitionSpec => ({ target, targets: [target], by: "awaited" });

/** The table. A state missing an action refuses it (`invalid_transition`). */
export const FLOW_TABLE: Record<FlowState, { awaiting: FlowRole | null | "counter_party"; on: Partial<Record<FlowAction, TransitionSpec>> }> = {
  initial: {
    awaiting: "brand_owner",
    on: {
      accept_proposal: awaitedOnly("accepted"),
      negotiate_amount: awaitedOnly("negotiating"),
      decline_proposal: awaitedOnly("declined"),
      cancel: { target: "cancelled", targets: ["cancelled"], by: "either_party" },
    },
  },
  negotiating: {
    // whoever did not make the last counter
    awaiting: "counter_party",
    on: {
      accept_proposal: awaitedOnly("accepted"),
      negotiate_amount: awaitedOnly("negotiating"),
      decline_proposal: awaitedOnly("declined"),
      cancel: { target: "cancelled", targets: ["cancelled"], by: "either_party" },
    },
  },
  accepted: {
    awaiting: "brand_owner",
    on: {
      pay: awaitedOnly("payment_pending"),
      cancel: { target: "cancelled", targets: ["cancelled"], by: "either_party" },
    },
  },
  declined: { awaiting: null, on: {} },
  payment_pending: {
    awaiting: "brand_owner",
    on: {
      payment_verified: { target: "paid", targets: ["paid"], by: "system" },
      cancel: { target: "cancelled", targets: ["cancelled"], by: "either_party" },
    },
  },
  paid: {
    awaiting: "influencer",
    on: {
      start_work: awaitedOnly("in_progress"),
      // before work starts either side may walk away: the escrow goes back to the brand
      cancel: { target: "cancelled", targets: ["cancelled"], by: "either_party" },
    },
  },
  in_progress: {
    awaiting: "influencer",
    on: {
      submit_deliverable: awaitedOnly("submitted"),
      open_dispute: { target: "disputed", targets: ["disputed"], by: "either_party" },
    },
  },
  submitted: {
    awaiting: "brand_owner",
    on: {
      approve: awaitedOnly("completed"),
      request_revision: awaitedOnly("revision_requested"),
      open_dispute: { target: "disputed", targets: ["disputed"], by: "either_party" },
    },
  },
  revision_requested: {
    awaiting: "influencer",
    on: {
      submit_deliverable: awaitedOnly("submitted"),
      open_dispute: { target: "disputed", targets: ["disputed"], by: "either_party" },
    },
  },
  completed: { awaiting: null, on: {} },
  cancelled: { awaiting: null, on: {} },
  disputed: {
    awaiting: "admin",
    on: {
      // all to the brand → cancelled; any share to the influencer → completed
      resolve_dispute: { target: (_s, e) => (Number(e.data?.influencer_amount ?? 0) > 0 ? "completed" : "cancelled"), targets: ["completed", "cancelled"], by: "admin" },
    },
  },
};

export const TERMINAL_STATES: FlowState[] = FLOW_STATES.filter((s) => Object.keys(FLOW_TABLE[s].on).length === 0);

export function initialSnapshot(p: { proposed_amount: number; min_amount: number; max_amount: number; fee_bps: number }): FlowSnapshot {
  if (p.proposed_amount < p.min_amount || p.proposed_amount > p.max_amount) {
    throw marketplaceErrors.amountOutOfRange(`The amount must be between ${p.min_amount} and ${p.max_amount} paise.`, { min_amount: p.min_amount, max_amount: p.max_amount });
  }
  return {
    state: "initial",
    awaiting_role: "brand_owner",
    version: 0,
    proposed_amount: p.proposed_amount,
    current_amount: p.proposed_amount,
    agreed_amount: null,
    min_amount: p.min_amount,
    max_amount: p.max_amount,
    counters: 0,
    last_counter_by: null,
    revisions: 0,
    deliverables: [],
    fee_bps: p.fee_bps,
    order_id: null,
    escrow: { status: "none", amount: 0, captured: 0, fee: 0, released: 0 },
    dispute: null,
  };
}

/** The platform's share of `amount`, rounded down (the influencer never gets less than shown). */
export function platformFee(amount: number, feeBps: number): number {
  return Math.floor((amount * feeBps) / 10_000);
}

function awaitingFor(state: FlowState, lastCounterBy: PartyRole | null): FlowRole | null {
  const a = FLOW_TABLE[state].awaiting;
  if (a !== "counter_party") return a;
  return lastCounterBy === "brand_owner" ? "influencer" : "brand_owner";
}

const isParty = (role: FlowRole): role is PartyRole => role === "brand_owner" || role === "influencer";

function mayAct(spec: TransitionSpec, s: FlowSnapshot, role: FlowRole): boolean {
  if (spec.by === "awaited") return role === s.awaiting_role;
  if (spec.by === "either_party") return isParty(role);
  return role === spec.by;
}

function intData(e: FlowEvent, key: string): number {
  const v = e.data?.[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw marketplaceErrors.invalidActionData(`${key} must be an integer (paise).`, { field: key });
  return v;
}

function textData(e: FlowEvent, key: string, { required, max }: { required: boolean; max: number }): string {
  const v = e.data?.[key];
  if (v === undefined && !required) return "";
  if (typeof v !== "string" || (required && v.trim() === "") || v.length > max) {
    throw marketplaceErrors.invalidActionData(`${key} must be ${required ? "a non-empty" : "a"} string of at most ${max} characters.`, { field: key });
  }
  return v;
}

function urlData(e: FlowEvent, key: string): string {
  const v = textData(e, key, { required: true, max: 2048 });
  if (!/^https?:\/\/\S+$/i.test(v)) throw marketplaceErrors.invalidActionData(`${key} must be an http(s) URL.`, { field: key });
  return v;
}

/**
 * Apply one action. Refusals, in this order: `invalid_transition` (409, the state has no such
 * action), `not_your_turn` (403, the role may not fire it now), then the guards with their codes.
 */
export function applyFlowAction(s: FlowSnapshot, e: FlowEvent): FlowResult {
  const spec = FLOW_TABLE[s.state].on[e.action];
  if (!spec) throw marketplaceErrors.invalidTransition(e.action, s.state, { state: s.state, action: e.action });
  if (!mayAct(spec, s, e.role)) {
    throw marketplaceErrors.notYourTurn(e.action, s.awaiting_role ?? "nobody", { state: s.state, awaiting_role: s.awaiting_role, role: e.role });
  }
  const next: FlowSnapshot = { ...s, deliverables: [...s.deliverables], escrow: { ...s.escrow } };
  const effects: FlowEffect[] = [];
  switch (e.action) {
    case "accept_proposal":
      next.agreed_amount = s.current_amount;
      break;
    case "negotiate_amount": {
      if (s.counters >= MAX_COUNTERS) throw marketplaceErrors.counterLimitReached(MAX_COUNTERS, { max: MAX_COUNTERS });
      const amount = intData(e, "amount");
      if (amount < s.min_amount || amount > s.max_amount) {
        throw marketplaceErrors.amountOutOfRange(`The amount must be between ${s.min_amount} and ${s.max_amount} paise.`, { min_amount: s.min_amount, max_amount: s.max_amount, amount });
      }
      textData(e, "reasoning", { required: false, max: 1000 });
      next.current_amount = amount;
      next.counters = s.counters + 1;
      next.last_counter_by = e.role as PartyRole;
      break;
    }
    case "decline_proposal":
    case "start_work":
      break;
    case "pay":
      effects.push({ type: "create_order", amount: s.agreed_amount! });
      break;
    case "payment_verified":
      next.escrow = { status: "held", amount: s.agreed_amount!, captured: 0, fee: 0, released: 0 };
      effects.push({ type: "hold_escrow", amount: s.agreed_amount! });
      break;
    case "submit_deliverable":
      next.deliverables.push({ url: urlData(e, "url"), note: textData(e, "note", { required: false, max: 2000 }), at: e.at });
      break;
    case "request_revision":
      if (s.revisions >= MAX_REVISIONS) throw marketplaceErrors.revisionLimitReached(MAX_REVISIONS, { max: MAX_REVISIONS });
      textData(e, "note", { required: true, max: 2000 });
      next.revisions = s.revisions + 1;
      break;
    case "approve":
      capture(next, s.escrow.amount, effects);
      break;
    case "cancel":
      if (s.escrow.status === "held") release(next, effects);
      break;
    case "open_dispute":
      next.dispute = { opened_by: e.role as PartyRole, reason: textData(e, "reason", { required: true, max: 2000 }) };
      break;
    case "resolve_dispute": {
      const share = intData(e, "influencer_amount");
      if (share < 0 || share > s.escrow.amount) {
        throw marketplaceErrors.amountOutOfRange(`influencer_amount must be between 0 and ${s.escrow.amount} paise.`, { min_amount: 0, max_amount: s.escrow.amount });
      }
      if (share === 0) release(next, effects);
      else capture(next, share, effects);
      break;
    }
  }
  next.state = typeof spec.target === "function" ? spec.target(s, e) : spec.target;
  next.awaiting_role = awaitingFor(next.state, next.last_counter_by);
  next.version = s.version + 1;
  return { from: s.state, next, effects };
}

/** Capture `share` of the escrow to the influencer (less the fee); the rest goes back to the brand. */
function capture(next: FlowSnapshot, share: number, effects: FlowEffect[]): void {
  const fee = platformFee(share, next.fee_bps);
  const rest = next.escrow.amount - share;
  next.escrow = { ...next.escrow, status: rest > 0 ? "split" : "captured", captured: share - fee, fee, released: rest };
  effects.push({ type: "capture_escrow", to_influencer: share - fee, fee, release: rest });
}

function release(next: FlowSnapshot, effects: FlowEffect[]): void {
  next.escrow = { ...next.escrow, status: "released", released: next.escrow.amount };
  effects.push({ type: "release_escrow", amount: next.escrow.amount });
}

/** The states an action can lead to from `state` (the message's `flow_context.next_states`). */
export function nextStates(state: FlowState): FlowState[] {
  return [...new Set(Object.values(FLOW_TABLE[state].on).flatMap((t) => t!.targets))];
}

/** Who may fire `action` in `state` (for printing and for the buttons). */
export function actorsOf(state: FlowState, action: FlowAction): string | null {
  const spec = FLOW_TABLE[state].on[action];
  if (!spec) return null;
  return spec.by === "awaited" ? "awaited role" : spec.by.replace("_", " ");
}

/** The table as rows: `state | awaiting | action | by | next`. */
export function flowTableRows(): Array<{ state: FlowState; awaiting: string; action: FlowAction; by: string; next: string }> {
  return FLOW_STATES.flatMap((state) =>
    Object.entries(FLOW_TABLE[state].on).map(([action, spec]) => ({
      state,
      awaiting: String(FLOW_TABLE[state].awaiting ?? "—"),
      action: action as FlowAction,
      by: actorsOf(state, action as FlowAction)!,
      next: spec!.targets.join(" / "),
    })),
  );
}

/** The table as Markdown (the README's copy is generated by `npm run print:negotiation`). */
export function printFlowTable(): string {
  const lines = ["| state | awaiting | action | who may act | next state |", "|---|---|---|---|---|"];
  for (const r of flowTableRows()) lines.push(`| ${r.state} | ${r.awaiting} | ${r.action} | ${r.by} | ${r.next} |`);
  for (const s of TERMINAL_STATES) lines.push(`| ${s} | — | (terminal) | — | — |`);
  return lines.join("\n");
}

if (require.main === module) console.log(printFlowTable());
