import { ValidationError } from "../shared/errors";
import type { Issue } from "../shared/validation";

/**
 * The codes the room edge itself answers (src/realtime/room-messages.ts, room-auth.ts), declared
 * once like each feature's catalogue. They reach the client as `error` messages or rejected
 * requests with these codes.
 */
export const realtimeErrors = {
  invalidMessage: (type: string, details: Issue[]) => new ValidationError("invalid_message", `The "${type}" message is not valid.`, details),
  /** a type the room does not handle; `rawBytes` for a `sendBytes` frame */
  unknownMessage: (type: string, rawBytes: boolean) =>
    new ValidationError("unknown_message", `This room has no "${type}" message${rawBytes ? " (raw bytes are not accepted)" : ""}.`),
  malformedMessage: () => new ValidationError("malformed_message", "This message could not be read (not valid msgpack)."),
  /** `hint` says what to send (`Join with { authorId }`) */
  invalidJoinOptions: (hint: string, details: Issue[]) => new ValidationError("invalid_join_options", hint, details),
} as const;
