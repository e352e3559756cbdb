import type { ClientSession } from "mongoose";
import { findUserById, findUsersByIds } from "../auth/user.repository";
import { hasRole, type Principal } from "../auth/roles";
import { publish } from "../realtime/events";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { isObjectIdString } from "../shared/ids";
import { ConversationModel } from "./conversation.model";
import { MessageModel } from "./message.model";
import { messagingErrors } from "./messaging.errors";
import { marketplaceErrors } from "../marketplace/marketplace.errors";
import { authErrors } from "../auth/auth.errors";

/**
 * Conversations and messages: access (the two parties and admins), lists, direct messages, seen /
 * unread, deletion. The negotiation service writes automated messages through `insertMessages`.
 * Every change is published on `conversationTopic(id)` after it is stored; the `negotiation` room
 * of that conversation (on any process) reloads from the store.
 */
export const conversationTopic = (id: string) => `conversations:${id}`;

export type ConversationEvent =
  | { type: "changed"; conversation_id: string }
  | { type: "message"; conversation_id: string; message_id: string; sender_id: string | null }
  | { type: "deleted"; conversation_id: string; message_id: string };

export function publishConversation(e: ConversationEvent): void {
  publish(conversationTopic(e.conversation_id), e);
}

export type ConversationRole = "brand_owner" | "influencer" | "admin";
type Row = Record<string, any>;

export interface ConversationRow {
  _id: unknown;
  campaign_id: string | null;
  bid_id: string | null;
  request_id: string | null;
  brand_owner_id: string;
  influencer_id: string;
  chat_status: "direct" | "automated" | "completed";
  flow_state: string | null;
  awaiting_role: string | null;
  flow_data: any;
  version: number;
  automation_enabled: boolean;
  payment_required: boolean;
  payment_completed: boolean;
  last_seen: Record<string, string>;
  last_message_at: Date;
  created_at: Date;
  updated_at: Date;
}

export async function loadConversation(id: string): Promise<ConversationRow> {
  const row = isObjectIdString(id) ? await ConversationModel.findById(id).lean<ConversationRow>() : null;
  if (!row) throw messagingErrors.conversationNotFound();
  return row;
}

/** The caller's side of a conversation; anyone else is told it does not exist. */
export function roleIn(who: Principal, c: Pick<ConversationRow, "brand_owner_id" | "influencer_id">): ConversationRole {
  if (c.brand_owner_id === who.userId) return "brand_owner";
  if (c.influencer_id === who.userId) return "influencer";
  if (hasRole(who, "admin")) return "admin";
  throw messagingErrors.conversationNotFound();
}

export async function conversationFor(who: Principal, id: string): Promise<{ conversation: ConversationRow; role: ConversationRole }> {
  const conversation = await loadConversation(id);
  return { conversation, role: roleIn(who, conversation) };
}

export interface MessageJson {
  id: string;
  conversation_id: string;
  sender_id: string | null;
  receiver_id: string | null;
  message: string;
  message_type: "user" | "system" | "automated";
  /** true only for the viewer whose role the buttons are for, while the flow is still at this step */
  action_required: boolean;
  action_data: unknown;
  flow_context: unknown;
  for_role: string | null;
  flow_version: number | null;
  media_url: string | null;
  seen: boolean;
  created_at: string;
}

export function toMessageJson(m: Row, viewer?: { role: ConversationRole; version: number }): MessageJson {
  const live = m.message_type === "automated" && m.flow_version === viewer?.version;
  return {
    id: String(m._id),
    conversation_id: m.conversation_id,
    sender_id: m.sender_id,
    receiver_id: m.receiver_id,
    message: m.message,
    message_type: m.message_type,
    action_required: Boolean(m.action_required && live && (viewer?.role === m.for_role || (viewer?.role === "admin" && m.for_role === "admin"))),
    action_data: m.action_data,
    flow_context: m.flow_context,
    for_role: m.for_role,
    flow_version: m.flow_version,
    media_url: m.media_url,
    seen: m.seen,
    created_at: m.created_at.toISOString(),
  };
}

export function conversationJson(c: ConversationRow) {
  return {
    id: String(c._id),
    campaign_id: c.campaign_id,
    bid_id: c.bid_id,
    request_id: c.request_id,
    brand_owner_id: c.brand_owner_id,
    influencer_id: c.influencer_id,
    chat_status: c.chat_status,
    flow_state: c.flow_state,
    awaiting_role: c.awaiting_role,
    flow_data: c.flow_data,
    version: c.version,
    automation_enabled: c.automation_enabled,
    payment_required: c.payment_required,
    payment_completed: c.payment_completed,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
  };
}

