import { isUserRef } from "./ledger.rules";
import type { CaptureOptions, HoldStatus } from "./economy.types";
import { economyErrors } from "./economy.errors";

/**
 * Two-phase transfer rules, pure. A hold is pending until one settlement (capture or release, or
 * the sweeper's expiry) closes it; the settlement's id makes it idempotent.
 *
 *   pending ──capture──▶ captured      (amount + fee to the targets, the rest back to the owner)
 *   pending ──release──▶ released      (everything back)
 *   pending ──expiry───▶ expired       (everything back; from expires_at on, capture is refused)
 */
export interface HoldFacts {
  amount: number;
  user_id: string;
  status: HoldStatus;
  expires_at: Date | null;
  settled_by: string | null;
}

export function isExpired(hold: HoldFacts, now: Date): boolean {
  return hold.status === "expired" || (hold.status === "pending" && hold.expires_at !== null && hold.expires_at.getTime() <= now.getTime());
}

/** May `settleId` settle this hold now? "replay" when this very settlement already did. */
export function checkSettle(hold: HoldFacts, settleId: string, now: Date): "settle" | "replay" {
  if (hold.settled_by === settleId) return "replay";
  if (isExpired(hold, now)) throw economyErrors.holdExpired();
  if (hold.status !== "pending") throw economyErrors.holdNotPending(hold.status, { status: hold.status });
  return "settle";
}

/** What a capture moves: to the target, to the fee account, and back to the owner. */
export function planCapture(hold: HoldFacts, opts: Pick<CaptureOptions, "credit" | "amount" | "fee">): { amount: number; fee: number; rest: number } {
  const fee = opts.fee?.amount ?? 0;
  const amount = opts.amount ?? hold.amount - fee;
  if (amount <= 0 || amount + fee > hold.amount) {
    throw economyErrors.captureExceedsHold({ hold: hold.amount, amount, fee });
  }
  for (const ref of [opts.credit, opts.fee?.credit]) {
    if (ref && isUserRef(ref) && ref.userId === hold.user_id) throw economyErrors.invalidCapture();
  }
  return { amount, fee, rest: hold.amount - amount - fee };
}
