import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from "../shared/errors";
import type { Refusal, RefusalCode } from "./community.rules";

/** Every error code the communities feature answers; the factory fixes the kind (hence the status). */
export const communityErrors = {
  /** missing, or not something the caller may know about */
  notFound: () => new NotFoundError("community_not_found", "Community not found."),
  notMember: () => new ForbiddenError("not_community_member", "Only members of this community can do this."),
  notAllowed: (action: string) => new ForbiddenError("not_community_admin", `Your role in this community does not allow: ${action}.`),
  memberNotFound: () => new NotFoundError("member_not_found", "This user is not a member of this community."),
  moderateSelf: () => new ValidationError("cannot_moderate_self", "You cannot do this to yourself."),
  /** a concurrent change moved the membership first: retry reads the new state */
  /** the invite was spent by a concurrent join between the decision and the write */
  inviteUsedUp: () => refusalError({ ok: false, code: "invalid_invite", message: "This invite code is used up." }),
  changedMeanwhile: () => new ConflictError("membership_changed", "The membership changed meanwhile; try again."),
} as const;

/** Each refusal code of the rules (community.rules.ts) as the error the edge answers (exhaustive: a new code must be given a kind). */
const REFUSAL_KINDS: Record<RefusalCode, new (code: string, message: string) => DomainError> = {
  community_banned: ForbiddenError,
  already_member: ConflictError,
  not_banned: ConflictError,
  not_community_member: ForbiddenError,
  invite_required: ForbiddenError,
  invalid_invite: ForbiddenError,
  owner_cannot_leave: ConflictError,
};

export function refusalError(r: Refusal): DomainError {
  return new REFUSAL_KINDS[r.code](r.code, r.message);
}
