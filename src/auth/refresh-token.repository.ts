import type { ClientSession } from "mongoose";
import { RefreshTokenModel } from "./refresh-token.model";

/** Refresh tokens in the store (hashed); plain values out. Writes accept an optional session. */
export interface RefreshTokenRow {
  family_id: string;
  user_id: string;
  used_at: Date | null;
  revoked_at: Date | null;
}

function toRow(r: Record<string, any>): RefreshTokenRow {
  return { family_id: r.family_id, user_id: r.user_id, used_at: r.used_at ?? null, revoked_at: r.revoked_at ?? null };
}

export async function insertRefreshToken(row: { token_hash: string; family_id: string; user_id: string; created_at: Date; expires_at: Date }, session?: ClientSession): Promise<void> {
  await RefreshTokenModel.create([row], { session });
}

/** Mark a live, unused token used; null when it is not (already used, revoked, expired or unknown). One caller wins. */
export async function consumeRefreshToken(tokenHash: string, now: Date): Promise<RefreshTokenRow | null> {
  const row = await RefreshTokenModel.findOneAndUpdate(
    { token_hash: tokenHash, used_at: null, revoked_at: null, expires_at: { $gt: now } },
    { $set: { used_at: now } },
    { returnDocument: "after" },
  ).lean();
  return row ? toRow(row) : null;
}

export async function findRefreshToken(tokenHash: string): Promise<RefreshTokenRow | null> {
  const row = await RefreshTokenModel.findOne({ token_hash: tokenHash }).lean();
  return row ? toRow(row) : null;
}

export async function revokeFamily(familyId: string, now: Date, session?: ClientSession): Promise<void> {
  await RefreshTokenModel.updateMany({ family_id: familyId, revoked_at: null }, { $set: { revoked_at: now } }, { session });
}

export async function revokeAllOfUser(userId: string, now: Date, session?: ClientSession): Promise<void> {
  await RefreshTokenModel.updateMany({ user_id: userId, revoked_at: null }, { $set: { revoked_at: now } }, { session });
}
