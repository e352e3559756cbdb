/**
 * Live pages reload over REST when a room says something changed. A busy story changes many times
 * a second, and the API limits requests per user, so a reload runs at most once per `minMs`:
 * the first poke runs after `settleMs` (a burst lands together), later ones wait for the interval.
 */
export interface Throttled {
  poke(): void;
  /** run now (a user asked), and restart the interval */
  now(): void;
  cancel(): void;
}

export function throttled(run: () => unknown, minMs: number, settleMs = 100): Throttled {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    timer = undefined;
    last = Date.now();
    void run();
  };
  return {
    poke() {
      if (timer) return;
      timer = setTimeout(fire, Math.max(settleMs, last + minMs - Date.now()));
    },
    now() {
      clearTimeout(timer);
      fire();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
