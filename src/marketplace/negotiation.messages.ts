import { FLOW_TABLE, MAX_COUNTERS, MAX_REVISIONS, nextStates, type FlowAction, type FlowRole, type FlowSnapshot, type FlowState } from "./negotiation.machine";

/**
 * The automated message each state posts (seed 002 §5.3 shapes): text, the awaited role's buttons
 * and input fields, and the flow context. Content is data; `automatedMessageFor` only fills amounts.
 */
export interface ActionButton {
  id: string;
  text: string;
  action: FlowAction;
  style: "primary" | "success" | "danger" | "warning" | "info";
  data?: Record<string, unknown>;
}
export interface InputField {
  id: string;
  label: string;
  type: "text" | "number" | "email" | "textarea";
  placeholder?: string;
  required?: boolean;
}
export interface AutomatedMessage {
  message: string;
  message_type: "automated";
  action_required: boolean;
  /** whose buttons these are; only that role's clients may act on them */
  for_role: FlowRole | null;
  action_data: { buttons: ActionButton[]; input_fields: InputField[] };
  flow_context: {
    current_state: FlowState;
    next_states: FlowState[];
    business_rules: { can_negotiate: boolean; min_amount: number; max_amount: number; counters_left: number; revisions_left: number };
  };
}

/** Text inputs (`text-input {input_type, values}`) and the action each one fires. */
export const INPUT_TYPES = {
  negotiation_amount: { action: "negotiate_amount", fields: { amount: "proposed_amount", reasoning: "reasoning" } },
  deliverable: { action: "submit_deliverable", fields: { url: "url", note: "note" } },
  revision: { action: "request_revision", fields: { note: "note" } },
  dispute: { action: "open_dispute", fields: { reason: "reason" } },
  dispute_resolution: { action: "resolve_dispute", fields: { influencer_amount: "influencer_amount" } },
} as const satisfies Record<string, { action: FlowAction; fields: Record<string, string> }>;
export type InputType = keyof typeof INPUT_TYPES;

const rupees = (paise: number) => `₹${(paise / 100).toFixed(2)}`;

const FIELDS = {
  amount: { id: "proposed_amount", label: "Your amount (paise)", type: "number", placeholder: "e.g. 450000", required: true },
  reasoning: { id: "reasoning", label: "Why this amount", type: "textarea", placeholder: "Based on market rates and campaign scope", required: false },
  url: { id: "url", label: "Deliverable link", type: "text", placeholder: "https://…", required: true },
  note: { id: "note", label: "Note", type: "textarea", required: false },
  revisionNote: { id: "note", label: "What should change", type: "textarea", required: true },
  reason: { id: "reason", label: "What went wrong", type: "textarea", required: true },
  share: { id: "influencer_amount", label: "Influencer's share (paise)", type: "number", required: true },
} satisfies Record<string, InputField>;

interface StateContent {
  text: (s: FlowSnapshot) => string;
  buttons: (s: FlowSnapshot) => ActionButton[];
  inputs?: InputField[];
}

const negotiationButtons = (s: FlowSnapshot): ActionButton[] => [
  { id: "accept_proposal", text: "Accept Proposal", action: "accept_proposal", style: "success", data: { amount: s.current_amount } },
  ...(s.counters < MAX_COUNTERS ? [{ id: "negotiate", text: "Negotiate Amount", action: "negotiate_amount", style: "primary" } as ActionButton] : []),
  { id: "decline", text: "Decline", action: "decline_proposal", style: "danger" },
];

