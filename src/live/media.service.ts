import { AccessToken } from "livekit-server-sdk";
import type { Principal } from "../auth/roles";
import { config } from "../config";
import { assertMayJoin } from "./stream.service";
import { liveErrors } from "./live.errors";

/** How long a media token lets its holder connect to the SFU (reconnects ask for a new one). */
export const MEDIA_TOKEN_TTL_S = 600;

/**
 * A LiveKit access token for the stream's SFU room (room name = stream id): the creator may
 * publish, a viewer (who passes the same join rules as the live room) may only subscribe.
 */
export async function mediaToken(principal: Principal, streamId: string): Promise<{ url: string; token: string; room: string; can_publish: boolean; expires_in: number }> {
  const cfg = config();
  if (!cfg.LIVEKIT_API_KEY || !cfg.LIVEKIT_API_SECRET) {
    throw liveErrors.mediaNotConfigured();
  }
  const { stream, role } = await assertMayJoin(principal.userId, streamId);
  if (stream.status !== "live" && role !== "creator") throw liveErrors.streamNotLive("The stream's media starts when it goes live.");
  const canPublish = role === "creator";
  const at = new AccessToken(cfg.LIVEKIT_API_KEY, cfg.LIVEKIT_API_SECRET, { identity: principal.userId, name: principal.username, ttl: MEDIA_TOKEN_TTL_S });
  at.addGrant({ roomJoin: true, room: stream.id, canPublish, canSubscribe: true, canPublishData: canPublish });
  return { url: cfg.LIVEKIT_URL, token: await at.toJwt(), room: stream.id, can_publish: canPublish, expires_in: MEDIA_TOKEN_TTL_S };
}
