import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";

/**
 * State of the `negotiation` room: one conversation (a deal's automated flow, or a direct chat).
 * Everyone in the room (the two parties, admins) shares it. Written only by
 * `schema/negotiation.mapper.ts` from what the store holds; amounts are integer paise, times epoch ms.
 * A message's buttons are actionable for a client when `forRole` is that client's role and
 * `flowVersion` equals the state's `version` (the server enforces the same).
 */
export class ButtonState extends Schema {
  @type("string") id = "";
  @type("string") text = "";
  @type("string") action = "";
  @type("string") style = "";
  /** the button's `data` as JSON ("" when none) — what to send back in `action.data` */
  @type("string") data = "";
}

export class InputFieldState extends Schema {
  @type("string") id = "";
  @type("string") label = "";
  @type("string") type = "";
  @type("string") placeholder = "";
  @type("boolean") required = false;
}

export class MessageState extends Schema {
  @type("string") id = "";
  @type("string") senderId = "";
  @type("string") receiverId = "";
  @type("string") text = "";
  /** user | system | automated */
  @type("string") messageType = "";
  @type("string") mediaUrl = "";
  @type("boolean") actionRequired = false;
  @type("string") forRole = "";
  /** the flow version the message was posted at; -1 for user messages */
  @type("number") flowVersion = -1;
  @type([ButtonState]) buttons = new ArraySchema<ButtonState>();
  @type([InputFieldState]) inputFields = new ArraySchema<InputFieldState>();
  @type("string") currentState = "";
  @type(["string"]) nextStates = new ArraySchema<string>();
  @type("boolean") seen = false;
  @type("number") createdAt = 0;
}

export class DeliverableState extends Schema {
  @type("string") url = "";
  @type("string") note = "";
  @type("string") at = "";
}

export class FlowDataState extends Schema {
  @type("string") title = "";
  @type("number") proposedAmount = 0;
  @type("number") currentAmount = 0;
  /** -1 until agreed */
  @type("number") agreedAmount = -1;
  @type("number") minAmount = 0;
  @type("number") maxAmount = 0;
  @type("number") counters = 0;
  @type("number") maxCounters = 0;
  @type("number") revisions = 0;
  @type("number") maxRevisions = 0;
  @type("number") feeBps = 0;
  @type("string") orderId = "";
  @type([DeliverableState]) deliverables = new ArraySchema<DeliverableState>();
}

export class EscrowState extends Schema {
  /** none | held | captured | released | split */
  @type("string") status = "none";
  @type("number") amount = 0;
  /** to the influencer (after the fee) */
  @type("number") captured = 0;
  @type("number") fee = 0;
  /** back to the brand */
  @type("number") released = 0;
}

export class NegotiationRoomState extends Schema {
  @type("string") conversationId = "";
  /** direct | automated | completed */
  @type("string") chatStatus = "";
  @type("string") brandOwnerId = "";
  @type("string") influencerId = "";
  @type("string") flowState = "";
  @type("string") awaitingRole = "";
  @type("number") version = 0;
  @type(FlowDataState) flowData = new FlowDataState();
  @type(EscrowState) escrow = new EscrowState();
  /** the last 50 messages, oldest first */
  @type([MessageState]) messages = new ArraySchema<MessageState>();
  /** userId → true while typing */
  @type({ map: "boolean" }) typing = new MapSchema<boolean>();
  /** userId → the last message id that user has seen */
  @type({ map: "string" }) lastSeen = new MapSchema<string>();
}
