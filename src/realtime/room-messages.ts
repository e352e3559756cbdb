import { Protocol, type Client, type Room } from "@colyseus/core";
import { decode } from "@colyseus/schema";
import type { z } from "zod";
import { DomainError, ValidationError } from "../shared/errors";
import { sharedErrors } from "../shared/shared.errors";
import { realtimeErrors } from "./realtime.errors";
import { issuesOf } from "../shared/validation";
import { logger } from "../logger";
import { assertUserExists } from "../auth/user-existence";
import { findReservedKey } from "../shared/hostile-keys";
import { roomMessagesIn } from "../metrics/metrics";
import { attachDocs } from "../http/route-catalogue";
import { spendRoomMessage } from "../rate-limits/rate-limit.service";
import type { Principal } from "../auth/roles";

/**
 * Room messages, for every room. `roomMessages<MyClient>()({ type: { schema, handle } })` builds a
 * room's `messages` map: the type is the map key, the client is typed once, every payload is
 * validated softly (a bad message is answered, the client stays connected — Colyseus' own
 * validate() would close it with 4002), and domain errors reach the client with their stable code:
 * - `room.request(type, payload)` → the promise rejects with `{ name, message, code }`; when the
 *   error has `details`, an `"error"` message with them (and `request: true`) arrives just before
 *   (the SDK 0.18 rebuilds a rejected request from name, message and code only);
 * - `room.send(type, payload)`    → the client receives `"error"` with `{ type, code, message, details? }`.
 * A type the room does not handle (including any `sendBytes`) is answered with `unknown_message`.
 */
export interface RoomErrorPayload {
  type: string;
  code: string;
  message: string;
  details?: unknown;
  /** set when the failed message was a `room.request` (its promise rejects as well) */
  request?: true;
}

/** What a failed `room.request` rejects with (Colyseus sends `{ name, message, code }`). */
export class RoomReplyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "RoomError";
  }
}

function normalize(err: unknown): { code: string; message: string; details?: unknown } {
  if (!(err instanceof DomainError)) logger.error({ err }, "room message handler failed");
  const e = err instanceof DomainError ? err : sharedErrors.internal();
  return { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) };
}

/** Colyseus passes a request's context (with its id) as the third argument; `send` gets none. */
type Ctx = { id?: number } | undefined;

function sendError(client: Pick<Client, "send">, payload: RoomErrorPayload): void {
  client.send("error", payload);
}

/** Answer a failed message: reject the request (details ride an `error` message), or send `error`. */
function answerFailure(client: Client, type: string, err: unknown, ctx: Ctx): never | undefined {
  const e = normalize(err);
  if (ctx?.id !== undefined) {
    if (e.details !== undefined) sendError(client, { type, ...e, request: true });
    throw new RoomReplyError(e.code, e.message, e.details);
  }
  sendError(client, { type, ...e });
  return undefined;
}

/** One message: its payload schema and the handler for the parsed payload. */
export interface MessageSpec<C, S extends z.ZodType> {
  schema: S;
  handle: (client: C, message: z.output<S>) => unknown;
}

type Handler = (client: Client, raw: unknown, ctx?: Ctx) => Promise<unknown>;
type Wildcard = (client: Client, type: string | number, raw: unknown) => void;

/** Soft validation + error answering around one handler (exported for rooms with hand-made maps). */
export function roomMessage<S extends z.ZodType, C extends Client, R>(type: string, schema: S, fn: (client: C, message: z.output<S>) => R | Promise<R>) {
  // the schema rides on the handler so the room documentation lists what each message accepts
  return attachDocs(async (client: C, raw: unknown, ctx?: Ctx): Promise<R | undefined> => {
    try {
      await spendBudget(client);
      // a message is an action: a client whose account was deleted since joining may not act
      const userId = (client.auth as { userId?: unknown } | undefined)?.userId;
      if (typeof userId === "string") await assertUserExists(userId);
      const reserved = findReservedKey(raw);
      if (reserved !== undefined) {
        throw realtimeErrors.invalidMessage(type, [{ path: reserved, message: "reserved key" }]);
      }
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) throw realtimeErrors.invalidMessage(type, issuesOf(parsed.error));
      const result = await fn(client, parsed.data);
      roomMessagesIn.inc({ type, outcome: "ok" });
      return result;
    } catch (err) {
      roomMessagesIn.inc({ type, outcome: outcomeOf(err) });
      return answerFailure(client, type, err, ctx);
    }
  }, { message: { schema } });
}

