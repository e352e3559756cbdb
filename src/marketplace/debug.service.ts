import { ConversationModel } from "../messaging/conversation.model";
import { MessageModel } from "../messaging/message.model";
import { conversationJson, loadConversation } from "../messaging/messaging.service";
import { messagingErrors } from "../messaging/messaging.errors";

/** Admin debug views (seed 002 §11.2): the stored rows as they are, with a few counts. */
export async function getConversationDebug(id: string) {
  const c = await loadConversation(id);
  const [messages, unseen, deleted] = await Promise.all([
    MessageModel.countDocuments({ conversation_id: id }),
    MessageModel.countDocuments({ conversation_id: id, seen: false, deleted_at: null }),
    MessageModel.countDocuments({ conversation_id: id, deleted_at: { $ne: null } }),
  ]);
  return { conversation: { ...conversationJson(c), last_seen: c.last_seen }, counts: { messages, unseen, deleted } };
}

export async function getMessageDebug(id: string) {
  const m = await MessageModel.findById(id).lean<Record<string, any>>();
  if (!m) throw messagingErrors.messageNotFound();
  const exists = await ConversationModel.exists({ _id: m.conversation_id });
  return { message: { ...m, id: String(m._id), _id: undefined }, conversation_exists: Boolean(exists) };
}