export type NewMessage = {
  conversation_id: string;
  sender_id: string | null;
  receiver_id: string | null;
  message: string;
  message_type: "user" | "system" | "automated";
  action_required?: boolean;
  action_data?: unknown;
  flow_context?: unknown;
  for_role?: string | null;
  flow_version?: number | null;
  media_url?: string | null;
};

export async function insertMessages(messages: NewMessage[], session?: ClientSession): Promise<Row[]> {
  const now = clock.now();
  const docs = await MessageModel.create(
    messages.map((m) => ({ ...m, seen: false, created_at: now })),
    { session, ordered: true },
  );
  return docs.map((d) => d.toObject());
}

/** The other party of a conversation, for a party (admins get the influencer). */
const otherPartyOf = (c: ConversationRow, userId: string) => (c.brand_owner_id === userId ? c.influencer_id : c.brand_owner_id);

// ---- direct messages --------------------------------------------------------------------------

/** Open (or find) the direct conversation between a brand owner and an influencer. */
export async function openDirectConversation(who: Principal, otherUserId: string): Promise<{ conversation: ReturnType<typeof conversationJson>; is_existing: boolean }> {
  const other = await findUserById(otherUserId);
  if (!other || other.id === who.userId) throw authErrors.userNotFound();
  const me = hasRole(who, "brand_owner") ? "brand_owner" : hasRole(who, "influencer") ? "influencer" : null;
  const them = other.roles.includes("brand_owner") && me !== "brand_owner" ? "brand_owner" : other.roles.includes("influencer") && me !== "influencer" ? "influencer" : null;
  if (!me || !them || me === them) throw messagingErrors.directPairNotAllowed();
  const brand = me === "brand_owner" ? who.userId : other.id;
  const influencer = me === "influencer" ? who.userId : other.id;
  const key = `${brand}:${influencer}`;
  const existing = await ConversationModel.findOne({ direct_key: key }).lean<ConversationRow>();
  if (existing) return { conversation: conversationJson(existing), is_existing: true };
  const now = clock.now();
  try {
    const doc = await ConversationModel.create({ brand_owner_id: brand, influencer_id: influencer, chat_status: "direct", direct_key: key, last_message_at: now, created_at: now, updated_at: now });
    return { conversation: conversationJson(doc.toObject() as ConversationRow), is_existing: false };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const raced = await ConversationModel.findOne({ direct_key: key }).lean<ConversationRow>();
    return { conversation: conversationJson(raced!), is_existing: true };
  }
}

/** A user message in any conversation of the sender's (admins read, they do not post). */
export async function sendMessage(who: Principal, conversationId: string, body: { message: string; media_url?: string }): Promise<MessageJson> {
  const { conversation, role } = await conversationFor(who, conversationId);
  if (role === "admin") throw marketplaceErrors.notAParty("Only the two parties post in a conversation.");
  const [row] = await insertMessages([
    { conversation_id: conversationId, sender_id: who.userId, receiver_id: otherPartyOf(conversation, who.userId), message: body.message, message_type: "user", media_url: body.media_url ?? null },
  ]);
  await ConversationModel.updateOne({ _id: conversationId }, { $set: { last_message_at: row!.created_at, updated_at: row!.created_at } });
  publishConversation({ type: "message", conversation_id: conversationId, message_id: String(row!._id), sender_id: who.userId });
  return toMessageJson(row!, { role, version: conversation.version });
}

export type ConversationFilter = "all" | "direct" | "bids" | "campaigns";

export async function listConversations(who: Principal, filter: ConversationFilter, limit = 100) {
  const mine = { $or: [{ brand_owner_id: who.userId }, { influencer_id: who.userId }] };
  const kind: Record<string, unknown> =
    filter === "direct" ? { chat_status: "direct" } : filter === "bids" ? { bid_id: { $type: "string" } } : filter === "campaigns" ? { campaign_id: { $type: "string" } } : {};
  const rows = await ConversationModel.find({ ...mine, ...kind }).sort({ last_message_at: -1 }).limit(limit).lean<ConversationRow[]>();
  const others = new Map((await findUsersByIds(rows.map((c) => otherPartyOf(c, who.userId)))).map((u) => [u.id, u]));
  return Promise.all(
    rows.map(async (c) => {
      const last = await MessageModel.findOne({ conversation_id: String(c._id), deleted_at: null }).sort({ created_at: -1, _id: -1 }).lean<Row>();
      const unread = await MessageModel.countDocuments({ conversation_id: String(c._id), receiver_id: who.userId, seen: false, deleted_at: null });
      const other = others.get(otherPartyOf(c, who.userId));
      return {
        ...conversationJson(c),
        last_message: last ? { id: String(last._id), message: last.message, created_at: last.created_at.toISOString(), sender_id: last.sender_id, action_required: last.action_required } : null,
        other_user: other ? { id: other.id, name: other.display_name, role: c.brand_owner_id === other.id ? "brand_owner" : "influencer" } : null,
        unread_count: unread,
      };
    }),
  );
}

