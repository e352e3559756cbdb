import { defineRoom } from "@colyseus/core";
import { StoryRoom } from "../rooms/story.room";
import { PlaythroughRoom } from "../rooms/playthrough.room";
import { NegotiationRoom } from "../rooms/negotiation.room";
import { LiveRoom } from "../rooms/live.room";
import { FeedRoom } from "../rooms/feed.room";

/** Room registry: every room the server offers, by the name clients join. */
export const rooms = {
  // one room per author: joinOrCreate("story", { authorId }) lands everyone watching that reel together
  story: defineRoom(StoryRoom).filterBy(["authorId"]),
  // one private room per player and book: joinOrCreate("playthrough", { bookId, userId }) from every device of the player
  playthrough: defineRoom(PlaythroughRoom).filterBy(["userId", "bookId"]),
  // one room per conversation: joinOrCreate("negotiation", { conversationId }) — its two parties and admins
  negotiation: defineRoom(NegotiationRoom).filterBy(["conversationId"]),
  // shards per stream: joinOrCreate("live", { streamId }) fills a room up to LIVE_ROOM_MAX_CLIENTS, then opens another
  live: defineRoom(LiveRoom).filterBy(["streamId"]),
  // a user's stories tray: joinOrCreate("feed") — shared rooms that announce each new story to the clients allowed to see it
  feed: defineRoom(FeedRoom),
};
