import type { RequestStatus } from "./request.model";
import { marketplaceErrors } from "./marketplace.errors";

/**
 * Application status moves (seed 002 §4.3) as data: from → to → who may make it. `owner` is the
 * listing's brand owner, `applicant` the influencer who applied; admins may make any listed move.
 * The negotiation flow moves them too, as the system (see `flowRequestStatus`).
 */
type Mover = "owner" | "applicant" | "either";
export const REQUEST_MOVES: Partial<Record<RequestStatus, Partial<Record<RequestStatus, Mover>>>> = {
  pending: { approved: "owner", rejected: "owner", cancelled: "applicant" },
  approved: { in_progress: "either", cancelled: "either" },
  in_progress: { completed: "owner" },
};

export function assertRequestMove(from: RequestStatus, to: RequestStatus, who: "owner" | "applicant" | "admin"): void {
  const mover = REQUEST_MOVES[from]?.[to];
  if (!mover) throw marketplaceErrors.invalidStatusTransition(from, to, { from, to });
  if (who === "admin" || mover === "either" || mover === who) return;
  throw marketplaceErrors.forbiddenStatusChange(mover === "owner" ? "brand owner" : "applicant", to, { from, to });
}

/** What a negotiation state means for its application (states absent here leave it alone). */
export const FLOW_REQUEST_STATUS: Partial<Record<string, RequestStatus>> = {
  accepted: "approved",
  declined: "rejected",
  in_progress: "in_progress",
  completed: "completed",
  cancelled: "cancelled",
};
