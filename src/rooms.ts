import { defineRoom } from "@colyseus/core";
import { StoryRoom } from "../rooms/story.room";
import { NegotiationRoom } from "../rooms/negotiation.room";

/** Room registry: every room the server offers, by the name clients join. */
export const rooms = {
  // one room per author: joinOrCreate("story", { authorId }) lands everyone watching that reel together
  story: defineRoom(StoryRoom).filterBy(["authorId"]),
  // one room per conversation: joinOrCreate("negotiation", { conversationId }) — its two parties and admins
  negotiation: defineRoom(NegotiationRoom).filterBy(["conversationId"]),
};
