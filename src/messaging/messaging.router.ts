import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { validate } from "../http/validate";
import * as negotiation from "../marketplace/negotiation.service";
import { buttonClickBody, conversationParams, messageParams, messagesQuery, openDirectBody, sendMessageBody, textInputBody } from "../marketplace/negotiation.schemas";
import * as messaging from "./messaging.service";

/** `/api/v1/messages` (seed 002 §5): conversations, direct messages and the automated flow's REST mirrors. */
export function messagingRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.post("/", validate({ body: sendMessageBody }), async (req, res) => {
    const b = res.locals.valid.body;
    res.status(201).json({ success: true, data: await messaging.sendMessage(principalOf(req), b.conversation_id, { message: b.message, media_url: b.media_url }) });
  });
  r.get("/unread-count", async (req, res) => {
    res.json({ success: true, ...(await messaging.unreadCount(principalOf(req))) });
  });
  r.post("/conversations/direct", validate({ body: openDirectBody }), async (req, res) => {
    const out = await messaging.openDirectConversation(principalOf(req), res.locals.valid.body.user_id);
    res.status(out.is_existing ? 200 : 201).json({ success: true, ...out });
  });
  for (const filter of ["direct", "bids", "campaigns"] as const) {
    r.get(`/conversations/${filter}`, async (req, res) => {
      res.json({ success: true, conversations: await messaging.listConversations(principalOf(req), filter) });
    });
  }
  r.get("/conversations", async (req, res) => {
    res.json({ success: true, conversations: await messaging.listConversations(principalOf(req), "all") });
  });
  r.get("/conversations/:id/messages", validate({ params: conversationParams, query: messagesQuery }), async (req, res) => {
    const { conversation } = await messaging.conversationFor(principalOf(req), res.locals.valid.params.id);
    await negotiation.recoverConversation(conversation);
    res.json({ success: true, data: await messaging.listMessages(principalOf(req), res.locals.valid.params.id, res.locals.valid.query.limit) });
  });
  r.put("/conversations/:id/seen", validate({ params: conversationParams }), async (req, res) => {
    res.json({ success: true, ...(await messaging.markSeen(principalOf(req), res.locals.valid.params.id)) });
  });
  r.post("/conversations/:id/button-click", validate({ params: conversationParams, body: buttonClickBody }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await negotiation.applyNegotiationAction(principalOf(req), res.locals.valid.params.id, b.action, b.data ?? {}, b.version);
    res.json({ success: true, message: "Action processed successfully", ...out });
  });
  r.post("/conversations/:id/text-input", validate({ params: conversationParams, body: textInputBody }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await negotiation.submitNegotiationInput(principalOf(req), res.locals.valid.params.id, b.input_type, b.values, b.version);
    res.json({ success: true, message: "Input processed successfully", ...out });
  });
  r.delete("/:message_id", validate({ params: messageParams }), async (req, res) => {
    await messaging.deleteMessage(principalOf(req), res.locals.valid.params.message_id);
    res.status(204).end();
  });
  return r;
}