/** How a failed message is counted: bad input, a refused action, or our failure. */
function outcomeOf(err: unknown): "invalid" | "refused" | "error" {
  if (err instanceof ValidationError) return "invalid";
  return err instanceof DomainError ? "refused" : "error";
}

/**
 * Every message a client sends, handled or not, spends from its user's realtime budget (across
 * rooms and processes), before anything else runs, so a flood costs one counter each.
 */
function spendBudget(client: Client): Promise<void> {
  const auth = client.auth as Partial<Principal> | undefined;
  return spendRoomMessage(typeof auth?.userId === "string" ? (auth as Principal) : undefined, client.sessionId);
}

/** The catch-all (`"_"` in a messages map, Colyseus' `"*"`): a type nobody handles is answered, not fatal. */
const unknownMessage: Wildcard = (client, type, raw) => {
  void spendBudget(client).then(
    () => {
      roomMessagesIn.inc({ type: "(unknown)", outcome: "invalid" });
      answerFailure(client, String(type), realtimeErrors.unknownMessage(String(type), raw instanceof Uint8Array), undefined);
    },
    (err) => {
      roomMessagesIn.inc({ type: "(unknown)", outcome: outcomeOf(err) });
      answerFailure(client, String(type), err, undefined);
    },
  );
};

/**
 * Build a room's `messages` map from `{ type: { schema, handle } }`. Curried so the client type is
 * given once and each payload type is inferred from its schema:
 * `override messages = roomMessages<StoryClient>()({ view: { schema, handle: (client, msg) => … } })`.
 */
export function roomMessages<C extends Client>() {
  return <M extends Record<string, z.ZodType>>(specs: { [K in keyof M]: MessageSpec<C, M[K]> }): Record<string, Handler | Wildcard> => {
    const map: Record<string, Handler | Wildcard> = { _: unknownMessage };
    for (const [type, spec] of Object.entries(specs) as [string, MessageSpec<C, z.ZodType>][]) {
      map[type] = roomMessage(type, spec.schema, spec.handle) as Handler;
    }
    return map;
  };
}

/** Protocol byte → message code (Colyseus' PROTOCOL_CODE_MASK; the high bits are modifiers). */
const PROTOCOL_CODE_MASK = 31;

function messageTypeOf(buffer: Uint8Array): string {
  try {
    const it = { offset: 1 };
    return String(decode.stringCheck(buffer, it) ? decode.string(buffer, it) : decode.number(buffer, it));
  } catch {
    return "";
  }
}

/**
 * Keep a client whose frame the room cannot read. Colyseus closes the socket (4002) when a
 * `send` payload is not valid msgpack, and a frame whose header cannot be decoded throws inside
 * the socket listener. Installed on each room instance (its `_onMessage` is what the transport
 * calls): a refusal made synchronously while dispatching one frame becomes an
 * `error {code: "malformed_message"}` answer instead. Frames ws rejects below the room (over its
 * size limit, broken WebSocket framing) still close the connection; see the README.
 */
export function keepClientsOnMalformedFrames(room: Room): void {
  const target = room as unknown as { _onMessage: (client: Client, buffer: Uint8Array) => void };
  const dispatch = target._onMessage;
  target._onMessage = function (this: unknown, client: Client, buffer: Uint8Array) {
    const hadOwnLeave = Object.prototype.hasOwnProperty.call(client, "leave");
    const leave = client.leave;
    let refused = false;
    client.leave = () => {
      refused = true;
    };
    try {
      dispatch.call(this, client, buffer);
    } catch (err) {
      logger.debug({ err }, "unreadable room frame");
      refused = true;
    } finally {
      if (hadOwnLeave) client.leave = leave;
      else delete (client as Partial<Client>).leave;
    }
    if (!refused) return;
    const code = buffer?.[0] !== undefined ? buffer[0] & PROTOCOL_CODE_MASK : -1;
    const type = code === Protocol.ROOM_DATA || code === Protocol.ROOM_DATA_BYTES ? messageTypeOf(buffer) : "";
    answerFailure(client, type, realtimeErrors.malformedMessage(), undefined);
  };
}
