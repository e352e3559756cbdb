import { Router } from "express";
import { principalOf, requireAuth } from "../http/auth";
import { describeRoute, validate } from "../http/validate";
import * as negotiation from "../marketplace/negotiation.service";
import { buttonClickBody, conversationParams, messageParams, messagesQuery, openDirectBody, sendMessageBody, textInputBody } from "../marketplace/negotiation.schemas";
import * as messaging from "./messaging.service";
import {
  conversationListResponse,
  directConversationResponse,
  messageListResponse,
  negotiationStepResponse,
  seenResponse,
  sentMessageResponse,
  unreadCountResponse,
} from "./messaging.responses";

const dealStep = { 403: "`not_your_turn` or `not_a_party`.", 409: "`invalid_transition`, `stale_flow_state` (send the current `version`), `counter_limit_reached`, `not_a_negotiation`." } as const;

/** `/api/v1/messages` (seed 002 §5): conversations, direct messages and the automated flow's REST mirrors. */
export function messagingRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.post("/", validate({ body: sendMessageBody, example: { conversation_id: "665f1c2e8b3c4a0012345678", message: "Hi! Draft attached." }, response: sentMessageResponse, status: 201, summary: "Send a message in one of your conversations", errors: { 403: "`not_a_party`." } }), async (req, res) => {
    const b = res.locals.valid.body;
    res.status(201).json({ success: true, data: await messaging.sendMessage(principalOf(req), b.conversation_id, { message: b.message, media_url: b.media_url }) });
  });
  r.get("/unread-count", describeRoute({ response: unreadCountResponse, summary: "Your unread messages across conversations" }), async (req, res) => {
    res.json({ success: true, ...(await messaging.unreadCount(principalOf(req))) });
  });
  r.post("/conversations/direct", validate({ body: openDirectBody, example: { user_id: "665f1c2e8b3c4a0012345678" }, response: directConversationResponse, status: [201, 200], summary: "Open (or find) a direct conversation between a brand owner and an influencer", errors: { 403: "`direct_pair_not_allowed`.", 404: "`user_not_found`." } }), async (req, res) => {
    const out = await messaging.openDirectConversation(principalOf(req), res.locals.valid.body.user_id);
    res.status(out.is_existing ? 200 : 201).json({ success: true, ...out });
  });
  for (const filter of ["direct", "bids", "campaigns"] as const) {
    r.get(`/conversations/${filter}`, describeRoute({ response: conversationListResponse, summary: `Your ${filter} conversations, latest first` }), async (req, res) => {
      res.json({ success: true, conversations: await messaging.listConversations(principalOf(req), filter) });
    });
  }
  r.get("/conversations", describeRoute({ response: conversationListResponse, summary: "All your conversations, latest first" }), async (req, res) => {
    res.json({ success: true, conversations: await messaging.listConversations(principalOf(req), "all") });
  });
  r.get("/conversations/:id/messages", validate({ params: conversationParams, query: messagesQuery, response: messageListResponse, summary: "A conversation's messages (automated ones shaped for your role)", errors: { 403: "`not_a_party`." } }), async (req, res) => {
    const { conversation } = await messaging.conversationFor(principalOf(req), res.locals.valid.params.id);
    await negotiation.recoverConversation(conversation);
    res.json({ success: true, data: await messaging.listMessages(principalOf(req), res.locals.valid.params.id, res.locals.valid.query.limit) });
  });
  r.put("/conversations/:id/seen", validate({ params: conversationParams, response: seenResponse, summary: "Mark a conversation's messages seen" }), async (req, res) => {
    res.json({ success: true, ...(await messaging.markSeen(principalOf(req), res.locals.valid.params.id)) });
  });
  r.post("/conversations/:id/button-click", validate({ params: conversationParams, body: buttonClickBody, example: { action: "accept_proposal", version: 3 }, response: negotiationStepResponse, summary: "Take a negotiation action (a button of the automated flow)", errors: dealStep }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await negotiation.applyNegotiationAction(principalOf(req), res.locals.valid.params.id, b.action, b.data ?? {}, b.version);
    res.json({ success: true, message: "Action processed successfully", ...out });
  });
  r.post("/conversations/:id/text-input", validate({ params: conversationParams, body: textInputBody, example: { input_type: "negotiation_amount", values: { amount: 750000, reasoning: "two reels" }, version: 3 }, response: negotiationStepResponse, summary: "Submit a negotiation input (an amount, a deliverable link)", errors: dealStep }), async (req, res) => {
    const b = res.locals.valid.body;
    const out = await negotiation.submitNegotiationInput(principalOf(req), res.locals.valid.params.id, b.input_type, b.values, b.version);
    res.json({ success: true, message: "Input processed successfully", ...out });
  });
  r.delete("/:message_id", validate({ params: messageParams, status: 204, summary: "Delete a message you sent", errors: { 403: "`not_your_message`.", 409: "`message_already_deleted`." } }), async (req, res) => {
    await messaging.deleteMessage(principalOf(req), res.locals.valid.params.message_id);
    res.status(204).end();
  });
  return r;
}