const CONTENT: Record<FlowState, StateContent> = {
  initial: {
    text: (s) => `Welcome to the automated negotiation flow! The influencer proposes ${rupees(s.current_amount)}.`,
    buttons: negotiationButtons,
    inputs: [FIELDS.amount, FIELDS.reasoning],
  },
  negotiating: {
    text: (s) => `Counter offer: ${rupees(s.current_amount)} (${s.counters} of ${MAX_COUNTERS} counters used).`,
    buttons: negotiationButtons,
    inputs: [FIELDS.amount, FIELDS.reasoning],
  },
  accepted: {
    text: (s) => `Great! ${rupees(s.agreed_amount!)} is agreed. The brand pays it into escrow to start.`,
    buttons: (s) => [{ id: "pay", text: "Proceed to Payment", action: "pay", style: "success", data: { amount: s.agreed_amount } }],
  },
  declined: { text: () => "The proposal was declined. This negotiation is closed.", buttons: () => [] },
  payment_pending: {
    text: (s) => `A payment of ${rupees(s.agreed_amount!)} is awaiting completion (order ${s.order_id ?? "pending"}).`,
    buttons: () => [],
  },
  paid: {
    text: (s) => `Payment received: ${rupees(s.escrow.amount)} is held in escrow. The influencer can start work.`,
    buttons: () => [{ id: "start_work", text: "Start Work", action: "start_work", style: "primary" }],
  },
  in_progress: {
    text: () => "Work is in progress. Submit the deliverable when it is ready.",
    buttons: () => [{ id: "submit_deliverable", text: "Submit Deliverable", action: "submit_deliverable", style: "primary" }],
    inputs: [FIELDS.url, FIELDS.note],
  },
  submitted: {
    text: (s) => `A deliverable was submitted: ${s.deliverables.at(-1)?.url ?? ""}. Approve to release the payment, or ask for a revision.`,
    buttons: (s) => [
      { id: "approve", text: "Approve & Release Payment", action: "approve", style: "success" },
      ...(s.revisions < MAX_REVISIONS ? [{ id: "request_revision", text: "Request Revision", action: "request_revision", style: "warning" } as ActionButton] : []),
    ],
    inputs: [FIELDS.revisionNote],
  },
  revision_requested: {
    text: (s) => `A revision was requested (${s.revisions} of ${MAX_REVISIONS}). Submit the revised deliverable.`,
    buttons: () => [{ id: "submit_deliverable", text: "Submit Revision", action: "submit_deliverable", style: "primary" }],
    inputs: [FIELDS.url, FIELDS.note],
  },
  completed: {
    text: (s) => `Deal complete: ${rupees(s.escrow.captured)} paid to the influencer (platform fee ${rupees(s.escrow.fee)}${s.escrow.released ? `, ${rupees(s.escrow.released)} returned to the brand` : ""}).`,
    buttons: () => [],
  },
  cancelled: {
    text: (s) => (s.escrow.released > 0 ? `The deal was cancelled; ${rupees(s.escrow.released)} was returned to the brand.` : "The deal was cancelled."),
    buttons: () => [],
  },
  disputed: {
    text: (s) => `A dispute was opened by the ${s.dispute?.opened_by === "brand_owner" ? "brand" : "influencer"}: ${s.dispute?.reason ?? ""}. An admin will resolve it.`,
    buttons: (s) => [
      { id: "resolve_for_brand", text: "Refund the Brand", action: "resolve_dispute", style: "danger", data: { influencer_amount: 0 } },
      { id: "resolve_for_influencer", text: "Pay the Influencer", action: "resolve_dispute", style: "success", data: { influencer_amount: s.escrow.amount } },
    ],
    inputs: [FIELDS.share],
  },
};

export function automatedMessageFor(s: FlowSnapshot): AutomatedMessage {
  const content = CONTENT[s.state];
  const buttons = content.buttons(s);
  const inputs = content.inputs ?? [];
  const canNegotiate = FLOW_TABLE[s.state].on.negotiate_amount !== undefined && s.counters < MAX_COUNTERS;
  return {
    message: content.text(s),
    message_type: "automated",
    action_required: buttons.length > 0 || inputs.length > 0,
    for_role: s.awaiting_role,
    action_data: { buttons, input_fields: inputs },
    flow_context: {
      current_state: s.state,
      next_states: nextStates(s.state),
      business_rules: {
        can_negotiate: canNegotiate,
        min_amount: s.min_amount,
        max_amount: s.max_amount,
        counters_left: MAX_COUNTERS - s.counters,
        revisions_left: MAX_REVISIONS - s.revisions,
      },
    },
  };
}

/** A text input becomes the action it stands for, with its values renamed to the action's data. */
export function actionOfInput(inputType: InputType, values: Record<string, unknown>): { action: FlowAction; data: Record<string, unknown> } {
  const spec = INPUT_TYPES[inputType];
  const data: Record<string, unknown> = {};
  for (const [dataKey, valueKey] of Object.entries(spec.fields)) if (values[valueKey] !== undefined) data[dataKey] = values[valueKey];
  return { action: spec.action, data };
}
