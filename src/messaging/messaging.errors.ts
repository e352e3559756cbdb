import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../shared/errors";

/**
 * Every error code the messaging feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const messagingErrors = {
  conversationNotFound: () => new NotFoundError("conversation_not_found", "No such conversation."),
  directPairNotAllowed: () => new ForbiddenError("direct_pair_not_allowed", "Direct conversations are between a brand owner and an influencer."),
  invalidMessage: () => new ValidationError("invalid_message", "A message needs text."),
  messageAlreadyDeleted: () => new ConflictError("message_already_deleted", "This message is already deleted."),
  messageNotFound: (message: "No such message." | "No chat line with this seq." | "No such message in this conversation." = "No such message.") => new NotFoundError("message_not_found", message),
  notYourMessage: () => new ForbiddenError("not_your_message", "Only its sender may delete a message."),
} as const;
