import { z } from "zod";
import { isoDateTime, pageOf, responseOf } from "../http/response-schema";
import { userSummary } from "../social/social.responses";
import type * as closeFriends from "./close-friends.service";

/** Response schemas of /api/v1/close-friends, tied to the service's output (src/http/response-schema.ts). */
const example = { user: { id: "665f1c2e8b3c4a0012345678", username: "sam", display_name: "Sam", avatar_url: null }, added_at: "2026-01-01T12:00:00.000Z" };

export const closeFriendResponse = responseOf<Awaited<ReturnType<typeof closeFriends.addCloseFriend>>["item"]>()(
  z.object({ user: userSummary, added_at: isoDateTime }).strict().meta({ id: "CloseFriend", example }),
);
export const closeFriendPageResponse = responseOf<Awaited<ReturnType<typeof closeFriends.listCloseFriends>>>()(
  pageOf(closeFriendResponse).meta({ id: "CloseFriendPage", example: { items: [example], next_cursor: null } }),
);
