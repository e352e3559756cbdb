import { defineRoom } from "@colyseus/core";
import { StoryRoom } from "../rooms/story.room";
import { LiveRoom } from "../rooms/live.room";

/** Room registry: every room the server offers, by the name clients join. */
export const rooms = {
  // one room per author: joinOrCreate("story", { authorId }) lands everyone watching that reel together
  story: defineRoom(StoryRoom).filterBy(["authorId"]),
  // shards per stream: joinOrCreate("live", { streamId }) fills a room up to LIVE_ROOM_MAX_CLIENTS, then opens another
  live: defineRoom(LiveRoom).filterBy(["streamId"]),
};
