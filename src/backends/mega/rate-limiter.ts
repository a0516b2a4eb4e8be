/**
 * One pacer per MEGA account, shared by every API request of that account in this process (all
 * backends, all jobs): at most `maxConcurrent` requests in flight, starts at least `minIntervalMs`
 * apart, and after a "slow down" answer (-4, HTTP 429) a shared pause that doubles on each
 * throttle (with jitter, capped at `maxPenaltyMs`) and decays on success. Written by hand: p-limit
 * bounds concurrency but has no notion of spacing or of a shared penalty.
 *
 * Contract: `run(fn, signal)` starts `fn` when allowed and settles as it does; an aborted signal
 * rejects with the signal's reason before `fn` starts and frees the waiting slot.
 */

export interface RateLimiterOptions {
  maxConcurrent?: number;
  minIntervalMs?: number;
  maxPenaltyMs?: number;
}

export class RateLimiter {
  readonly #max: number;
  readonly #minInterval: number;
  readonly #maxPenalty: number;
  #active = 0;
  #queue: Array<() => void> = [];
  #nextStart = 0;
  #penalty = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(o: RateLimiterOptions = {}) {
    this.#max = Math.max(1, o.maxConcurrent ?? 6);
    this.#minInterval = Math.max(0, o.minIntervalMs ?? 10);
    this.#maxPenalty = o.maxPenaltyMs ?? 30_000;
  }

  /** The current shared pause after throttling, in ms (0 when calm). */
  get penaltyMs(): number {
    return this.#penalty;
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#pump();
    }
  }

  /** The server asked us to slow down: pause every caller of this account for a while. */
  throttle(): void {
    this.#penalty = Math.min(this.#maxPenalty, Math.max(500, this.#penalty * 2));
    const pause = this.#penalty * (0.75 + Math.random() * 0.5);
    this.#nextStart = Math.max(this.#nextStart, Date.now() + pause);
  }

  /** A request went through: let the pause decay. */
  relax(): void {
    if (this.#penalty > 0) this.#penalty = this.#penalty < 1000 ? 0 : this.#penalty / 2;
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.#queue.indexOf(start);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(start);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#timer) return;
    while (this.#queue.length > 0 && this.#active < this.#max) {
      const wait = this.#nextStart - Date.now();
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#pump();
        }, wait);
        return;
      }
      this.#active++;
      this.#nextStart = Date.now() + this.#minInterval;
      this.#queue.shift()!();
    }
  }
}
