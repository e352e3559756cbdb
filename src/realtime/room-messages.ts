import type { Client } from "@colyseus/core";
import type { z } from "zod";
import { DomainError, ValidationError } from "../shared/errors";
import { issuesOf } from "../http/validate";
import { logger } from "../logger";
import { assertUserExists } from "../auth/user-existence";
import { findReservedKey } from "../shared/hostile-keys";

/**
 * Every room message handler goes through `roomMessage(schema, fn)`: the payload is validated softly
 * (a bad message is answered, the client stays connected — Colyseus' own validate() would close it
 * with 4002), and domain errors reach the client with their stable code:
 * - `room.request(type, payload)` → the promise rejects with `{ name, message, code }`;
 * - `room.send(type, payload)`    → the client receives `"error"` with `{ type, code, message, details? }`.
 */
export interface RoomErrorPayload {
  type: string;
  code: string;
  message: string;
  details?: unknown;
}

export class RoomReplyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RoomError";
  }
}

function normalize(err: unknown): { code: string; message: string; details?: unknown } {
  if (err instanceof DomainError) return { code: err.code, message: err.message, details: err.details };
  logger.error({ err }, "room message handler failed");
  return { code: "internal_error", message: "Something went wrong on our side." };
}

type Ctx = { id?: number } | undefined;

export function roomMessage<S extends z.ZodType, R>(
  type: string,
  schema: S,
  fn: (client: Client, message: z.infer<S>) => R | Promise<R>,
) {
  return async (client: Client, raw: unknown, ctx?: Ctx): Promise<R | undefined> => {
    try {
      // a message is an action: a client whose account was deleted since joining may not act
      const userId = (client.auth as { userId?: unknown } | undefined)?.userId;
      if (typeof userId === "string") await assertUserExists(userId);
      const reserved = findReservedKey(raw);
      if (reserved !== undefined) {
        throw new ValidationError("invalid_message", `The "${type}" message is not valid.`, [{ path: reserved, message: "reserved key" }]);
      }
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) {
        throw new ValidationError("invalid_message", `The "${type}" message is not valid.`, issuesOf(parsed.error));
      }
      return await fn(client, parsed.data);
    } catch (err) {
      const e = normalize(err);
      if (ctx?.id !== undefined) throw new RoomReplyError(e.code, e.message);
      const payload: RoomErrorPayload = { type, ...e };
      client.send("error", payload);
      return undefined;
    }
  };
}
