/**
 * Command events a dropped client misses while it is away (within the reconnection grace): the room
 * notes the last seq it had applied when the socket dropped, leaves the client out of command
 * broadcasts while it is away, and on its return hands it every command after that seq up to what
 * the room has applied — read from the stream's log, so each exactly once and in seq order; later
 * commands reach it live.
 */
export class CommandCatchUp<E extends { seq: number }> {
  private readonly away = new Map<string, number>();

  dropped(sessionId: string, appliedSeq: number): void {
    this.away.set(sessionId, appliedSeq);
  }

  /** Sessions to leave out of a command broadcast (none most of the time). */
  awaySessions(): ReadonlySet<string> | undefined {
    return this.away.size > 0 ? new Set(this.away.keys()) : undefined;
  }

  /**
   * The client is back: the commands it missed. `applied()` is the room's last applied seq; every
   * applied command is already in the log (gift events are persisted before they are published), so
   * reading the log up to it — again if the room applied more while reading — misses none.
   */
  async back(sessionId: string, applied: () => number, commandsAfter: (afterSeq: number) => Promise<E[]>): Promise<E[]> {
    let after = this.away.get(sessionId);
    if (after === undefined) return [];
    const missed: E[] = [];
    try {
      for (;;) {
        const target = applied();
        if (target > after) missed.push(...(await commandsAfter(after)).filter((e) => e.seq <= target));
        after = Math.max(after, target);
        if (applied() === target) return missed;
      }
    } finally {
      this.away.delete(sessionId);
    }
  }

  forget(sessionId: string): void {
    this.away.delete(sessionId);
  }
}
