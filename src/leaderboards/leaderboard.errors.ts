import { NotFoundError, ValidationError } from "../shared/errors";

/**
 * Every error code the leaderboards feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const leaderboardErrors = {
  invalidScore: (id: string, min: number, max_score: number) => new ValidationError("invalid_score", `Scores on ${id} are integers in ${min}..${max_score}.`),
  invalidSeason: (period: string, id: string, seasonPeriod: string) => new ValidationError("invalid_season", `${period} is not a season of ${id} (${seasonPeriod}).`),
  notFound: (boardId: string) => new NotFoundError("leaderboard_not_found", `No leaderboard ${boardId}.`),
  scopeNotAllowed: (id: string) => new ValidationError("scope_not_allowed", `The board ${id} is global; it takes no scope_id.`),
  scopeRequired: (id: string, scope: string) => new ValidationError("scope_required", `The board ${id} is per ${scope}; scope_id is required.`),
} as const;
