import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../shared/errors";
import type { ListingKind } from "./listing.service";
import type { PlanLimit } from "./subscription.plans";

/**
 * Every error code the marketplace feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const marketplaceErrors = {
  alreadyApplied: (kind: string) => new ConflictError("already_applied", `You have already applied to this ${kind}.`),
  alreadySubscribed: (message: "You already have an active subscription; upgrade it instead." | "You are already subscribed." = "You already have an active subscription; upgrade it instead.") => new ConflictError("already_subscribed", message),
  amountOutOfRange: (message: string, details: { min_amount: number; max_amount: number } | { min_amount: number; max_amount: number; amount: number } | { [x: string]: number; min_amount: number; max_amount: number }) => new ValidationError("amount_out_of_range", message, details),
  counterLimitReached: (maxCounters: number, details: { max: number }) => new ConflictError("counter_limit_reached", `At most ${maxCounters} counters: accept or decline.`, details),
  forbiddenStatusChange: (allowedMover: string, to: string, details: { from: "pending" | "in_progress" | "completed" | "cancelled" | "approved" | "rejected"; to: "pending" | "in_progress" | "completed" | "cancelled" | "approved" | "rejected" }) => new ForbiddenError("forbidden_status_change", `Only the ${allowedMover} may move an application to ${to}.`, details),
  invalidActionData: (message: string, details: { field: string }) => new ValidationError("invalid_action_data", message, details),
  invalidBudgetRange: (details: { min_budget: number | undefined; max_budget: number | undefined }) => new ConflictError("invalid_budget_range", "min_budget must not exceed max_budget.", details),
  invalidStatusTransition: (from: string, to: string, details: { from: "pending" | "in_progress" | "completed" | "cancelled" | "approved" | "rejected"; to: "pending" | "in_progress" | "completed" | "cancelled" | "approved" | "rejected" }) => new ConflictError("invalid_status_transition", `An application cannot go from ${from} to ${to}.`, details),
  invalidTransition: (action: string, state: string, details: { state: "in_progress" | "completed" | "cancelled" | "initial" | "negotiating" | "accepted" | "declined" | "payment_pending" | "paid" | "submitted" | "revision_requested" | "disputed"; action: "accept_proposal" | "negotiate_amount" | "decline_proposal" | "pay" | "payment_verified" | "start_work" | "submit_deliverable" | "request_revision" | "approve" | "cancel" | "open_dispute" | "resolve_dispute" }) => new ConflictError("invalid_transition", `"${action}" is not possible while the deal is ${state}.`, details),
  listingHasActiveDeals: (kind: string, active: number, details: { active: number }) => new ConflictError("listing_has_active_deals", `This ${kind} has ${active} deal(s) under way; complete or cancel them first.`, details),
  /** `campaign_not_found` or `bid_not_found`: one code per listing kind */
  listingNotFound: (kind: ListingKind) =>
    kind === "campaign" ? new NotFoundError("campaign_not_found", "No such campaign.") : new NotFoundError("bid_not_found", "No such bid."),
  listingNotOpen: (kind: string, status: string) => new ConflictError("listing_not_open", `This ${kind} is ${status}, not taking applications.`),
  notANegotiation: () => new ConflictError("not_a_negotiation", "This is a direct conversation; it has no deal flow."),
  notAParty: (message: "Only the listing's owner or the applicant may start this negotiation." | "Only the two parties post in a conversation." = "Only the listing's owner or the applicant may start this negotiation.") => new ForbiddenError("not_a_party", message),
  notAnUpgrade: (plan: string, current: string) => new ConflictError("not_an_upgrade", `${plan} is not above ${current}.`),
  notApplicant: (message: "Only the applicant may edit an application." | "Only the applicant may withdraw an application." = "Only the applicant may edit an application.") => new ForbiddenError("not_applicant", message),
  notListingOwner: (message: string) => new ForbiddenError("not_listing_owner", message),
  notYourTurn: (action: string, awaiting: string, details: { state: "in_progress" | "completed" | "cancelled" | "initial" | "negotiating" | "accepted" | "declined" | "payment_pending" | "paid" | "submitted" | "revision_requested" | "disputed"; awaiting_role: "system" | "brand_owner" | "influencer" | "admin" | null; role: "system" | "brand_owner" | "influencer" | "admin" }) => new ForbiddenError("not_your_turn", `"${action}" is not yours to take now (waiting for ${awaiting}).`, details),
  ownListing: () => new ForbiddenError("own_listing", "You cannot apply to your own listing."),
  payoutNotFound: () => new NotFoundError("payout_not_found", "No such payout."),
  planIsFree: () => new ConflictError("plan_is_free", "The basic plan needs no subscription."),
  planLimitReached: (plan: string, max: number, what: string, upgradeHint: string, details: { limit: PlanLimit; plan: "basic" | "premium" | "enterprise"; max: number; used: number; upgrade_to: "basic" | "premium" | "enterprise" | null }) => new ForbiddenError("plan_limit_reached", `The ${plan} plan allows ${max} ${what}${upgradeHint}.`, details),
  requestNotFound: (message: string) => new NotFoundError("request_not_found", message),
  requestNotOpen: (message: string) => new ConflictError("request_not_open", message),
  requestNotPending: () => new ConflictError("request_not_pending", "Only a pending application can be edited."),
  requestNotWithdrawable: (status: string) => new ConflictError("request_not_withdrawable", `An application that is ${status} cannot be withdrawn.`),
  revisionLimitReached: (maxRevisions: number, details: { max: number }) => new ConflictError("revision_limit_reached", `At most ${maxRevisions} revisions: approve or open a dispute.`, details),
  staleFlowState: (details: { version: number }) => new ConflictError("stale_flow_state", "The deal moved on meanwhile; look at its current state and act again.", details),
  staleRequest: () => new ConflictError("stale_request", "The application changed meanwhile; reload it."),
  subscriptionNotActive: (message: "This subscription is already cancelled." | "Only an active subscription can be upgraded." = "This subscription is already cancelled.") => new ConflictError("subscription_not_active", message),
  subscriptionNotFound: (message: "No such subscription." | "You are not subscribed to this creator." = "No such subscription.") => new NotFoundError("subscription_not_found", message),
} as const;
