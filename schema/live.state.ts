import { ArraySchema, MapSchema, Schema, type, view } from "@colyseus/schema";

/**
 * State of the `live` room, built for thousands of viewers: counts and bounded lists only (never
 * the viewer list). `staff` (pending reports, running timeouts) is `@view(STAFF_ONLY)`: it reaches
 * the creator's and moderators' clients only; `creatorStats` (CREATOR_ONLY) the creator's. Written only by `schema/live.mapper.ts` from the
 * stream's ordered events. Times are epoch milliseconds.
 */
export const STAFF_ONLY = 1;
/** `creatorStats` reaches the creator's clients only. */
export const CREATOR_ONLY = 2;

export class ChatLineState extends Schema {
  @type("number") seq = 0;
  @type("string") userId = "";
  @type("string") username = "";
  @type("string") text = "";
  /** creator | moderator | viewer */
  @type("string") role = "viewer";
  /** the subscriber badge */
  @type("boolean") subscriber = false;
  @type("number") at = 0;
}

export class PollState extends Schema {
  @type("string") id = "";
  @type("string") question = "";
  @type(["string"]) options = new ArraySchema<string>();
  @type(["number"]) tallies = new ArraySchema<number>();
  @type("number") endsAt = 0;
}

export class QuestionState extends Schema {
  @type("string") id = "";
  @type("string") userId = "";
  @type("string") text = "";
  @type("number") upvotes = 0;
}

export class GoalState extends Schema {
  @type("string") id = "";
  /** tokens | gifts | followers | likes */
  @type("string") kind = "";
  @type("string") title = "";
  @type("number") target = 0;
  @type("number") progress = 0;
  @type("boolean") completed = false;
}

export class MoodState extends Schema {
  @type("string") dominant = "";
  @type("number") intensity = 0;
  @type({ map: "number" }) scores = new MapSchema<number>();
}

export class GifterState extends Schema {
  @type("string") userId = "";
  @type("number") tokens = 0;
}

export class SegmentState extends Schema {
  @type("string") id = "";
  @type("string") title = "";
  @type("string") mediaUrl = "";
  @type("number") durationS = 0;
  @type("number") startedAt = 0;
}

export class CommandState extends Schema {
  @type("number") seq = 0;
  /** overlay | start_poll | spin_wheel | sound */
  @type("string") action = "";
  @type("string") giftCode = "";
  @type("string") senderId = "";
  /** the action's validated payload as JSON (animation key and text, wheel outcome, sound key, poll) */
  @type("string") payload = "";
}

export class SettingsState extends Schema {
  @type("number") slowModeS = 0;
  @type("boolean") linksAllowed = false;
  @type("boolean") commandsEnabled = true;
  @type("number") commandCooldownS = 0;
}

export class TimeoutState extends Schema {
  @type("string") userId = "";
  @type("number") until = 0;
}

export class ReportState extends Schema {
  @type("number") seq = 0;
  @type("string") reporterId = "";
  @type("string") reportedUserId = "";
  @type("string") reason = "";
  @type("string") text = "";
}

export class StaffState extends Schema {
  @type({ map: TimeoutState }) timeouts = new MapSchema<TimeoutState>();
  @type([ReportState]) reports = new ArraySchema<ReportState>();
  @type(["string"]) moderators = new ArraySchema<string>();
}

/** The creator's live panel: viewers now and peak, the last minute's chat lines and tokens, follows since the start. */
export class CreatorStatsState extends Schema {
  @type("number") viewersNow = 0;
  @type("number") peakViewers = 0;
  @type("number") chatPerMin = 0;
  @type("number") tokensPerMin = 0;
  @type("number") newFollowers = 0;
}

export class LiveRoomState extends Schema {
  @type("string") streamId = "";
  @type("string") creatorId = "";
  @type("string") title = "";
  /** scheduled (the lobby) | live | ended */
  @type("string") status = "";
  /** viewers over every shard of the stream */
  @type("number") viewerCount = 0;
  /** the last seq this room applied */
  @type("number") seq = 0;
  @type([ChatLineState]) chat = new ArraySchema<ChatLineState>();
  @type(ChatLineState) pinned: ChatLineState | undefined;
  @type(PollState) poll: PollState | undefined;
  @type([QuestionState]) questions = new ArraySchema<QuestionState>();
  @type([GoalState]) goals = new ArraySchema<GoalState>();
  @type(MoodState) mood = new MoodState();
  @type([GifterState]) topGifters = new ArraySchema<GifterState>();
  @type(SegmentState) segmentNow: SegmentState | undefined;
  @type(SegmentState) segmentNext: SegmentState | undefined;
  @type([CommandState]) commands = new ArraySchema<CommandState>();
  @type(SettingsState) settings = new SettingsState();
  @view(STAFF_ONLY) @type(StaffState) staff = new StaffState();
  @view(CREATOR_ONLY) @type(CreatorStatsState) creatorStats = new CreatorStatsState();
}
