import { Schema, model, type InferSchemaType } from "mongoose";
import { ROLES } from "./roles";

const userSchema = new Schema(
  {
    username: { type: String, required: true },
    /** lower-cased username: uniqueness and login are case-insensitive */
    username_lower: { type: String, required: true },
    email: { type: String },
    password_hash: { type: String, required: true },
    roles: { type: [String], enum: ROLES, default: ["viewer"] },
    display_name: { type: String, default: "" },
    bio: { type: String, default: "" },
    avatar_url: { type: String, default: null },
    // a platform ban (src/auth/ban.rules.ts); null when none. An expired `until` no longer counts.
    ban: {
      type: new Schema({ reason: { type: String, required: true }, until: { type: Date, default: null }, banned_at: { type: Date, required: true }, banned_by: { type: String, required: true } }, { _id: false }),
      default: null,
    },
    // set from the injectable clock (not mongoose timestamps) so tests control time
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "users", versionKey: false },
);
// login and registration look users up by name; unique makes concurrent registrations safe
userSchema.index({ username_lower: 1 }, { unique: true });
// an email belongs to one account; partial so users without email don't collide on null
userSchema.index({ email: 1 }, { unique: true, partialFilterExpression: { email: { $type: "string" } } });

// the admin user list (GET /admin/users), newest first, keyset-paged on (created_at, _id)
userSchema.index({ created_at: -1, _id: -1 });
// ?role= on the admin user list
userSchema.index({ roles: 1, created_at: -1, _id: -1 });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: import("mongoose").Types.ObjectId };
export const UserModel = model("User", userSchema);
