import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../shared/errors";

/**
 * Every error code the highlights feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const highlightErrors = {
  coverStoryNotInHighlight: (details: { story_id: string }) => new ValidationError("cover_story_not_in_highlight", "The cover story must be one of the highlight's stories.", details),
  busy: () => new ConflictError("highlight_busy", "The highlight changed while saving; try again."),
  full: (maxStoriesPerHighlight: number, details: { max: number }) => new ConflictError("highlight_full", `A highlight holds at most ${maxStoriesPerHighlight} stories.`, details),
  notFound: () => new NotFoundError("highlight_not_found", "Highlight not found."),
  notHighlightOwner: (message: "Only the owner can change this highlight." | "Only the owner can see archived highlights." = "Only the owner can change this highlight.") => new ForbiddenError("not_highlight_owner", message),
  reorderNotPermutation: (details: { missing: string[]; unknown: string[]; duplicates: string[] }) => new ValidationError("reorder_not_permutation", "highlight_ids must list each of your highlights exactly once.", details),
  tooManyHighlights: (maxHighlightsPerUser: number) => new ConflictError("too_many_highlights", `You can have at most ${maxHighlightsPerUser} highlights.`),
} as const;
