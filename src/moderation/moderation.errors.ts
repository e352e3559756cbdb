import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../shared/errors";

/** Every error code the moderation feature answers, declared once. */
export const moderationErrors = {
  /** a second report by the same user on the same target: 409, the first one stands unchanged */
  alreadyReported: () => new ConflictError("already_reported", "You already reported this."),
  ownContent: () => new ValidationError("cannot_report_own", "You cannot report your own content."),
  reportNotFound: () => new NotFoundError("report_not_found", "No such report."),
  alreadyResolved: (status: string) => new ConflictError("report_already_resolved", `This report was already resolved (${status}).`, { status }),
  notModerator: () => new ForbiddenError("not_a_moderator", "Only moderators may see or resolve reports."),
} as const;
