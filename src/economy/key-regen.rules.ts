/**
 * Regenerating balances (keys): one unit per interval up to a cap, computed lazily from an anchor —
 * the instant the next unit started "charging". Pure: the caller supplies now.
 *
 *   at or above the cap   → anchor null, nothing regenerates, next_at null
 *   below the cap         → anchor set; after n whole intervals n units arrive (never past the cap)
 *   a spend from the cap  → the timer starts at the spend
 *   a credit (purchase)   → may overfill above the cap; the timer stops while at or above it
 */
export interface RegenPolicy {
  cap: number;
  intervalMs: number;
}

export interface RegenState {
  balance: number;
  /** ms epoch; null while at or above the cap */
  anchor: number | null;
}

/** Units earned by `now`, and the state after crediting them. */
export function regenerate(state: RegenState, now: number, policy: RegenPolicy): RegenState & { gained: number } {
  if (state.balance >= policy.cap) return { balance: state.balance, anchor: null, gained: 0 };
  // below the cap without an anchor (an account that never was at the cap): start charging now
  if (state.anchor === null) return { balance: state.balance, anchor: now, gained: 0 };
  const elapsed = now - state.anchor;
  if (elapsed < policy.intervalMs) return { ...state, gained: 0 };
  const intervals = Math.floor(elapsed / policy.intervalMs);
  const gained = Math.min(intervals, policy.cap - state.balance);
  const balance = state.balance + gained;
  if (balance >= policy.cap) return { balance, anchor: null, gained };
  return { balance, anchor: state.anchor + intervals * policy.intervalMs, gained };
}

/** The anchor after the balance changed by a spend or a credit at `now` (regeneration already applied). */
export function anchorAfterChange(anchor: number | null, newBalance: number, now: number, policy: RegenPolicy): number | null {
  if (newBalance >= policy.cap) return null;
  return anchor ?? now;
}

/** When the next unit arrives, or null at or above the cap. */
export function nextRegenAt(state: RegenState, policy: RegenPolicy): number | null {
  if (state.balance >= policy.cap || state.anchor === null) return null;
  return state.anchor + policy.intervalMs;
}
