import { ValidationError } from "../shared/errors";

/**
 * Every error code the close-friends feature answers, declared once: each factory fixes the code, the
 * error kind (hence the HTTP status), the message and the shape of `details`. Services and rules
 * throw these; tests and clients rely on the codes and messages staying as they are.
 */
export const closeFriendErrors = {
  cannotAddSelf: () => new ValidationError("cannot_add_self", "You cannot add yourself to your close friends."),
  closeFriendsLimit: (maxCloseFriends: number) => new ValidationError("close_friends_limit", `A close-friends list holds at most ${maxCloseFriends} people.`),
} as const;
