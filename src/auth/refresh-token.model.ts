import { Schema, model } from "mongoose";

/**
 * Rotating refresh tokens. Each login starts a family; each refresh uses the presented token once
 * and issues its successor in the same family. Presenting a used or revoked token means it leaked:
 * the whole family is revoked.
 */
const refreshTokenSchema = new Schema(
  {
    /** sha256 of the token; the token itself is never stored */
    token_hash: { type: String, required: true },
    family_id: { type: String, required: true },
    user_id: { type: String, required: true },
    expires_at: { type: Date, required: true },
    used_at: { type: Date, default: null },
    revoked_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: "refresh_tokens", versionKey: false },
);
// refresh looks a token up by its hash
refreshTokenSchema.index({ token_hash: 1 }, { unique: true });
// reuse detection and logout revoke a whole family
refreshTokenSchema.index({ family_id: 1 });
// expired tokens are useless: let the TTL monitor remove them
refreshTokenSchema.index({ expires_at: 1 }, { expireAfterSeconds: 0 });

export const RefreshTokenModel = model("RefreshToken", refreshTokenSchema);
