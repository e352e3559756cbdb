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

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: import("mongoose").Types.ObjectId };
export const UserModel = model("User", userSchema);