/** Messages, newest page first in time order; deleted messages are left out. */
export async function listMessages(who: Principal, conversationId: string, limit = 50): Promise<{ messages: MessageJson[]; conversation: ReturnType<typeof conversationJson> }> {
  const { conversation, role } = await conversationFor(who, conversationId);
  const rows = await MessageModel.find({ conversation_id: conversationId, deleted_at: null }).sort({ created_at: -1, _id: -1 }).limit(limit).lean<Row[]>();
  return { messages: rows.reverse().map((m) => toMessageJson(m, { role, version: conversation.version })), conversation: conversationJson(conversation) };
}

/**
 * Mark the caller's received messages seen, up to `messageId` (default: all). Records the last seen
 * message for the room's "seen" marks. Returns how many turned seen.
 */
export async function markSeen(who: Principal, conversationId: string, messageId?: string): Promise<{ marked: number; last_seen_message_id: string | null }> {
  const { role } = await conversationFor(who, conversationId);
  if (role === "admin") return { marked: 0, last_seen_message_id: null };
  let upTo: Row | null;
  if (messageId !== undefined) {
    upTo = isObjectIdString(messageId) ? await MessageModel.findOne({ _id: messageId, conversation_id: conversationId }).lean<Row>() : null;
    if (!upTo) throw messagingErrors.messageNotFound("No such message in this conversation.");
  } else {
    upTo = await MessageModel.findOne({ conversation_id: conversationId, deleted_at: null }).sort({ created_at: -1, _id: -1 }).lean<Row>();
  }
  if (!upTo) return { marked: 0, last_seen_message_id: null };
  const res = await MessageModel.updateMany({ conversation_id: conversationId, receiver_id: who.userId, seen: false, created_at: { $lte: upTo.created_at } }, { $set: { seen: true } });
  await ConversationModel.updateOne({ _id: conversationId }, { $set: { [`last_seen.${who.userId}`]: String(upTo._id) } });
  publishConversation({ type: "changed", conversation_id: conversationId });
  return { marked: res.modifiedCount, last_seen_message_id: String(upTo._id) };
}

export async function unreadCount(who: Principal): Promise<{ unread_count: number }> {
  return { unread_count: await MessageModel.countDocuments({ receiver_id: who.userId, seen: false, deleted_at: null }) };
}

/** Delete one's own message (automated ones belong to the flow and stay). */
export async function deleteMessage(who: Principal, messageId: string): Promise<void> {
  const m = isObjectIdString(messageId) ? await MessageModel.findById(messageId).lean<Row>() : null;
  if (!m || m.deleted_at) throw messagingErrors.messageNotFound();
  roleIn(who, await loadConversation(m.conversation_id));
  if (m.sender_id !== who.userId) throw messagingErrors.notYourMessage();
  const res = await MessageModel.updateOne({ _id: messageId, deleted_at: null }, { $set: { deleted_at: clock.now() } });
  if (res.modifiedCount === 0) throw messagingErrors.messageAlreadyDeleted();
  publishConversation({ type: "deleted", conversation_id: m.conversation_id, message_id: messageId });
}

export function assertMessageText(text: string): void {
  if (text.trim() === "") throw messagingErrors.invalidMessage();
}

/** How many messages a room keeps in its state (older ones are paged over REST). */
export const ROOM_MESSAGE_LIMIT = 50;

/** What the `negotiation` room shows: the conversation and its last messages, as stored. */
export async function loadRoomView(conversationId: string) {
  const c = await loadConversation(conversationId);
  const rows = await MessageModel.find({ conversation_id: conversationId, deleted_at: null }).sort({ created_at: -1, _id: -1 }).limit(ROOM_MESSAGE_LIMIT).lean<Row[]>();
  return {
    conversation: { ...conversationJson(c), last_seen: c.last_seen ?? {} },
    messages: rows.reverse().map((m) => toMessageJson(m)),
  };
}
