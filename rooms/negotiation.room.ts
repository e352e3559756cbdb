import { AppRoom } from "../src/realtime/app-room";
import { principalOf, roomJoin, userIdOf, type SignedInClient } from "../src/realtime/room-auth";
import { roomMessages } from "../src/realtime/room-messages";
import { subscribe } from "../src/realtime/events";
import { NOTIFICATION_MESSAGE_DOC, subscribeClientToNotifications } from "../src/realtime/notification-bridge";
import { logger } from "../src/logger";
import type { Principal } from "../src/auth/roles";
import * as messaging from "../src/messaging/messaging.service";
import { conversationTopic, type ConversationEvent } from "../src/messaging/messaging.service";
import * as negotiation from "../src/marketplace/negotiation.service";
import * as msg from "../src/marketplace/negotiation.schemas";
import { NegotiationRoomState } from "../schema/negotiation.state";
import { writeNegotiation } from "../schema/negotiation.mapper";

/**
 * `negotiation`: one room per conversation (a deal's automated flow or a direct chat), for its two
 * parties and admins. Every action goes through the negotiation / messaging services (the same
 * functions as REST), which persist before answering; the state is reloaded from the store after
 * every change published on the conversation's topic, so the room can be disposed and rebuilt on
 * any process at any time. Typing is the only thing the room keeps itself (it is not stored).
 */
type NegotiationClient = SignedInClient;

const join = roomJoin(msg.negotiationJoinOptions, msg.NEGOTIATION_JOIN_HINT);

export class NegotiationRoom extends AppRoom<{ state: NegotiationRoomState; metadata: { conversationId: string }; client: NegotiationClient }> {
  private conversationId = "";
  /** reloads run one after another, each reading the store afresh */
  private reloads: Promise<void> = Promise.resolve();

  /** Documentation (see src/realtime/room-docs.ts): what joining takes, what arrives, the state. */
  static readonly joinOptions = join.schema;
  static readonly stateClass = NegotiationRoomState;
  static readonly messagesOut = {
    new_message: "a message from the other party: `{ id, senderId, text, mediaUrl, createdAt }`",
    notification: NOTIFICATION_MESSAGE_DOC,
  };

  static override onAuth(token: string, options: unknown): Promise<Principal> {
    return join.admit(token, options, async (principal, { conversationId }) => {
      await messaging.conversationFor(principal, conversationId); // not a party (nor admin): conversation_not_found
      return principal;
    });
  }

  override messages = roomMessages<NegotiationClient>()({
    // `version` defaults to the one this room shows: a click on what the client saw, or stale_flow_state
    action: {
      schema: msg.actionMessage,
      handle: async (client, { action, data, version }) =>
        this.answer(await negotiation.applyNegotiationAction(principalOf(client), this.conversationId, action, data ?? {}, version ?? this.state.version)),
    },
    input: {
      schema: msg.inputMessage,
      handle: async (client, { inputType, values, version }) =>
        this.answer(await negotiation.submitNegotiationInput(principalOf(client), this.conversationId, inputType, values, version ?? this.state.version)),
    },
    message: {
      schema: msg.chatMessage,
      handle: async (client, { text, mediaUrl }) => {
        const sent = await messaging.sendMessage(principalOf(client), this.conversationId, { message: text, media_url: mediaUrl });
        this.setTyping(userIdOf(client), false);
        return { id: sent.id };
      },
    },
    typing: {
      schema: msg.typingMessage,
      handle: (client, { on }) => this.setTyping(userIdOf(client), on),
    },
    seen: {
      schema: msg.seenMessage,
      handle: async (client, { messageId }) => messaging.markSeen(principalOf(client), this.conversationId, messageId),
    },
  });

  override async onCreate(options: unknown): Promise<void> {
    this.conversationId = join.parse(options).conversationId;
    await this.createKeyed(this.conversationId, { conversationId: this.conversationId }, async () => {
      this.state = new NegotiationRoomState();
      this.holdUntilDispose(subscribe<ConversationEvent>(conversationTopic(this.conversationId), (e) => this.onConversationEvent(e)));
      // money a crash left half-applied is settled before anyone sees the deal
      await negotiation.recoverConversation(await messaging.loadConversation(this.conversationId));
      await this.reload();
    });
  }

  override onJoin(client: NegotiationClient): void {
    this.clientSubscriptions.add(client, subscribeClientToNotifications(client, userIdOf(client)));
  }

  override onLeave(client: NegotiationClient): void {
    super.onLeave(client);
    if (!this.clients.some((c) => c !== client && userIdOf(c) === userIdOf(client))) this.setTyping(userIdOf(client), false);
  }

  /** A successful action is answered once the room shows its result. */
  private async answer(out: negotiation.TransitionOutcome) {
    await this.reload();
    return { flowState: out.next_flow_state, awaitingRole: out.awaiting_role, version: out.conversation.version, ...(out.order && { order: out.order }) };
  }

  private setTyping(userId: string, on: boolean): void {
    if (on) this.state.typing.set(userId, true);
    else this.state.typing.delete(userId);
  }

  private onConversationEvent(e: ConversationEvent): void {
    this.reload()
      .then(() => {
        if (e.type !== "message") return;
        // live delivery to the other side only: the sender's own clients already have it
        const sent = this.state.messages.find((m) => m.id === e.message_id);
        if (!sent) return;
        for (const c of this.clients) if (userIdOf(c) !== e.sender_id) c.send("new_message", { id: sent.id, senderId: sent.senderId, text: sent.text, mediaUrl: sent.mediaUrl, createdAt: sent.createdAt });
      })
      .catch((err: unknown) => logger.warn({ err, conversationId: this.conversationId }, "negotiation reload failed"));
  }

  private reload(): Promise<void> {
    this.reloads = this.reloads.catch(() => undefined).then(async () => writeNegotiation(this.state, await messaging.loadRoomView(this.conversationId)));
    return this.reloads;
  }
}
