/**
 * An idle timer: calls `onIdle` once when `kick()` has not been called for `idleMs`. Transfers kick
 * it on every byte that moves, so a transfer that stalls (megajs can leave an upload pending
 * forever after a failure) fails in bounded time instead of hanging the run.
 */
export interface Watchdog {
  kick(): void;
  stop(): void;
}

export function watchdog(idleMs: number, onIdle: () => void): Watchdog {
  let last = Date.now();
  let stopped = false;
  const period = Math.max(50, Math.min(1000, Math.floor(idleMs / 4)));
  const timer = setInterval(() => {
    if (stopped || Date.now() - last < idleMs) return;
    stopped = true;
    clearInterval(timer);
    onIdle();
  }, period);
  return {
    kick: () => {
      last = Date.now();
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
