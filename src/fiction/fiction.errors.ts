import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from "../shared/errors";
import type { ContentProblem } from "./validator.rules";

/**
 * Every error code the fiction feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const fictionErrors = {
  bookNotFound: () => new NotFoundError("book_not_found", "No such book."),
  chapterLocked: (previous: number) => new ConflictError("chapter_locked", `Finish chapter ${previous} first.`),
  chapterNotFoundNotFound: (message: string) => new NotFoundError("chapter_not_found", message),
  chapterNotFoundConflict: (message: string) => new ConflictError("chapter_not_found", message),
  chapterOutOfOrder: (next: number, number: number) => new ValidationError("chapter_out_of_order", `Import chapter ${next} before chapter ${number}.`),
  choiceNotAvailable: (message: string) => new ConflictError("choice_not_available", message),
  /** the Ink runtime reported errors while continuing (a plain rule failure: 400) */
  inkRuntimeError: (errors: readonly string[]) => new DomainError("ink_runtime_error", `The Ink story failed: ${errors.join("; ")}`),
  inkStateMissing: () => new DomainError("ink_state_missing", "This cursor has no Ink state."),
  invalidContent: (problemCount: number, details: ContentProblem[]) => new ValidationError("invalid_content", `The chapter has ${problemCount} problem(s).`, details),
  /** the validator's walk of every path: a scene where no option is available */
  deadEnd: (sceneId: string) => new DomainError("dead_end", `Scene "${sceneId}" offers no available option.`),
  /** the walk found more than `maxPaths` endings, or a path that never ends */
  tooManyPaths: (maxPaths?: number) =>
    new DomainError("too_many_paths", maxPaths === undefined ? "A path did not end: does the chapter loop?" : `More than ${maxPaths} paths: does the chapter loop?`),
  notYourPlaythrough: () => new ForbiddenError("not_your_playthrough", "A playthrough room is its player's only."),
  noActiveChapter: () => new ConflictError("no_active_chapter", "Start a chapter first."),
  noReplay: () => new ConflictError("no_replay", "No replay is in progress."),
  replayNotFinished: () => new ConflictError("replay_not_finished", "Finish the replay before keeping or discarding it."),
  sceneNotFound: (id: string) => new ConflictError("scene_not_found", `Scene "${id}" is not in this chapter's content.`),
} as const;
