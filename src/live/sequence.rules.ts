/**
 * Apply a stream's events in `seq` order, once each, whatever order pub/sub delivers them in
 * (several processes allocate and publish seqs concurrently). Events ahead of the next expected
 * seq wait; a gap that stays open is filled from the log by the caller (`gapSince`).
 */
export class SeqBuffer<E extends { seq: number }> {
  private readonly waiting = new Map<number, E>();
  private waitingSince: number | undefined;

  constructor(private next: number) {}

  /** The seq this buffer applies next. */
  get expected(): number {
    return this.next;
  }

  /** Offer an event; returns the events now ready, in order (an old or duplicate seq yields nothing). */
  offer(event: E, now: number): E[] {
    if (event.seq < this.next || this.waiting.has(event.seq)) return [];
    this.waiting.set(event.seq, event);
    return this.drain(now);
  }

  /** Since when the oldest gap has been open (undefined: nothing waiting). */
  get gapSince(): number | undefined {
    return this.waitingSince;
  }

  /** Give up on seqs that never came (allocated, then the write failed): continue from the first waiting one. */
  skipGap(now: number): E[] {
    if (this.waiting.size === 0) return [];
    this.next = Math.min(...this.waiting.keys());
    return this.drain(now);
  }

  private drain(now: number): E[] {
    const ready: E[] = [];
    while (this.waiting.has(this.next)) {
      ready.push(this.waiting.get(this.next)!);
      this.waiting.delete(this.next);
      this.next += 1;
    }
    if (this.waiting.size === 0) this.waitingSince = undefined;
    else if (ready.length > 0 || this.waitingSince === undefined) this.waitingSince = now;
    return ready;
  }
}
