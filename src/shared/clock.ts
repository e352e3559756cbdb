/**
 * Injectable clock: every rule that depends on "now" (expiry, rate limits, token lifetimes, key
 * regeneration) reads it from here so tests can move time without sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests drive by hand. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | number = Date.now()) {
    this.current = typeof start === "number" ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | number): void {
    this.current = typeof to === "number" ? to : to.getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

let active: Clock = systemClock;

/** The process-wide clock (services use this). */
export const clock: Clock = { now: () => active.now() };

/** Swap the process-wide clock; returns a function that restores the previous one. */
export function useClock(next: Clock): () => void {
  const previous = active;
  active = next;
  return () => {
    active = previous;
  };
}
