import { ArraySchema } from "@colyseus/schema";
import type { MessageJson } from "../src/messaging/messaging.service";
import type { FlowSnapshot } from "../src/marketplace/negotiation.machine";
import { MAX_COUNTERS, MAX_REVISIONS } from "../src/marketplace/negotiation.machine";
import type { ActionButton, AutomatedMessage, InputField } from "../src/marketplace/negotiation.messages";
import { ButtonState, DeliverableState, InputFieldState, MessageState, type NegotiationRoomState } from "./negotiation.state";

/** What the room shows, as the store holds it (messaging.service `loadRoomView`). */
export interface NegotiationView {
  conversation: {
    id: string;
    chat_status: string;
    brand_owner_id: string;
    influencer_id: string;
    flow_state: string | null;
    awaiting_role: string | null;
    version: number;
    flow_data: (FlowSnapshot & { title?: string }) | null;
    last_seen: Record<string, string>;
  };
  messages: MessageJson[];
}

/** Store → state, one direction. Scalars are assigned (unchanged ones send nothing). */
export function writeNegotiation(state: NegotiationRoomState, v: NegotiationView): void {
  const c = v.conversation;
  state.conversationId = c.id;
  state.chatStatus = c.chat_status;
  state.brandOwnerId = c.brand_owner_id;
  state.influencerId = c.influencer_id;
  state.flowState = c.flow_state ?? "";
  state.awaitingRole = c.awaiting_role ?? "";
  state.version = c.version;
  const f = c.flow_data;
  if (f) {
    const d = state.flowData;
    d.title = f.title ?? "";
    d.proposedAmount = f.proposed_amount;
    d.currentAmount = f.current_amount;
    d.agreedAmount = f.agreed_amount ?? -1;
    d.minAmount = f.min_amount;
    d.maxAmount = f.max_amount;
    d.counters = f.counters;
    d.maxCounters = MAX_COUNTERS;
    d.revisions = f.revisions;
    d.maxRevisions = MAX_REVISIONS;
    d.feeBps = f.fee_bps;
    d.orderId = f.order_id ?? "";
    if (d.deliverables.length !== f.deliverables.length) {
      d.deliverables = new ArraySchema(...f.deliverables.map((x) => Object.assign(new DeliverableState(), x)));
    }
    Object.assign(state.escrow, { status: f.escrow.status, amount: f.escrow.amount, captured: f.escrow.captured, fee: f.escrow.fee, released: f.escrow.released });
  }
  writeMessages(state, v.messages);
  for (const [userId, messageId] of Object.entries(c.last_seen ?? {})) if (state.lastSeen.get(userId) !== messageId) state.lastSeen.set(userId, messageId);
}

function writeMessages(state: NegotiationRoomState, messages: MessageJson[]): void {
  const same = state.messages.length === messages.length && messages.every((m, i) => state.messages.at(i)?.id === m.id);
  if (same) {
    messages.forEach((m, i) => (state.messages.at(i)!.seen = m.seen));
    return;
  }
  state.messages.clear();
  for (const m of messages) state.messages.push(messageStateOf(m));
}

export function messageStateOf(m: MessageJson): MessageState {
  const s = new MessageState();
  s.id = m.id;
  s.senderId = m.sender_id ?? "";
  s.receiverId = m.receiver_id ?? "";
  s.text = m.message;
  s.messageType = m.message_type;
  s.mediaUrl = m.media_url ?? "";
  s.forRole = m.for_role ?? "";
  s.flowVersion = m.flow_version ?? -1;
  s.seen = m.seen;
  s.createdAt = Date.parse(m.created_at);
  const actionData = m.action_data as AutomatedMessage["action_data"] | null;
  const context = m.flow_context as AutomatedMessage["flow_context"] | null;
  // stored flag: the message asked for an action when posted (who may act is forRole + flowVersion)
  s.actionRequired = Boolean(actionData && (actionData.buttons.length > 0 || actionData.input_fields.length > 0));
  for (const b of actionData?.buttons ?? []) s.buttons.push(buttonStateOf(b));
  for (const f of actionData?.input_fields ?? []) s.inputFields.push(inputStateOf(f));
  s.currentState = context?.current_state ?? "";
  for (const n of context?.next_states ?? []) s.nextStates.push(n);
  return s;
}

function buttonStateOf(b: ActionButton): ButtonState {
  return Object.assign(new ButtonState(), { id: b.id, text: b.text, action: b.action, style: b.style, data: b.data ? JSON.stringify(b.data) : "" });
}

function inputStateOf(f: InputField): InputFieldState {
  return Object.assign(new InputFieldState(), { id: f.id, label: f.label, type: f.type, placeholder: f.placeholder ?? "", required: f.required ?? false });
}
