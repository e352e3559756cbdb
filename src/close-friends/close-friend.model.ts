import { Schema, model } from "mongoose";

/** An owner's close-friends list: one row per (owner, friend). Being on it lets the friend see close_friends stories. */
const closeFriendSchema = new Schema(
  {
    owner_id: { type: String, required: true },
    friend_id: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { collection: "close_friends", versionKey: false },
);
// one row per pair (idempotent add) and the membership check "is U on O's list"
closeFriendSchema.index({ owner_id: 1, friend_id: 1 }, { unique: true });
// the owner's list, newest first, paged
closeFriendSchema.index({ owner_id: 1, created_at: -1, _id: -1 });
// "whose lists am I on" — the feed loads it once per request for close_friends stories
closeFriendSchema.index({ friend_id: 1 });

export const CloseFriendModel = model("CloseFriend", closeFriendSchema);
