import { ConflictError, DomainError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from "../shared/errors";
import type { VelocityRefusal } from "./gift.rules";

/** A room refusal that waits in milliseconds; REST's Retry-After keeps whole seconds. */
function waitMs(code: string, message: string, retryAfterMs: number): RateLimitedError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return new RateLimitedError(code, message, seconds, { retry_after_ms: retryAfterMs, retry_after_seconds: seconds });
}

/**
 * Every error code the live feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const liveErrors = {
  alreadyLive: () => new ConflictError("already_live", "You already have a live stream; end it first."),
  alreadyUpvoted: () => new ConflictError("already_upvoted", "You already upvoted this question."),
  alreadyVoted: () => new ConflictError("already_voted", "You already voted in this poll."),
  banned: () => new ForbiddenError("banned", "You are banned from this stream."),
  cannotRestrict: () => new ForbiddenError("cannot_restrict", "The creator cannot be restricted; only the creator restricts a moderator."),
  commandCooldown: (retryAfterSeconds: number) => new RateLimitedError("command_cooldown", "Command gifts are cooling down.", retryAfterSeconds),
  commandsDisabled: () => new ConflictError("commands_disabled", "The creator has turned command gifts off."),
  /** the chat and reaction gates (room-gates.ts): code `rate_limited` */
  chatTooFast: (message: "You are sending messages too fast." | "The chat is busy; try again in a moment." | "You are reacting too fast.", retryAfterMs: number) =>
    waitMs("rate_limited", message, retryAfterMs),
  slowMode: (slowModeS: number, retryAfterMs: number) => waitMs("slow_mode", `Slow mode: one message every ${slowModeS} s.`, retryAfterMs),
  timedOut: (retryAfterMs: number) => waitMs("timed_out", "You are timed out in this chat.", retryAfterMs),
  /** the gift velocity check (gift.rules.ts velocityRefusal): `gift_rate_exceeded` or `daily_spend_cap` */
  giftVelocity: (refusal: VelocityRefusal, retryAfterSeconds: number) => new RateLimitedError(refusal.code, refusal.message, retryAfterSeconds),
  /** a plain rule failure (400): the server has no LiveKit credentials */
  mediaNotConfigured: () => new DomainError("media_not_configured", "Media is not configured on this server (LIVEKIT_API_KEY and LIVEKIT_API_SECRET)."),
  creatorOnly: () => new ForbiddenError("creator_only", "Only creators host live streams."),
  emptyMessage: () => new ValidationError("empty_message", "The message is empty."),
  followersOnly: () => new ForbiddenError("followers_only", "This stream is for the creator's followers."),
  giftInFlight: () => new ConflictError("gift_in_flight", "This gift is still being recorded; retry."),
  giftNotFound: (giftCode: string) => new NotFoundError("gift_not_found", `No gift ${giftCode} in the catalog.`),
  idempotencyKeyReused: () => new ConflictError("idempotency_key_reused", "This idempotency key was used for another gift."),
  invalidCommand: () => new ValidationError("invalid_command", "The wheel has no outcomes."),
  invalidModerator: () => new ValidationError("invalid_moderator", "The creator is not their own moderator."),
  invalidOption: (optionCount: number) => new ValidationError("invalid_option", `The poll has ${optionCount} options.`),
  invalidPoll: (message: "Poll options must be distinct." | "Poll options must be distinct and not empty." = "Poll options must be distinct.") => new ValidationError("invalid_poll", message),
  invalidStreamTransition: (message: string, details: { status: "scheduled" | "live" | "ended" | "archived"; action: "end" | "go_live" | "archive" } | { action: "end" | "go_live" | "archive" }) => new ConflictError("invalid_stream_transition", message, details),
  invalidTicketPrice: () => new ValidationError("invalid_ticket_price", "A ticketed stream needs a ticket_price; other streams have none."),
  linksNotAllowed: () => new ValidationError("links_not_allowed", "Links are not allowed in this stream's chat."),
  messageTooLong: (maxChatLength: number) => new ValidationError("message_too_long", `Chat lines are at most ${maxChatLength} characters.`),
  moderatorsOnly: (message: "Only the creator and moderators can do this." | "Only the creator and moderators start polls." | "Only the creator and moderators mark questions answered." = "Only the creator and moderators can do this.") => new ForbiddenError("moderators_only", message),
  noOpenPoll: () => new ConflictError("no_open_poll", "There is no open poll."),
  noSegmentQueued: () => new ConflictError("no_segment_queued", "No segment is queued."),
  notACommandGift: (giftCode: string) => new ValidationError("not_a_command_gift", `${giftCode} does not trigger a command.`),
  notStreamCreator: (message: "Only the creator sees a stream's analytics." | "Only the creator sets goals." | "Only the stream's creator can do this." | "Only the creator appoints moderators." | "Only the creator sets command gifts." | "Only the creator queues segments." | "Only the creator plays segments." = "Only the creator sees a stream's analytics.") => new ForbiddenError("not_stream_creator", message),
  notTicketed: () => new ValidationError("not_ticketed", "This stream does not sell tickets."),
  ownQuestion: () => new ValidationError("own_question", "You cannot upvote your own question."),
  ownStream: (message: "You cannot gift your own stream." | "You do not need a ticket for your own stream." = "You cannot gift your own stream.") => new ValidationError("own_stream", message),
  ownSubscription: () => new ValidationError("own_subscription", "You cannot subscribe to yourself."),
  pollRequired: () => new ValidationError("poll_required", "This gift starts a poll: send command.question and 2-5 command.options."),
  questionAnswered: () => new ConflictError("question_answered", "The question was answered."),
  questionNotFound: () => new NotFoundError("question_not_found", "No such question in this stream."),
  scheduledInPast: () => new ValidationError("scheduled_in_past", "scheduled_at is in the past."),
  segmentAlreadyStarted: () => new ConflictError("segment_already_started", "That segment has just been started."),
  streamNotEnded: () => new ConflictError("stream_not_ended", "The replay opens when the stream has ended."),
  streamNotFound: () => new NotFoundError("stream_not_found", "No such stream."),
  streamNotLive: (message: string) => new ConflictError("stream_not_live", message),
  streamOver: () => new ConflictError("stream_over", "The stream is over."),
  subscribersOnly: () => new ForbiddenError("subscribers_only", "This stream is for the creator's subscribers."),
  ticketRequired: () => new ForbiddenError("ticket_required", "This stream needs a ticket."),
  tooManyGoals: (maxGoals: number) => new ConflictError("too_many_goals", `At most ${maxGoals} goals per stream.`),
} as const;
