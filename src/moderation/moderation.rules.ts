import type { ReportStatus, ResolutionAction } from "./report.model";

/**
 * Pure moderation decisions. A target is hidden pending review once `threshold` distinct users have
 * open reports on it; a resolution closes every open report of its target and says what happens
 * to the target, its author and the reporters' reports.
 */
export function shouldHide(openReporters: number, threshold: number): boolean {
  return openReporters >= threshold;
}

export interface ResolutionEffect {
  /** the status every open report of the target gets */
  status: Exclude<ReportStatus, "open">;
  /** the story's moderation_hidden afterwards; undefined: removed, nothing left to show or hide */
  hidden: boolean | undefined;
  removeStory: boolean;
  banAuthor: boolean;
  notifyAuthorOfRemoval: boolean;
}

/** What each resolution does — a table, printed in README "Reports and moderation". */
export const RESOLUTIONS: Record<ResolutionAction, ResolutionEffect> = {
  // nothing wrong: shown again, reports closed
  dismiss: { status: "dismissed", hidden: false, removeStory: false, banAuthor: false, notifyAuthorOfRemoval: false },
  // taken down through the story service's delete path; the author is told
  remove_story: { status: "actioned", hidden: undefined, removeStory: true, banAuthor: false, notifyAuthorOfRemoval: true },
  // the author is banned from the platform; the story stays hidden (a banned author's content is not reviewed twice)
  ban_author: { status: "actioned", hidden: true, removeStory: false, banAuthor: true, notifyAuthorOfRemoval: false },
};
